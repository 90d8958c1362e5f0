"""The kinds of notification people can turn on and off, registered by the apps that send them.

An app registers its kinds in ``AppConfig.ready()`` so the preferences screen can list them::

    register_notification_kind("signup_confirmed", label="When I sign up", label_es="Cuando me apunto")

Unregistered kinds still work (and can still be turned off); they just are not listed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NotificationKind:
    name: str
    label: str
    label_es: str

    def label_for(self, language: str) -> str:
        return self.label_es if language == "es" and self.label_es else self.label


_kinds: dict[str, NotificationKind] = {}


def register_notification_kind(name: str, *, label: str, label_es: str = "") -> None:
    _kinds[name] = NotificationKind(name=name, label=label, label_es=label_es)


def registered_kinds() -> dict[str, NotificationKind]:
    return dict(_kinds)
