"""The command line over Library. Errors are one readable line on stderr, never a traceback."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from evidence_desk.core.rules import RulesError

log = logging.getLogger("evidence_desk")

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_REJECTED = 3


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_FAIL) -> None:
        super().__init__(message)
        self.code = code


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))


def _parse_date(text: str) -> date:
    from evidence_desk.core.limits import LimitError, parse_date

    try:
        return parse_date("date", text)
    except LimitError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _case_id(text: str) -> int:
    from evidence_desk.core.limits import LimitError, parse_id

    try:
        return parse_id("case_id", text)
    except LimitError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _quoted(text: str) -> str:
    shown = text[:40] + ("…" if len(text) > 40 else "")
    return repr(shown.encode("utf-8", "backslashreplace").decode("utf-8"))


def _checked(check: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type from a limits check: a refused value names its argument in one line."""
    from evidence_desk.core.limits import LimitError

    def convert(text: str) -> Any:
        try:
            return check(text)
        except LimitError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = getattr(check, "__name__", "value")
    return convert


def _text_arg(field: str) -> Callable[[str], str]:
    from evidence_desk.core.limits import check_text

    return _checked(lambda text: check_text(field, text))


def _amount_arg(text: str) -> str:
    from evidence_desk.core.limits import parse_amount

    amount = _checked(parse_amount)(text)
    return "" if amount is None else str(amount)


def _currency_arg(text: str) -> str:
    from evidence_desk.core.limits import check_currency

    return _checked(check_currency)(text)


def _budget_mb(text: str) -> float:
    import math

    from evidence_desk.core.limits import BUDGET_MB_MAX

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 < value <= BUDGET_MB_MAX:
        raise argparse.ArgumentTypeError(f"{_quoted(text)} is not a size in MB (a number above "
                                         f"0, at most {BUDGET_MB_MAX:.0f})")
    return value


def _zip_kb(text: str) -> int:
    from evidence_desk.core.limits import ZIP_KB_MAX, ZIP_KB_MIN

    try:
        value = int(text)
    except ValueError:
        value = 0
    if not ZIP_KB_MIN <= value <= ZIP_KB_MAX:
        raise argparse.ArgumentTypeError(f"{_quoted(text)} is not a zip size in KB (a whole "
                                         f"number from {ZIP_KB_MIN} to {ZIP_KB_MAX})")
    return value


# Arguments that name files and folders: on disk a name may be any bytes, so these are the only
# arguments allowed to carry text that is not valid UTF-8.
_PATH_OPTIONS = {"--library", "-o", "--output", "--to", "--url"}


def _invalid_text_argument(argv: Sequence[str]) -> str | None:
    """The first argument that is not valid UTF-8 text (Python hands such bytes over as
    surrogate escapes), named as the user typed it; None when all are valid or are paths."""
    for i, arg in enumerate(argv):
        try:
            arg.encode("utf-8")
            continue
        except UnicodeEncodeError:
            pass
        if arg.startswith("--") and "=" in arg:
            option = arg.split("=", 1)[0]
        elif i > 0 and argv[i - 1].startswith("-") and not argv[i - 1].lstrip("-")[:1].isdigit():
            option = argv[i - 1]
        else:
            option = ""
        if option in _PATH_OPTIONS:
            continue
        if not option and _is_path_positional(argv, i):
            continue
        shown = arg.encode("utf-8", "backslashreplace").decode("utf-8")[:40]
        where = f"the value of {option}" if option else f"argument {i + 1} ({shown!r})"
        return f"evidence-desk: {where} is not valid text (it holds bytes that are not UTF-8)"
    return None


