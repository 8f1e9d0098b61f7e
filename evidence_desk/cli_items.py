"""`evidence-desk item edit`: change evidence items from the command line.

Kept apart from cli.py so the item commands can grow without touching the rest of the contract.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from typing import Any

CLEAR_WORDS = ("none", "")


def _item_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not an item id (a whole number)")
    return value


def parse_captured(text: str) -> datetime | None:
    """A capture time typed as YYYY-MM-DDTHH:MM (a space for the T and seconds are fine);
    "none" clears it."""
    if text.strip().lower() in CLEAR_WORDS:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is not None or len(text.strip()) < 16:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a capture time in YYYY-MM-DDTHH:MM form (local time, no zone)")
    return moment


class _Captured:
    """Marks that --captured was given (its value may be None, meaning "clear it")."""

    def __init__(self, value: datetime | None) -> None:
        self.value = value


def add_item_parser(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    item = sub.add_parser("item", help="change evidence items (kind, caption, capture time, "
                          "rotation)")
    its = item.add_subparsers(dest="item_command", parser_class=parser_class, required=True)
    edit = its.add_parser("edit", help="change one or more items; only the options given")
    edit.add_argument("item_ids", nargs="+", type=_item_id, metavar="ITEM",
                      help="item ids, as `case show` lists them")
    edit.add_argument("--kind", metavar="K")
    edit.add_argument("--caption", metavar="T")
    edit.add_argument("--captured", metavar="YYYY-MM-DDTHH:MM",
                      type=lambda t: _Captured(parse_captured(t)),
                      help="when it was captured, as the seller knows it ('none' clears it)")
    edit.add_argument("--rotate", type=int, choices=(90, 180, 270), metavar="90|180|270",
                      help="turn how the item is shown clockwise by this much (the original "
                      "never changes)")


def cmd_item(args: argparse.Namespace, open_library: Callable[[argparse.Namespace], Any],
             usage_error: Callable[[str], Exception]) -> int:
    if args.item_command != "edit":
        raise usage_error(f"unknown item command {args.item_command!r}")
    if args.kind is None and args.caption is None and args.captured is None and \
            args.rotate is None:
        raise usage_error("nothing to change: give --kind, --caption, --captured or --rotate")
    lib = open_library(args)
    ids = list(dict.fromkeys(args.item_ids))
    # Every id is checked before anything changes, so a typo leaves all items as they were.
    for item_id in ids:
        lib.get_evidence(item_id)
    if args.kind is not None and args.kind not in lib.rules.kinds:
        raise usage_error(f"unknown evidence kind {args.kind!r}; use one of: "
                          f"{', '.join(lib.rules.kinds)}")
    fields: dict[str, Any] = {}
    if args.kind is not None:
        fields["kind"] = args.kind
    if args.caption is not None:
        fields["caption"] = args.caption
    for item_id in ids:
        if fields:
            lib.update_evidence(item_id, **fields)
        if args.rotate is not None:
            lib.rotate_evidence(item_id, args.rotate)
    if args.captured is not None:
        lib.set_capture_times(ids, args.captured.value)
    for item_id in ids:
        info = lib.get_evidence(item_id)
        when = info.captured_at.strftime("%Y-%m-%d %H:%M") if info.captured_at else "-"
        print(f"item {info.id}: {info.kind}, captured {when} ({info.captured_from}), "
              f"rotation {info.rotation}")
    return 0
