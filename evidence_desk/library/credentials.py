"""Database passwords: never written by the app in plain text.

A team URL is remembered without its password (`public_url`); the password comes from the
system keyring when the optional `keyring` package is installed and holds one, else from libpq's
own sources (PGPASSWORD, ~/.pgpass, which the user manages), else the app asks each time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.engine import URL, make_url

log = logging.getLogger(__name__)

SERVICE = "evidence-desk"


def public_url(url: str) -> str:
    """The URL without its password: what settings and logs may hold."""
    u = make_url(url)
    # URL.set() skips None values, so the password would survive it; build the URL anew.
    bare = URL.create(u.drivername, username=u.username, password=None, host=u.host,
                      port=u.port, database=u.database, query=u.query)
    return bare.render_as_string(hide_password=False)


def _account(u: URL) -> str:
    return f"{u.username or ''}@{u.host or 'localhost'}:{u.port or 5432}/{u.database or ''}"


def _keyring():  # type: ignore[no-untyped-def]
    try:
        import keyring
    except ImportError:
        return None
    return keyring


def keyring_available() -> bool:
    return _keyring() is not None


def save_password(url: str, password: str) -> bool:
    """Keep the password in the system keyring; False when there is none to keep it in."""
    kr = _keyring()
    if kr is None:
        return False
    try:
        kr.set_password(SERVICE, _account(make_url(url)), password)
    except Exception:  # a locked or absent keyring backend: ask next time instead
        log.warning("the system keyring refused the password", exc_info=True)
        return False
    return True


def stored_password(url: str) -> str | None:
    kr = _keyring()
    if kr is None:
        return None
    try:
        return kr.get_password(SERVICE, _account(make_url(url)))
    except Exception:
        log.warning("the system keyring could not be read", exc_info=True)
        return None


def with_password(url: str, ask: Callable[[str], str | None] | None = None) -> str:
    """The URL ready to connect: its own password, the keyring's, or the one `ask` returns.

    Without any of them the URL is returned as it is, and libpq looks for one itself."""
    u = make_url(url)
    if u.get_backend_name() != "postgresql" or u.password:
        return url
    password = stored_password(url)
    if password is None and ask is not None:
        password = ask(public_url(url))
    if not password:
        return url
    return u.set(password=password).render_as_string(hide_password=False)


def with_typed_password(url: str, password: str) -> str:
    """The URL with a password the user just typed (kept in memory only)."""
    return make_url(url).set(password=password).render_as_string(hide_password=False)
