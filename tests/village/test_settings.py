from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from village import env

REPO = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 20 + "production-like-secret-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "village.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://village.example.org",
    "DATABASE_URL": "sqlite:///" + str(REPO / "var" / "deploy-check.sqlite3"),
    "EMAIL_URL": "smtp://mail.example.org:25",
    "DEBUG": "false",
}


def test_check_deploy_passes_with_production_like_environment():
    environ = {k: v for k, v in os.environ.items() if k not in {"SECURE_SSL_REDIRECT", "SECURE_COOKIES"}}
    environ.update(PRODUCTION_ENV)
    result = subprocess.run(
        [sys.executable, "backend/manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_secret_key_fails_loudly_outside_debug():
    environ = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "backend/manage.py", "check"],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("reader", "value"),
    [
        (lambda: env.env_bool("VILLAGE_T", False), "maybe"),
        (lambda: env.env_int("VILLAGE_T", 1), "ten"),
        (lambda: env.env_int("VILLAGE_T", 1, minimum=0), "-1"),
        (lambda: env.env_time_zone("VILLAGE_T", "UTC"), "Mars/Olympus"),
    ],
)
def test_env_helpers_reject_bad_values(monkeypatch, reader, value):
    monkeypatch.setenv("VILLAGE_T", value)
    with pytest.raises(ImproperlyConfigured, match="VILLAGE_T"):
        reader()


def test_env_str_reads_secret_from_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("VILLAGE_T_FILE", str(secret))
    assert env.env_str("VILLAGE_T") == "from-a-file"


def test_env_helpers_parse_good_values(monkeypatch):
    monkeypatch.setenv("VILLAGE_T", "yes")
    assert env.env_bool("VILLAGE_T", False) is True
    monkeypatch.setenv("VILLAGE_T", "a, b ,c")
    assert env.env_list("VILLAGE_T", []) == ["a", "b", "c"]
    monkeypatch.setenv("VILLAGE_T", "42")
    assert env.env_int("VILLAGE_T", 0) == 42
