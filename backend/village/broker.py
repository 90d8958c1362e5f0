from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker


def broker_status() -> str:
    """'ok' when the configured broker can take a message right now."""
    broker = dramatiq.get_broker()
    if isinstance(broker, RedisBroker):
        try:
            broker.client.ping()
        except Exception as exc:  # redis raises many connection error types
            return f"error: {exc.__class__.__name__}"
    return "ok"
