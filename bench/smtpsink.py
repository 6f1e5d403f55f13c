"""A local SMTP server (aiosmtpd) that accepts and discards everything, in its own process.

Run as ``python -m bench.smtpsink PORT``; it prints ``ready`` once listening and
serves until killed.  Its own process keeps the server's work off the GIL of the
process being measured.
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

from aiosmtpd.controller import Controller


class Sink:
    """An aiosmtpd handler that accepts every message and keeps nothing."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Accept the message."""
        return "250 OK"


def main(argv: list[str]) -> int:
    """Serve on 127.0.0.1:PORT until SIGTERM."""
    controller = Controller(Sink(), hostname="127.0.0.1", port=int(argv[0]))
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready", flush=True)
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
