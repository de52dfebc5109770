"""Who may write: the server's token, and the accounts of an optional users file.

The token is accepted as a bearer credential and as the password of HTTP Basic with any user
name, since most SPARQL clients (Jena, rdflib, SPARQLWrapper, OpenRefine) can only send Basic.
A users file holds one account per line, `NAME ACCESS HASH`, where ACCESS is `read` or `write`
and HASH a salted password hash made by `comity users add` (werkzeug's scrypt). A `read`
account is known but may not write.
"""

import base64
import binascii
import enum
import functools
import hmac
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from ontology.errors import ComityError

ACCESS_LEVELS = ("read", "write")


@dataclass(frozen=True)
class Account:
    """One user of the users file; the password is kept only as its salted hash."""

    name: str
    access: str
    password_hash: str


class Verdict(enum.Enum):
    """What a write request's credentials allow."""

    GRANTED = "granted"
    MISSING = "missing"
    """No credentials, or a scheme the server does not take: answered 401 with challenges."""
    REFUSED = "refused"
    """Credentials that are wrong or only allow reading: answered 403."""


def read_accounts(path: Path) -> tuple[Account, ...]:
    """The accounts of a users file; a malformed line stops with its file and line number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ComityError(f"{path}: the users file cannot be read ({error})") from error
    accounts: dict[str, Account] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split()
        where = f"{path}, line {number}"
        if len(fields) != 3:
            raise ComityError(f"{where}: expected 'NAME ACCESS HASH', found {len(fields)} fields")
        name, access, password_hash = fields
        if access not in ACCESS_LEVELS:
            raise ComityError(f"{where}: access must be 'read' or 'write', not {access!r}")
        if "$" not in password_hash:
            raise ComityError(f"{where}: the password is not a salted hash (use comity users add)")
        if name in accounts:
            raise ComityError(f"{where}: user {name!r} is listed twice")
        accounts[name] = Account(name, access, password_hash)
    return tuple(accounts.values())


def write_account(path: Path, name: str, password: str, access: str) -> None:
    """Add an account to a users file, or replace the one with the same name."""
    if not name or any(character.isspace() for character in name) or ":" in name:
        raise ComityError(f"{name!r}: a user name is one word without ':'")
    if access not in ACCESS_LEVELS:
        raise ComityError(f"access must be 'read' or 'write', not {access!r}")
    if not password:
        raise ComityError("the password is empty")
    kept = [a for a in read_accounts(path) if a.name != name] if path.exists() else []
    added = Account(name, access, generate_password_hash(password))
    lines = [f"{a.name} {a.access} {a.password_hash}" for a in [*kept, added]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)


def check_write(
    authorization: str, token: str | None, accounts: tuple[Account, ...]
) -> tuple[Verdict, str]:
    """The verdict on a write's Authorization header, with the reason to give the client."""
    scheme, _, credentials = authorization.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer" and credentials:
        if token is not None and hmac.compare_digest(credentials.encode(), token.encode()):
            return Verdict.GRANTED, ""
        return Verdict.REFUSED, "the bearer token is not this server's token"
    if scheme.lower() == "basic" and credentials:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return Verdict.REFUSED, "the Basic credentials are not base64 of 'user:password'"
        name, separator, password = decoded.partition(":")
        if not separator:
            return Verdict.REFUSED, "the Basic credentials are not base64 of 'user:password'"
        if token is not None and hmac.compare_digest(password.encode(), token.encode()):
            return Verdict.GRANTED, ""
        account = next((a for a in accounts if a.name == name), None)
        if account is None or not check_password_hash(account.password_hash, password):
            return Verdict.REFUSED, "the user name or password is wrong"
        if account.access != "write":
            return Verdict.REFUSED, f"user {name!r} may read but not write"
        return Verdict.GRANTED, ""
    return Verdict.MISSING, (
        "writes need credentials: 'Authorization: Bearer TOKEN', or HTTP Basic with the token "
        "as the password (any user name) or an account of the server's users file"
    )


def sharing_client(
    authorization: str, address: str, token: str | None, accounts: tuple[Account, ...]
) -> str:
    """Whom a request counts against when query workers are shared out: the holder of valid
    credentials (the token, or an account of either access), anyone else by address, so that
    made-up credentials do not make one client look like many."""
    holder = _credential_holder(authorization.strip(), token, accounts) if authorization else None
    return f"user:{holder}" if holder is not None else f"address:{address}"


@functools.lru_cache(maxsize=256)
def _credential_holder(
    authorization: str, token: str | None, accounts: tuple[Account, ...]
) -> str | None:
    """The name valid credentials stand for, or None. Cached: checking a password hash costs
    far more than the query it comes with."""
    scheme, _, credentials = authorization.partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer":
        valid = token is not None and hmac.compare_digest(credentials.encode(), token.encode())
        return "token" if valid else None
    if scheme.lower() != "basic":
        return None
    try:
        name, separator, password = (
            base64.b64decode(credentials, validate=True).decode("utf-8").partition(":")
        )
    except (binascii.Error, UnicodeDecodeError):
        return None
    if not separator:
        return None
    if token is not None and hmac.compare_digest(password.encode(), token.encode()):
        return "token"
    account = next((a for a in accounts if a.name == name), None)
    if account is not None and check_password_hash(account.password_hash, password):
        return name
    return None