def _is_path_positional(argv: Sequence[str], index: int) -> bool:
    # `add ID PATH...` and `bundle import FILE` take file names.
    before = list(argv[:index])
    if before[:1] == ["--library"]:
        before = before[2:]
    words = [a for a in before if not a.startswith("-")]
    return bool(words) and (words[0] == "add" or words[:2] == ["bundle", "import"])


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(f"{self.prog}: {message}", EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="evidence-desk", description="Evidence for Alibaba.com complaints.")
    p.add_argument("--library", metavar="DIR", help="library folder (default: the app-data one, "
                   "or $EVIDENCE_DESK_LIBRARY)")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    r = sub.add_parser("rules", help="complaint types, evidence kinds and requirements")
    r.add_argument("--json", action="store_true")

    case = sub.add_parser("case", help="create, list and show cases")
    cs = case.add_subparsers(dest="case_command", parser_class=_Parser, required=True)
    new = cs.add_parser("new", help="create a case; prints its id")
    new.add_argument("--type", required=True, dest="type_key", metavar="KEY")
    new.add_argument("--order", required=True, metavar="NO", type=_text_arg("order_no"))
    new.add_argument("--buyer", metavar="NAME", type=_text_arg("buyer"))
    new.add_argument("--completed", type=_parse_date, metavar="YYYY-MM-DD")
    new.add_argument("--paid", type=_parse_date, metavar="YYYY-MM-DD")
    new.add_argument("--title", default="", type=_text_arg("title"))
    new.add_argument("--reason", default="", type=_text_arg("reason"))
    new.add_argument("--demand", default="", type=_text_arg("demand"))
    new.add_argument("--amount", default=None, type=_amount_arg)
    new.add_argument("--currency", default="USD", type=_currency_arg)
    ls = cs.add_parser("list")
    ls.add_argument("--json", action="store_true")
    ls.add_argument("--all", action="store_true", help="include archived and trashed cases")
    show = cs.add_parser("show")
    show.add_argument("case_id", type=_case_id, metavar="ID")
    show.add_argument("--json", action="store_true")

    edit = cs.add_parser("edit", help="change a case's fields (only those given)")
    edit.add_argument("case_id", type=_case_id, metavar="ID")
    edit.add_argument("--type", dest="type_key", metavar="KEY")
    edit.add_argument("--order", dest="order_no", metavar="NO", type=_text_arg("order_no"))
    edit.add_argument("--buyer", metavar="NAME", type=_text_arg("buyer"))
    for flag in ("completed", "paid", "accepted", "refund-requested"):
        edit.add_argument(f"--{flag}", type=_parse_date, metavar="YYYY-MM-DD",
                          dest=f"{flag.replace('-', '_')}_on")
    for flag in ("title", "reason", "demand", "notes"):
        edit.add_argument(f"--{flag}", metavar="T", type=_text_arg(flag))
    edit.add_argument("--amount", metavar="T", type=_amount_arg)
    edit.add_argument("--currency", metavar="T", type=_currency_arg)
    edit.add_argument("--other-channel-agreed", choices=["yes", "no"])
    edit.add_argument("--carrier-changed", choices=["yes", "no"])
    submit = cs.add_parser("submit", help="record that the complaint was submitted")
    submit.add_argument("case_id", type=_case_id, metavar="ID")
    submit.add_argument("--on", type=_parse_date, metavar="YYYY-MM-DD",
                        help="submission date (default today)")
    result = cs.add_parser("result", help="record the platform's result")
    result.add_argument("case_id", type=_case_id, metavar="ID")
    result.add_argument("outcome", choices=["upheld", "rejected", "withdrawn"])
    result.add_argument("--on", type=_parse_date, metavar="YYYY-MM-DD")
    resub = cs.add_parser("resubmit", help="a new attempt linked to ID, evidence carried")
    resub.add_argument("case_id", type=_case_id, metavar="ID")
    move = cs.add_parser("move", help="move a logistics dispute (or any case) to a state")
    move.add_argument("case_id", type=_case_id, metavar="ID")
    move.add_argument("state")
    move.add_argument("--reason", default="", type=_text_arg("state_reason"))
    move.add_argument("--on", type=_parse_date, metavar="YYYY-MM-DD")
    stmt = cs.add_parser("statement", help="compose and print the complaint statement")
    stmt.add_argument("case_id", type=_case_id, metavar="ID")
    stmt.add_argument("--lang", choices=["en", "zh"], default="en")
    stmt.add_argument("--recompose", action="store_true",
                      help="replace the stored text even if it was edited")

    _add_phrase_parsers(sub, cs)

    add = sub.add_parser("add", help="add files and folders to a case")
    add.add_argument("case_id", type=_case_id, metavar="ID")
    add.add_argument("paths", nargs="+", metavar="PATH")
    add.add_argument("--kind", metavar="KEY")
    add.add_argument("--caption", default="", type=_text_arg("caption"))
    add.add_argument("--source", default="", metavar="KEY",
                     help="where the evidence came from (e.g. alibaba_chat, whatsapp)")

    chk = sub.add_parser("check", help="is the case ready? exit 0 ready, 1 not ready")
    chk.add_argument("case_id", type=_case_id, metavar="ID")
    chk.add_argument("--json", action="store_true")
    chk.add_argument("--today", type=_parse_date, help=argparse.SUPPRESS)

    ocr = sub.add_parser("ocr", help="read the text in pending screenshots (needs the [ocr] "
                         "extra)")
    ocr.add_argument("case_id", type=_case_id, nargs="?", metavar="CASE_ID")
    ocr.add_argument("--limit", type=int, default=None, metavar="N",
                     help="read at most N pictures this time")
    srch = sub.add_parser("search", help="cases and items whose fields or recognised text match")
    srch.add_argument("text", metavar="TEXT")
    srch.add_argument("--json", action="store_true")

    exp = sub.add_parser("export", help="write the complaint dossier (PDF)")
    exp.add_argument("case_id", type=_case_id, metavar="ID")
    exp.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    exp.add_argument("--lang", choices=["zh", "en", "both"], default="both")
    exp.add_argument("--budget-mb", type=_budget_mb, default=None,
                     help="largest dossier size; images are downscaled only as needed")
    pk = sub.add_parser("pack", help="write the upload pack (zips within the platform's limits) "
                        "into DIR: a new or empty folder, or an earlier pack")
    pk.add_argument("case_id", type=_case_id, metavar="ID")
    pk.add_argument("-o", "--output", required=True, metavar="DIR")
    pk.add_argument("--zip-max-kb", type=_zip_kb, default=None)

    ver = sub.add_parser("verify", help="re-hash originals and cross-check the audit log; exit 1 "
                         "if anything is missing, altered or does not match the log")
    ver.add_argument("case_id", type=_case_id, nargs="?", metavar="ID")
    ver.add_argument("--json", action="store_true")
    ver.add_argument("--clean-orphans", action="store_true",
                     help="also delete stored files no evidence item uses, older than a day")

    bun = sub.add_parser("bundle", help="export a case to one file, or import one")
    bs = bun.add_subparsers(dest="bundle_command", parser_class=_Parser, required=True)
    bex = bs.add_parser("export", help="write the case and its originals to FILE")
    bex.add_argument("case_id", type=_case_id, metavar="ID")
    bex.add_argument("-o", "--output", required=True, metavar="FILE")
    bim = bs.add_parser("import", help="add the case in FILE to this library; prints its id")
    bim.add_argument("file", metavar="FILE")

    bak = sub.add_parser("backup", help="back up the library, list backups, restore one")
    bks = bak.add_subparsers(dest="backup_command", parser_class=_Parser, required=True)
    bks.add_parser("now", help="make a backup now (keeps the newest 7)")
    bls = bks.add_parser("list", help="backups, newest first (works on a damaged library)")
    bls.add_argument("--json", action="store_true")
    brs = bks.add_parser("restore", help="put a backup back; the current database is kept aside")
    brs.add_argument("name", metavar="NAME")

    demo = sub.add_parser("demo", help="fill a library with sample cases to try the app on")
    demo.add_argument("--library", dest="demo_library", metavar="DIR")

    team = sub.add_parser("library", help="a team library on PostgreSQL: push, roles, login")
    ts = team.add_subparsers(dest="library_command", parser_class=_Parser, required=True)
    tpush = ts.add_parser("push", help="copy this library (cases, audit log, files) into an "
                          "empty team database, verifying every hash")
    tpush.add_argument("--to", required=True, metavar="URL", dest="target")
    troles = ts.add_parser("roles", help="create the editor and reviewer roles and grant them "
                           "(run as the database owner)")
    troles.add_argument("--url", required=True, metavar="URL")
    troles.add_argument("--editor", action="append", default=[], metavar="USER",
                        help="make USER an editor (repeatable)")
    troles.add_argument("--reviewer", action="append", default=[], metavar="USER",
                        help="make USER a read-only reviewer (repeatable)")
    tlogin = ts.add_parser("login", help="keep the password for URL in the system keyring")
    tlogin.add_argument("--url", required=True, metavar="URL")
    from evidence_desk.cli_items import add_item_parser

    add_item_parser(sub, _Parser)
    return p


