"""The peer, django-invitations, run in its own process and driven over stdin/stdout.

Django keeps global state (settings, app registry, connections), so the peer runs
in a child process: nothing of it leaks into invitekit's measurements, and the
parent can still interleave peer and invitekit runs round by round.  The child
reads one JSON command per line and answers one JSON line:

    {"op": "campaign", "n": 1000, "trace": false}
        delete every invitation, then create and send ``n`` through the library's
        own API (``Invitation.create`` + ``send_invitation`` with a RequestFactory
        request), in transactions of ``batch`` invitations (invitekit's default
        batch size), so both sides commit equally often.
    {"op": "seed", "n": 100000}
        store ``n`` sent invitations (bulk, untimed) and remember their keys.
    {"op": "lookup", "n": 2000, "trace": false}
        look up ``n`` random remembered keys the way the accept view does
        (``Invitation.objects.get(key=key.lower())``) and check ``key_expired()``.
    {"op": "quit"}

Answers: ``{"ops": n, "seconds": s, "peak_bytes": b or null}``.
Run as ``python -m bench.peer DIRECTORY`` (the SQLite file goes there).
"""

from __future__ import annotations

import json
import random
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any


def _setup(directory: Path) -> None:
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS=["testserver"],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(directory / "peer.sqlite3"),
            }
        },
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sites",
            "invitations",
        ],
        SITE_ID=1,
        ROOT_URLCONF="bench.peer_urls",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DEFAULT_FROM_EMAIL="hello@studio.example",
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
            }
        ],
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _campaign(n: int, batch: int) -> None:
    from django.core import mail
    from django.db import transaction
    from django.test import RequestFactory
    from invitations.models import Invitation

    request = RequestFactory().get("/")
    for start in range(0, n, batch):
        with transaction.atomic():
            for i in range(start, min(start + batch, n)):
                invitation = Invitation.create(f"customer{i}@example.com", inviter=None)
                invitation.send_invitation(request)
        mail.outbox.clear()  # locmem keeps every message; invitekit's outbox is the store


def _reset() -> None:
    from django.core import mail
    from invitations.models import Invitation

    Invitation.objects.all().delete()
    mail.outbox = []


def _seed(n: int) -> list[str]:
    from django.utils import timezone
    from django.utils.crypto import get_random_string
    from invitations.models import Invitation

    _reset()
    now = timezone.now()
    rows = [
        Invitation(email=f"customer{i}@example.com", key=get_random_string(64).lower(), sent=now)
        for i in range(n)
    ]
    Invitation.objects.bulk_create(rows, batch_size=500)
    return [row.key for row in rows]


def _lookup(keys: list[str]) -> None:
    from invitations.models import Invitation

    for key in keys:
        invitation = Invitation.objects.get(key=key.lower())
        if invitation.key_expired():
            raise RuntimeError("a freshly seeded invitation expired")


def _run(work: Any, ops: int, trace: bool) -> dict[str, Any]:
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    peak = None
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {"ops": ops, "seconds": seconds, "peak_bytes": peak}


def main(argv: list[str]) -> int:
    """Serve commands from stdin until ``quit`` (see the module docstring)."""
    _setup(Path(argv[0]))
    keys: list[str] = []
    rng = random.Random(8)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        op, n, trace = command["op"], int(command.get("n", 0)), bool(command.get("trace"))
        if op == "quit":
            return 0
        if op == "campaign":
            _reset()
            batch = int(command.get("batch", 100))
            answer = _run(lambda n=n, batch=batch: _campaign(n, batch), n, trace)
        elif op == "seed":
            keys = _seed(n)
            answer = {"ops": n, "seconds": 0.0, "peak_bytes": None}
        elif op == "lookup":
            sample = rng.sample(keys, n)
            answer = _run(lambda sample=sample: _lookup(sample), n, trace)
        else:
            answer = {"error": f"unknown op {op!r}"}
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
