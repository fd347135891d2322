"""Users of the web application: create, list, disable, change a password, sign in and out.

Passwords are hashed with argon2id (``argon2-cffi``, its default parameters); a hash made with
older parameters is re-hashed at the next successful sign-in. A sign-in session is a random
token of 256 bits in an HttpOnly cookie; only its SHA-256 is stored (like an API key: a
high-entropy secret needs no slow hash), so a stolen database copy opens no session. Each
session carries its own CSRF token, which every form of its pages sends back.

Flushes, never commits (the caller's unit of work does); auditing is the caller's (access
stands on db alone).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from zhkh.modules.access.models import USER_ROLES, User, WebSession
from zhkh.modules.access.permissions import is_allowed, sees_personal_data
from zhkh.modules.access.scope import Scope
from zhkh.modules.db.repository import get_or_not_found
from zhkh.modules.errors import Conflict, Invalid, NotFound

PURGE_AT_SIGN_IN = 20  # more than one sign-in makes dead, so the table shrinks over time
PURGE_CHUNK = 500
SESSION_HOURS = 12
"""A session lasts one working day at most; signing out ends it earlier."""
MIN_PASSWORD = 10
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_hasher = PasswordHasher()
# verified against when the login is unknown, so that a wrong login costs as much as a wrong
# password and the time of an answer does not tell which logins exist
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class SignedIn:
    """The user of a live session, as a page needs them: who, the role, the scope, the CSRF
    token of the session."""

    user_id: int
    login: str
    full_name: str
    role: str
    scope: Scope
    csrf_token: str
    session_id: int

    @property
    def actor(self) -> str:
        """The name written to the audit log (``user:7:ivanova``)."""
        return f"user:{self.user_id}:{self.login}"

    def may(self, module: str, action: str) -> bool:
        """Whether the role's permission table grants ``(module, action)``."""
        return is_allowed(self.role, module, action)

    @property
    def sees_personal_data(self) -> bool:
        """Whether personal data of persons may be shown to this user."""
        return sees_personal_data(self.role)


def hash_token(token: str) -> str:
    """The stored form of a session token: SHA-256 hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (with its salt and parameters)."""
    return _hasher.hash(password)


def _check_login(login: str) -> str:
    login = login.strip().lower()
    if not _LOGIN.match(login):
        raise Invalid("invalid_login", "логин: от 2 до 64 символов — латинские буквы, цифры, "
                      "точка, дефис, подчёркивание; начинается с буквы или цифры", field="login")
    return login


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD or len(password) > 256:
        raise Invalid("weak_password", f"пароль: от {MIN_PASSWORD} до 256 символов",
                      field="password")


def _check_role(role: str) -> None:
    if role not in USER_ROLES:
        raise Invalid("unknown_role", f"неизвестная роль «{role}»; допустимы: "
                      f"{', '.join(USER_ROLES)}", field="role")


def create_user(session: Session, login: str, password: str, role: str, *,
                full_name: str = "", scope: Scope | None = None) -> User:
    """A new enabled user. Login normalised to lower case; a login taken (even by a disabled
    user) → ``Conflict``; a bad login, short password or unknown role → ``Invalid``."""
    login = _check_login(login)
    _check_password(password)
    _check_role(role)
    if len(full_name) > 200:
        raise Invalid("invalid_full_name", "ФИО: не длиннее 200 символов", field="full_name")
    if session.scalar(select(User.id).where(User.login == login)) is not None:
        raise Conflict("login_taken", f"логин «{login}» уже занят", field="login")
    user = User(login=login, full_name=full_name.strip(), password_hash=hash_password(password),
                role=role, scope=(scope or Scope()).stored())
    session.add(user)
    session.flush()
    return user


def list_users(session: Session) -> list[User]:
    """Every user, enabled and disabled, in login order."""
    return list(session.scalars(select(User).order_by(User.login)))


def _user(session: Session, ref: int | str) -> User:
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        return get_or_not_found(session, User, int(ref), code="user_not_found",
                                message=f"пользователь {ref} не найден", obj=f"user:{ref}")
    found = session.scalar(select(User).where(User.login == ref.strip().lower()))
    if found is None:
        raise NotFound("user_not_found", f"пользователь «{ref}» не найден", obj=f"user:{ref}")
    return found


