"""``python -m invitekit.cli``: the ``invitekit`` command."""

from __future__ import annotations

import sys

from invitekit.cli.main import main

sys.exit(main())
