"""``python -m helpers COMMAND ...``: runs :func:`helpers.cli.main`, where every command and its exit statuses live."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