def disable_user(session: Session, ref: int | str) -> User:
    """Disable a user from now on and end their open sessions (disabling again changes
    nothing); unknown → ``NotFound``."""
    user = _user(session, ref)
    now = datetime.now(UTC)
    if user.disabled_at is None:
        user.disabled_at = now
    for web in session.scalars(select(WebSession).where(WebSession.user_id == user.id,
                                                        WebSession.ended_at.is_(None))):
        web.ended_at = now
    session.flush()
    return user


def set_password(session: Session, ref: int | str, password: str) -> User:
    """Replace a user's password and end their open sessions (a password is changed because
    it may be known to someone else)."""
    _check_password(password)
    user = _user(session, ref)
    user.password_hash = hash_password(password)
    now = datetime.now(UTC)
    for web in session.scalars(select(WebSession).where(WebSession.user_id == user.id,
                                                        WebSession.ended_at.is_(None))):
        web.ended_at = now
    session.flush()
    return user


def verify_password(session: Session, login: str, password: str) -> User | None:
    """The enabled user whose login and password these are, else None (an unknown login takes
    as long as a wrong password). Re-hashes a hash of older argon2 parameters."""
    user = session.scalar(select(User).where(User.login == login.strip().lower()))
    stored = user.password_hash if user is not None else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled_at is not None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.flush()
    return user


def purge_sessions(session: Session, *, limit: int | None = None,
                   now: datetime | None = None) -> int:
    """Delete sessions that can never be live again — ended, or expired by ``now`` (the
    current time by default) — at most ``limit`` of them (the oldest first) when given;
    the number deleted. A live session is never touched."""
    moment = now or datetime.now(UTC)
    dead = select(WebSession.id).where(
        WebSession.ended_at.is_not(None) | (WebSession.expires_at <= moment))
    if limit is not None:
        dead = dead.order_by(WebSession.id).limit(limit)
    ids = list(session.scalars(dead))
    purged = 0
    for start in range(0, len(ids), PURGE_CHUNK):  # bounded IN lists on both databases
        chunk = ids[start:start + PURGE_CHUNK]
        result = session.execute(delete(WebSession).where(WebSession.id.in_(chunk)))
        purged += int(getattr(result, "rowcount", 0) or 0)
    session.flush()
    return purged


def open_session(session: Session, user: User, *, hours: int = SESSION_HOURS
                 ) -> tuple[WebSession, str]:
    """A new session of ``user`` and the plain token for the cookie (known only now). Up to
    :data:`PURGE_AT_SIGN_IN` dead sessions (anyone's) are deleted on the way, so the table
    does not grow with every sign-in even if ``zhkh users purge-sessions`` never runs."""
    purge_sessions(session, limit=PURGE_AT_SIGN_IN)
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    web = WebSession(token_hash=hash_token(token), user_id=user.id,
                     csrf_token=secrets.token_urlsafe(32), created_at=now,
                     expires_at=now + timedelta(hours=hours))
    session.add(web)
    session.flush()
    return web, token


def signed_in(session: Session, token: str) -> SignedIn | None:
    """The user of a live session (not ended, not expired, user enabled), else None."""
    if not token or len(token) > 200:
        return None
    row = session.execute(
        select(WebSession, User).join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == hash_token(token))).first()
    if row is None:
        return None
    web, user = row
    if (web.ended_at is not None or web.expires_at <= datetime.now(UTC)
            or user.disabled_at is not None):
        return None
    return SignedIn(user_id=user.id, login=user.login, full_name=user.full_name,
                    role=user.role, scope=Scope.from_stored(user.scope),
                    csrf_token=web.csrf_token, session_id=web.id)


def end_session(session: Session, session_id: int) -> None:
    """End a session now (ending an ended one changes nothing)."""
    web = session.get(WebSession, session_id)
    if web is not None and web.ended_at is None:
        web.ended_at = datetime.now(UTC)
        session.flush()


def same_token(expected: str, presented: str | None) -> bool:
    """Constant-time comparison of a CSRF token."""
    return presented is not None and hmac.compare_digest(expected.encode(), presented.encode())
