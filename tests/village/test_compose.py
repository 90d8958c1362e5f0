from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def test_compose_file_has_the_production_services_with_real_commands():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    assert sorted(services) == ["migrate", "postgres", "redis", "scheduler", "web", "worker"]
    commands = {name: services[name]["command"] for name in ("migrate", "web", "worker", "scheduler")}
    assert commands["migrate"][-2:] == ["migrate", "--noinput"]
    assert commands["web"][0] == "gunicorn"
    assert "village.wsgi:application" in commands["web"]
    # The management commands named must exist in the project.
    from django.core.management import get_commands

    known = get_commands()
    assert commands["worker"][2] in known
    assert commands["scheduler"][2] in known
    for name in ("migrate", "web", "worker", "scheduler"):
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://")
        assert services[name]["environment"]["REDIS_URL"].startswith("redis://")
