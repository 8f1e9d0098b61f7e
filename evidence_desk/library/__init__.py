"""Persistence and the service API (Library) that the command line and the GUI both call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evidence_desk.library.service import Library


def __getattr__(name: str) -> Any:
    # Imported lazily so that light modules (the blob store) load without the whole service.
    if name == "Library":
        from evidence_desk.library.service import Library

        return Library
    raise AttributeError(name)


__all__ = ["Library"]
