"""`python -m evidence_desk`, the `evidence-desk` command and the one-folder app all start here."""

from __future__ import annotations

import multiprocessing
import os
import sys


def main() -> int:
    # First of all: in a frozen app a dossier's worker process is this same executable started
    # again, and freeze_support turns it into the worker instead of a second desk.
    multiprocessing.freeze_support()
    from evidence_desk.cli import main as cli_main

    code = cli_main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (`| head`) has gone; nothing is worth saying about it at exit either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return code


if __name__ == "__main__":
    sys.exit(main())
