"""Start Evidence Desk: `python main.py [--library DIR]`."""

import sys

from evidence_desk.cli import main

if __name__ == "__main__":
    sys.exit(main())
