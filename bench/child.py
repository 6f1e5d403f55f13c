"""Child processes of the benchmark, one job each, answering one JSON line.

python -m bench.child campaign URL
    queue a campaign to every customer of the SQL store at URL; answers the
    seconds it took and the process's peak resident memory (``VmHWM``, see :func:`peak_rss`).
python -m bench.child deliver URL OUT
    deliver the outbox of the store at URL with a multi-business ``Worker``,
    writing each sent Message-ID as a line of OUT; answers when delivery
    started and ended (wall clock).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from bench import subjects
from invitekit import Worker
from invitekit.model import Email


class RecordingMailer:
    """A Mailer that writes the Message-ID of each email to a file, to count duplicates."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    @contextmanager
    def session(self) -> Iterator[RecordingMailer]:
        """The mailer is its own session."""
        yield self
        self.out.flush()

    def send(self, email: Email) -> None:
        """Record ``email``'s Message-ID."""
        self.out.write(f"{email.message_id}\n")


def peak_rss() -> int:
    """This process's peak resident memory in bytes.

    On Linux, ``ru_maxrss`` of a child started by ``subprocess`` (vfork + exec)
    starts at the parent's resident size, so a small campaign would report the
    benchmark runner's memory; ``VmHWM`` in ``/proc/self/status`` belongs to the
    child's own address space.  Elsewhere, ``ru_maxrss`` (bytes on macOS).
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024  # reported in kB
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def main(argv: list[str]) -> int:
    """Run one job (see the module docstring) and print its JSON answer."""
    job, url = argv[0], argv[1]
    store = subjects.open_sql(url)
    if job == "campaign":
        start = time.perf_counter()
        queued = subjects.campaign(store)
        seconds = time.perf_counter() - start
        answer = {"ops": queued, "seconds": seconds}
    elif job == "deliver":
        with open(argv[2], "w", encoding="utf-8") as out:
            worker = Worker(
                store=store, mailer=RecordingMailer(out), secret_keys=[subjects.SECRET]
            )
            started = time.time()
            sent = worker.deliver().sent
            answer = {"ops": sent, "started": started, "ended": time.time()}
    else:
        raise SystemExit(f"unknown job {job!r}")
    subjects.close(store)
    answer["maxrss_bytes"] = peak_rss()
    print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
