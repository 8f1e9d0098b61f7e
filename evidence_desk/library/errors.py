"""The library's refusals, in a module of their own so every part of the library can raise them
without importing the service (which imports those parts). `library.service` re-exports them."""

from __future__ import annotations


class LibraryError(ValueError):
    """A request the library refuses; the message is meant for the user."""


class NotFound(LibraryError):
    pass


class StaleEdit(LibraryError):
    """The case changed since the caller read it; reload and try again."""


class ReadOnly(LibraryError):
    """This desk's database role may read but not change the library (a reviewer)."""


__all__ = ["LibraryError", "NotFound", "ReadOnly", "StaleEdit"]
