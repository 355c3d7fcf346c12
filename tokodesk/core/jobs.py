"""The worker's periodic jobs, registered by the apps that own them.

An app registers its jobs in its AppConfig.ready(); `tokodesk worker` runs every registered
job once per pass, in registration order, each in its own try (one failing job never stops
the others), and logs what each returned. Core knows no app: it only calls what was
registered. A job must be idempotent and safe with several workers at once (claim rows with
SELECT … FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], dict | None]
    # One line for `tokodesk worker --once` from the job's result (None: nothing printed).
    summary: Callable[[dict], str] | None = None


_JOBS: dict[str, Job] = {}


def register(name: str, run: Callable[[], dict | None], *, summary: Callable[[dict], str] | None = None) -> None:
    """Register (or replace, on a second ready()) the job `name`."""
    _JOBS[name] = Job(name=name, run=run, summary=summary)


def registered() -> list[Job]:
    return list(_JOBS.values())