def _slot_setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE (e.g. --set shipped_on="
                                         "2024-05-03)")
    return name.strip(), value


def _add_phrase_parsers(sub: Any, cs: Any) -> None:
    """`phrases` (the bank) and `case phrase` (a case's chosen phrases)."""
    ph = sub.add_parser("phrases", help="the phrase bank: Chinese sentences with vetted English")
    ph.add_argument("--type", dest="type_key", metavar="KEY", help="only this complaint type")
    ph.add_argument("--json", action="store_true")
    cp = cs.add_parser("phrase", help="add a phrase to the case's statement, list or remove them")
    cp.add_argument("case_id", type=_case_id, metavar="ID")
    cp.add_argument("phrase_id", nargs="?", metavar="PHRASE_ID")
    cp.add_argument("--set", dest="slots", action="append", default=[], type=_slot_setting,
                    metavar="NAME=VALUE", help="a slot value (repeatable); others are "
                    "prefilled from the case where possible")
    cp.add_argument("--at", type=int, metavar="N", help="insert as sentence N (default: last)")
    cp.add_argument("--list", action="store_true", help="the chosen phrases with positions")
    cp.add_argument("--remove", type=int, metavar="N", help="remove sentence N")
    cp.add_argument("--json", action="store_true", help="with --list: as JSON")


def _open_library(args: argparse.Namespace) -> Any:
    from evidence_desk.library.service import Library

    folder = getattr(args, "demo_library", None) or args.library
    return Library.open(folder)


