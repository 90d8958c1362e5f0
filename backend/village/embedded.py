"""The embedded default runs the Dramatiq worker and the scheduler as threads of the web process."""

from __future__ import annotations

import threading

import dramatiq

_started = threading.Event()
_stop = threading.Event()


def start_background_workers() -> None:
    """Start one worker and the periodic scheduler in this process; safe to call twice."""
    if _started.is_set():
        return
    _started.set()
    worker = dramatiq.Worker(dramatiq.get_broker(), worker_threads=2)
    worker.start()
    from notifications.scheduler import run_scheduler  # apps are loaded by now

    threading.Thread(target=run_scheduler, args=(_stop,), name="village-scheduler", daemon=True).start()
