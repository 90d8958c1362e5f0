#!/usr/bin/env bash
# Security checks for CI (called from `make lint`):
#   1. bandit: no high-severity finding in backend/ (migrations are generated code);
#   2. pip-audit: no known vulnerability in the project's installed environment (.venv).
# Either failing fails the run. pip-audit needs the network; when its vulnerability service
# cannot be reached the run fails with that reason rather than passing unaudited.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"

echo "security: bandit (high severity) on backend/"
"$VENV/bin/bandit" -r backend -lll -q -x '*/migrations/*'

echo "security: pip-audit on $VENV"
# pip-audit reports a package its service cannot answer for as "not found" and, without
# --strict, still exits 0: an unreachable service would look like a clean audit. Ask the
# service about one package we know is on PyPI first, so a network problem is named as such.
if ! reason="$("$VENV/bin/python" - <<'PY' 2>&1
import importlib.metadata
import urllib.error
import urllib.request

version = importlib.metadata.version("django")
url = f"https://pypi.org/pypi/django/{version}/json"
try:
    with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 (fixed https URL)
        response.read(1)
except urllib.error.HTTPError as error:
    raise SystemExit(f"{url} answered HTTP {error.code}")
except OSError as error:
    raise SystemExit(f"{url} could not be reached: {error}")
PY
)"; then
    echo "security: FAILED: pip-audit's vulnerability service (the PyPI JSON API) is unavailable," >&2
    echo "security: so the environment cannot be audited: $reason" >&2
    exit 2
fi
# --strict: a dependency that cannot be audited fails the run instead of being skipped.
"$VENV/bin/pip-audit" --progress-spinner off --skip-editable --strict --desc on