def cmd_rules(args: argparse.Namespace) -> int:
    from evidence_desk.paths import default_library_dir
    from evidence_desk.rules_source import rules_for

    # Read-only: the library's own rules if it has them, never a library made for the asking.
    rules = rules_for(args.library or default_library_dir())
    if args.json:
        _print_json(rules.to_json())
        return EXIT_OK
    print("Evidence kinds / 证据类型:")
    for k in rules.kinds.values():
        print(f"  {k.letter}  {k.key:<20} {k.zh}  {k.en}")
    print("\nComplaint types / 投诉类型:")
    for t in rules.types.values():
        print(f"  {t.key:<26} {t.zh}  {t.en}")
        for req in t.requirements:
            names = " / ".join(f"{rules.kinds[k].zh} {rules.kinds[k].en}" for k in req.kinds)
            print(f"      [{req.level}] {names} (min {req.min})")
    p = rules.platform
    print(f"\nPlatform: zips up to {p.zip_max_bytes // 1024} KB, attachments "
          f"{', '.join(p.attachment_extensions)}")
    return EXIT_OK


def _case_json(lib: Any, case_id: int) -> dict[str, Any]:
    from evidence_desk.core.deadlines import expected_result

    case = lib.get_case(case_id)
    data = asdict(case)
    items = lib.list_evidence(case_id)
    data["evidence"] = [asdict(i) for i in items]
    data["attempts"] = [{"id": c.id, "attempt_no": c.attempt_no, "state": c.state,
                         "submitted_on": c.submitted_on, "result_on": c.result_on}
                        for c in lib.attempts(case_id)]
    if case.submitted_on:
        lo, hi = expected_result(case.submitted_on, lib.rules.platform)
        data["expected_result"] = {"earliest": lo, "latest": hi}
    else:
        data["expected_result"] = None
    check = lib.check(case_id)
    data["checklist"] = check.to_json()
    from evidence_desk.library.workflow import current_statement

    # The stored text may lag behind the evidence; show what the statement says now.
    data["statement_en"], data["statement_zh"], comp = current_statement(lib, case_id)
    data["statement_warnings"] = [{"code": w.code, "message": w.message,
                                   "message_zh": w.message_zh} for w in comp.warnings]
    return data


def cmd_case(args: argparse.Namespace) -> int:
    lib = _open_library(args)
    if args.case_command == "new":
        case = lib.create_case(
            args.type_key, args.order, buyer_name=args.buyer, completed_on=args.completed,
            paid_on=args.paid, title=args.title, reason=args.reason, demand=args.demand,
            amount=args.amount, currency=args.currency)
        print(case.id)
        return EXIT_OK
    if args.case_command == "list":
        ids = lib.case_ids(archived=None) if args.all else lib.case_ids()
        if args.all:
            ids += lib.case_ids(archived=None, deleted=True)
        rows = lib.case_summaries(ids)
        if args.json:
            _print_json([asdict(r) for r in rows])
            return EXIT_OK
        if not rows:
            print("No cases yet. Create one with: evidence-desk case new --type KEY --order NO")
            return EXIT_OK
        for r in rows:
            left = "-" if r.days_left is None else f"{r.days_left}d"
            print(f"{r.id:>5}  {r.order_no:<22} {r.type_key:<26} {r.state:<22} "
                  f"{r.met}/{r.required}  {left:>5}  {r.buyer_name}")
        return EXIT_OK
    if args.case_command == "show":
        data = _case_json(lib, args.case_id)
        if args.json:
            _print_json(data)
            return EXIT_OK
        ctype = lib.rules.types.get(data["type_key"])
        print(f"Case {data['id']}: order {data['order_no']}  "
              f"{ctype.en if ctype else data['type_key']} / {ctype.zh if ctype else ''}")
        print(f"  state {data['state']}, completed {data['completed_on'] or '-'}, "
              f"deadline {data['checklist']['deadline'] or '-'}")
        if data.get("buyer"):
            print(f"  buyer {data['buyer']['name']}")
        for item in data["evidence"]:
            print(f"  #{item['id']:<5} {item['kind']:<20} {item['sha256'][:16]}  "
                  f"{item['original_name']}")
        return EXIT_OK
    if args.case_command == "edit":
        fields = ("type_key", "order_no", "completed_on", "paid_on", "accepted_on",
                  "refund_requested_on", "title", "reason", "demand", "notes", "amount",
                  "currency")
        changes = {f: getattr(args, f) for f in fields if getattr(args, f) is not None}
        for flag in ("other_channel_agreed", "carrier_changed"):
            if getattr(args, flag) is not None:
                changes[flag] = getattr(args, flag) == "yes"
        buyer_id: Any = ...
        if args.buyer is not None:
            buyer_id = lib.buyer_named(args.buyer).id if args.buyer.strip() else None
        if not changes and buyer_id is ...:
            raise CliError("nothing to change: give at least one field, e.g. --demand T",
                           EXIT_USAGE)
        case = lib.update_case(args.case_id, buyer_id=buyer_id, **changes)
        print(f"case {case.id}: {case.state}")
        return EXIT_OK
    if args.case_command in ("submit", "result", "move"):
        target = {"submit": "submitted", "result": getattr(args, "outcome", "")}.get(
            args.case_command, getattr(args, "state", ""))
        case = lib.move_case(args.case_id, target, reason=getattr(args, "reason", ""),
                             on=args.on)
        print(f"case {case.id}: {case.state}")
        if case.state == "submitted" and case.submitted_on:
            from evidence_desk.core.deadlines import expected_result

            lo, hi = expected_result(case.submitted_on, lib.rules.platform)
            print(f"result expected {lo.isoformat()} to {hi.isoformat()}")
        return EXIT_OK
    if args.case_command == "resubmit":
        case = lib.resubmit_case(args.case_id)
        print(case.id)
        return EXIT_OK
    if args.case_command == "phrase":
        return _case_phrase(lib, args)
    if args.case_command == "statement":
        case, action = lib.compose_statement(args.case_id, force=args.recompose)
        if action in ("kept_edits", "outdated"):
            print("evidence-desk: the statement was edited by hand and was kept"
                  + ("; the facts changed since, use --recompose to start again"
                     if action == "outdated" else ""), file=sys.stderr)
        print(case.statement_en if args.lang == "en" else case.statement_zh, end="")
        return EXIT_OK
    raise CliError(f"unknown case command {args.case_command!r}", EXIT_USAGE)


