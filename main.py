"""Start Evidence Desk from a checkout: `python main.py [--library DIR]` (same as evidence-desk)."""

import sys

from evidence_desk.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
