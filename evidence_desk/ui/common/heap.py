"""Keeping Python's cycle collector from stalling the desk.

A full collection walks every tracked object while holding the interpreter lock, so whichever
thread triggers it (often a worker reading a case) stops the GUI thread for as long as it
takes. After start-up that is mostly objects that live as long as the desk does (modules, the
rules, the ORM's mappings, Qt wrappers): with a big case open a full pass measured 40–65 ms
here, most of it spent re-visiting them. Moving them out of the collector's reach once the
first window is built (`gc.freeze`) leaves it only what the desk made since, a few
milliseconds' work.
"""

from __future__ import annotations

import gc

_settled = False


def settle_after_start() -> None:
    """Exempt what start-up made from future collections; once a process (the first window).

    No collection first: it would add its own pass to the time to the first window, and the
    little start-up garbage kept this way is bounded and made once.
    """
    global _settled
    if _settled:
        return
    _settled = True
    gc.freeze()