def cmd_phrases(args: argparse.Namespace) -> int:
    from evidence_desk.library.workflow import phrase_bank

    lib = _open_library(args)
    if args.type_key and args.type_key not in lib.rules.types:
        raise CliError(f"unknown complaint type {args.type_key!r}; use one of: "
                       f"{', '.join(lib.rules.types)}", EXIT_USAGE)
    bank = phrase_bank(lib)
    entries = bank.to_json(args.type_key)
    if args.json:
        _print_json(entries)
        return EXIT_OK
    for e in entries:
        slots = ", ".join(f"{s['name']}:{s['type']}" for s in e["slots"]) or "-"
        print(f"{e['id']}  [{e['type']} / {e['section']}]  slots: {slots}")
        print(f"    {e['zh']}")
        print(f"    {e['en']}")
    return EXIT_OK


def _print_chosen(lib: Any, case_id: int, as_json: bool) -> None:
    from evidence_desk.library import phrasing

    v = phrasing.view(lib, case_id)
    rows = []
    sentences = {s.index: s for s in v.segments if s.index is not None}
    for i, item in enumerate(v.chosen):
        seg = sentences.get(i)
        rows.append({"position": i + 1, "phrase": item.phrase_id or None,
                     "section": seg.section if seg else item.section,
                     "slots": dict(item.slots), "en": seg.en if seg else "",
                     "zh": seg.zh if seg else "",
                     "warnings": [w.message for w in v.warnings if w.index == i]})
    if as_json:
        _print_json(rows)
        return
    if not rows:
        print("No phrases chosen yet. List them with: evidence-desk phrases --type KEY")
    for r in rows:
        print(f"{r['position']:>3}  {r['section']:<6} {r['phrase'] or '(your own sentence)'}")
        print(f"       {r['en']}")
        print(f"       {r['zh']}")
        for w in r["warnings"]:
            print(f"       warning: {w}")


def _case_phrase(lib: Any, args: argparse.Namespace) -> int:
    from evidence_desk.library import phrasing

    if args.list:
        _print_chosen(lib, args.case_id, args.json)
        return EXIT_OK
    try:
        if args.remove is not None:
            phrasing.remove_phrase(lib, args.case_id, args.remove - 1)
            print(f"case {args.case_id}: removed sentence {args.remove}")
            return EXIT_OK
        if not args.phrase_id:
            raise CliError("give a PHRASE_ID to add, or --list, or --remove N", EXIT_USAGE)
        slots = dict(args.slots)
        at = None if args.at is None else args.at - 1
        phrasing.add_phrase(lib, args.case_id, args.phrase_id, slots, at)
    except phrasing.PhraseRefused as exc:
        raise CliError(str(exc)) from None
    items = phrasing.chosen(lib, args.case_id)
    position = len(items) if at is None else min(at, len(items) - 1) + 1
    print(f"case {args.case_id}: sentence {position} is {args.phrase_id}")
    view = phrasing.view(lib, args.case_id)
    for w in view.warnings:
        if w.index == position - 1:
            print(f"evidence-desk: warning: {w.message}", file=sys.stderr)
    if view.edited:
        print("evidence-desk: the statement was edited by hand and was kept; use case statement "
              f"{args.case_id} --recompose to write it from the phrases again", file=sys.stderr)
    return EXIT_OK


def _say_statement_problems(lib: Any, case_id: int) -> None:
    """Before an export or a pack: what in the English statement the platform would refuse."""
    for w in lib.check(case_id).warnings:
        if w.code.startswith(("statement_", "phrase_")):
            print(f"evidence-desk: warning: {w.message}", file=sys.stderr)


def cmd_add(args: argparse.Namespace) -> int:
    from evidence_desk.ingest.probe import FLAG_MESSAGES

    lib = _open_library(args)
    if args.source and args.source not in lib.rules.sources:
        raise CliError(f"unknown source {args.source!r}; use one of: "
                       f"{', '.join(lib.rules.sources)}", EXIT_USAGE)
    results = lib.add_paths(args.case_id, args.paths, kind=args.kind, caption=args.caption,
                            source=args.source)
    rejected = 0
    for r in results:
        # A name that is not valid UTF-8 on disk must not crash the report of what happened.
        shown = r.path.encode("utf-8", "backslashreplace").decode("utf-8")
        if r.status == "added":
            # One line per file (a contract): warnings about it go on the same line.
            notes = " ".join(FLAG_MESSAGES.get(flag, flag) for flag in r.flags)
            print(f"added      {shown} (item {r.item_id}, {r.kind})"
                  + (f" - {notes}" if notes else ""))
        elif r.status == "duplicate":
            print(f"duplicate  {shown}: {r.reason}")
        else:
            rejected += 1
            print(f"rejected   {shown}: {r.reason}")
    return EXIT_REJECTED if rejected else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    lib = _open_library(args)
    check = lib.check(args.case_id, today=args.today)
    if args.json:
        data = check.to_json()
        data["suggestions"] = [asdict(s) for s in lib.suggestions(args.case_id)]
        _print_json(data)
    else:
        case = lib.get_case(args.case_id)
        ctype = lib.rules.types[case.type_key]
        print(f"Case {case.id} ({ctype.en} / {ctype.zh}): "
              f"{'READY' if check.ready else 'NOT READY'}")
        if check.deadline:
            print(f"  deadline {check.deadline.isoformat()} ({check.days_left} days left)")
        for req in check.requirements:
            names = " or ".join(lib.rules.kinds[k].en for k in req.kinds)
            mark = "ok " if req.satisfied else ("-- " if not req.required else "MISSING")
            print(f"  [{mark}] {names}: {req.count}/{req.min}"
                  f"{'' if req.required else ' (recommended)'}")
        for w in check.warnings:
            print(f"  warning: {w.message}")
        for s in lib.suggestions(args.case_id):
            if s.field:
                print(f"  suggestion: {s.field} = {s.value} (read in item {s.item_id})")
    return EXIT_OK if check.ready else EXIT_FAIL


def _warn_if_log_broken(lib: Any) -> None:
    """An export carries the library's word; when its record was tampered with, say so."""
    problems = lib.audit_problems()
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        print(f"evidence-desk: warning: this library's audit log does not check out: "
              f"{problems[0]}{more}; run evidence-desk verify", file=sys.stderr)


def cmd_ocr(args: argparse.Namespace) -> int:
    from evidence_desk.ocr import install_hint, ocr_available
    from evidence_desk.ocr.worker import OcrError, OcrProgress, run_pending

    if not ocr_available():
        raise CliError(install_hint("both"))
    lib = _open_library(args)
    if args.case_id is not None:
        lib.get_case(args.case_id)
    total = len(lib.ocr_pending(args.case_id))
    if not total:
        print("nothing to read: every screenshot has its text already")
        return EXIT_OK

    def progress(p: OcrProgress) -> None:
        shown = p.name.encode("utf-8", "backslashreplace").decode("utf-8")
        outcome = f"{p.lines} line(s)" if p.ok else f"not read: {p.reason}"
        print(f"ocr {p.done}/{p.total}  {shown}: {outcome}", flush=True)

    try:
        report = run_pending(lib, args.case_id, progress=progress, limit=args.limit)
    except OcrError as exc:
        raise CliError(str(exc)) from None
    left = len(lib.ocr_pending(args.case_id))
    print(f"read {report.read}, not readable {report.failed}, still pending {left}")
    return EXIT_OK if not report.failed else EXIT_REJECTED


def cmd_search(args: argparse.Namespace) -> int:
    lib = _open_library(args)
    results = lib.search(args.text)
    if args.json:
        _print_json({"text": results.text, "cases": [asdict(c) for c in results.cases],
                     "items": [asdict(i) for i in results.items]})
        return EXIT_OK
    if not results.cases and not results.items:
        print(f"nothing matches {results.text!r}")
        return EXIT_FAIL
    items_by_case: dict[int, list[Any]] = {}
    for item in results.items:
        items_by_case.setdefault(item.case_id, []).append(item)
    for c in results.cases:
        where = ", ".join(c.fields) or "evidence"
        print(f"case {c.case_id:>5}  {c.order_no:<22} {c.title}  ({where})")
        for item in items_by_case.get(c.case_id, []):
            print(f"  item #{item.item_id:<5} {item.kind:<20} {item.original_name}  "
                  f"({', '.join(item.fields)})")
            for line in item.lines[:3]:
                print(f"      \u201c{line['text']}\u201d")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from evidence_desk.export.jobs import affected_lines, export_dossier

    lib = _open_library(args)
    out = Path(args.output)
    if out.suffix.lower() != ".pdf":
        raise CliError(f"the dossier is a PDF; name it with .pdf, not {out.name!r}", EXIT_USAGE)
    budget = int(args.budget_mb * 1024 * 1024) if args.budget_mb else None
    _say_statement_problems(lib, args.case_id)
    _warn_if_log_broken(lib)
    result = export_dossier(lib, args.case_id, out, lang=args.lang, budget_bytes=budget)
    print(f"{result.path}  {result.pages} pages, {result.size_bytes / 1e6:.1f} MB, "
          f"sha256 {result.sha256}")
    for note in result.notes:
        print(f"note: {note}")
    # The export finished; what it could not show is the seller's to know, on stderr.
    for line in affected_lines(result.affected, dossier=True):
        print(f"warning: {line}", file=sys.stderr)
    return EXIT_OK


def cmd_pack(args: argparse.Namespace) -> int:
    from evidence_desk.export.jobs import affected_lines, export_pack

    lib = _open_library(args)
    limit = args.zip_max_kb * 1024 if args.zip_max_kb else None
    _say_statement_problems(lib, args.case_id)
    _warn_if_log_broken(lib)
    result = export_pack(lib, args.case_id, Path(args.output), zip_max_bytes=limit)
    for z in result.zips:
        print(f"{z.path.name:<32} {z.size / 1024:>7.0f} KB  {len(z.members)} file(s)")
    print(f"{result.statement_path.name:<32} statement (English)")
    print(f"pack sha256 {result.sha256}")
    for line in affected_lines(result.affected, dossier=False):
        print(f"warning: {line}", file=sys.stderr)
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    lib = _open_library(args)
    if args.clean_orphans and args.case_id is not None:
        raise CliError("--clean-orphans looks at the whole library; give no case ID",
                       EXIT_USAGE)
    report = lib.verify(args.case_id)
    cleaned = lib.clean_orphans() if args.clean_orphans else []
    if args.json:
        _print_json({"ok": report.ok, "checked": report.checked,
                     "problems": [asdict(p) for p in report.problems],
                     "orphans_removed": cleaned, "scope": lib.VERIFY_SCOPE})
    else:
        for p in report.problems:
            print(f"{p.kind:<8} {p.message}")
        for sha in cleaned:
            print(f"removed  unused file {sha[:12]}…")
        print(f"{report.checked} original(s) checked: "
              f"{'all intact' if report.ok else 'PROBLEMS FOUND'}")
        print(f"({lib.VERIFY_SCOPE})")
    return EXIT_OK if report.ok else EXIT_FAIL


def cmd_bundle(args: argparse.Namespace) -> int:
    from evidence_desk.library.bundle import export_bundle, import_bundle

    lib = _open_library(args)
    if args.bundle_command == "export":
        _warn_if_log_broken(lib)
        result = export_bundle(lib, args.case_id, Path(args.output))
        print(f"{result.path} ({result.items} item(s), sha256 {result.sha256})")
        return EXIT_OK
    print(import_bundle(lib, Path(args.file)))
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from evidence_desk.library import backup
    from evidence_desk.paths import default_library_dir

    try:
        if args.backup_command == "now":
            info = backup.backup_now(_open_library(args))
            print(f"{info.name} ({info.cases} case(s), {info.files} file(s))")
            return EXIT_OK
        # Listing and restoring must work on a library that no longer opens.
        folder = Path(args.library).expanduser() if args.library else default_library_dir()
        if args.backup_command == "list":
            rows = backup.list_backups(folder)
            if args.json:
                _print_json([{"name": b.name, "created_at": b.created_at, "cases": b.cases,
                              "files": b.files} for b in rows])
            for b in rows if not args.json else ():
                print(f"{b.name}  {b.cases} case(s), {b.files} file(s)")
            return EXIT_OK
        result = backup.restore_backup(args.name, folder)
        for p in result.moved_aside:
            print(f"kept the previous database as {p.name}")
        print(f"restored {result.backup}")
        return EXIT_OK
    except backup.BackupError as exc:
        raise CliError(str(exc)) from None


def cmd_library(args: argparse.Namespace) -> int:
    from evidence_desk.library import credentials

    if args.library_command == "roles":
        from evidence_desk.library.roles import set_up_roles

        url = credentials.with_password(args.url, _ask_password)
        for line in set_up_roles(url, editors=args.editor, reviewers=args.reviewer):
            print(line)
        return EXIT_OK
    if args.library_command == "login":
        import getpass

        if not credentials.keyring_available():
            raise CliError("No system keyring is available (pip install keyring); the app "
                           "will ask for the password each time, or set PGPASSWORD.")
        password = getpass.getpass(f"Password for {credentials.public_url(args.url)}: ")
        if not credentials.save_password(args.url, password):
            raise CliError("No system keyring is available (pip install keyring); the app "
                           "will ask for the password each time, or set PGPASSWORD.")
        print(f"kept the password for {credentials.public_url(args.url)} in the system keyring")
        return EXIT_OK
    from evidence_desk.library.push import push

    lib = _open_library(args)
    target = credentials.with_password(args.target, _ask_password)

    def progress(done: int, total: int, name: str) -> None:
        print(f"\rfile {done}/{total}", end="", file=sys.stderr, flush=True)

    result = push(lib, target, progress if sys.stderr.isatty() else None)
    print(f"pushed {result.cases} case(s), {result.items} item(s), {result.files} file(s) "
          f"({result.bytes / 1e6:.1f} MB) and {result.audit_entries} audit entries to "
          f"{result.target}; every hash verified")
    return EXIT_OK


def _ask_password(public: str) -> str | None:
    """Ask on the terminal, when there is one (never stored: see library.credentials)."""
    if not sys.stdin.isatty():
        return None
    import getpass

    return getpass.getpass(f"Password for {public} (empty: none): ") or None


def cmd_demo(args: argparse.Namespace) -> int:
    from evidence_desk.demo import fill_demo

    lib = _open_library(args)
    ids = fill_demo(lib)
    print(f"Demo library ready at {lib.folder}: cases {', '.join(map(str, ids))}")
    return EXIT_OK


def cmd_item(args: argparse.Namespace) -> int:
    from evidence_desk.cli_items import cmd_item as run

    return run(args, _open_library, lambda message: CliError(message, EXIT_USAGE))


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "rules": cmd_rules, "case": cmd_case, "add": cmd_add, "check": cmd_check,
    "ocr": cmd_ocr, "search": cmd_search,
    "export": cmd_export, "pack": cmd_pack, "phrases": cmd_phrases,
    "verify": cmd_verify, "bundle": cmd_bundle, "backup": cmd_backup, "demo": cmd_demo,
    "library": cmd_library, "item": cmd_item,
}


def _setup_logging() -> None:
    from evidence_desk.logs import setup_logging

    setup_logging(console=False)


def _log_failure(exc: BaseException) -> None:
    from evidence_desk.logs import log_failure

    log_failure(log, "command failed", exc)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    invalid = _invalid_text_argument(argv)
    if invalid:
        print(invalid, file=sys.stderr)
        return EXIT_USAGE
    try:
        args = build_parser().parse_args(argv)
    except CliError as exc:
        print(str(exc), file=sys.stderr)
        return exc.code
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    _setup_logging()
    if args.command is None:
        from evidence_desk.app import main as app_main

        return app_main(library_dir=args.library)
    from evidence_desk.export.dossier_model import ExportError
    from evidence_desk.library.db import LibraryOpenError
    from evidence_desk.library.service import LibraryError
    from evidence_desk.library.workflow import WorkflowError

    try:
        return COMMANDS[args.command](args)
    except CliError as exc:
        print(f"evidence-desk: {exc}", file=sys.stderr)
        return exc.code
    except (LibraryError, LibraryOpenError, RulesError, WorkflowError, ExportError) as exc:
        print(f"evidence-desk: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        print("evidence-desk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) has gone; that is not an error worth a word.
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK
    except OSError as exc:
        _log_failure(exc)
        print(f"evidence-desk: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
              file=sys.stderr)
        return EXIT_FAIL
    except Exception as exc:
        _log_failure(exc)
        gone = _server_gone(exc, args)
        if gone:
            print(f"evidence-desk: {gone}", file=sys.stderr)
            return EXIT_FAIL
        print(f"evidence-desk: unexpected error ({type(exc).__name__}); details are in the log "
              "file", file=sys.stderr)
        return EXIT_FAIL


def _server_gone(exc: BaseException, args: argparse.Namespace) -> str | None:
    """The plain sentence for a team database that stopped answering mid-command, if it did."""
    from evidence_desk.library.db import is_connection_failure, is_postgres, server_unreachable
    from evidence_desk.paths import DB_URL_ENV

    url = getattr(args, "target", None) or getattr(args, "url", None) \
        or os.environ.get(DB_URL_ENV, "")
    try:
        team = bool(url) and is_postgres(url)
    except Exception:
        team = False
    if not team or not is_connection_failure(exc):
        return None
    return server_unreachable(url)


if __name__ == "__main__":
    sys.exit(main())
