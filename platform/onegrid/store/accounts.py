"""Staff accounts: users with hashed passwords, role bindings to org units, API tokens.

A binding ties one role (from the pack's `org.roles`) to one org unit or
department id: "grid_worker at grid.heping.01", "dept_handler at dept.urban".
Logging out bumps `session_generation`, which every request checks, so a
copied session cookie dies with the logout (the cookie alone is not trusted).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Boolean, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from onegrid.store.base import Base, UTCDateTime, utcnow

# staff API tokens live this long (POST /api/v1/tokens issues a new one)
TOKEN_LIFETIME = dt.timedelta(days=30)
# a recognisable prefix, so that logs and leak scanners can find staff tokens
TOKEN_PREFIX = "ogt_"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_generation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    bindings: Mapped[list[RoleBinding]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def set_password(self, password: str, method: str = "scrypt") -> None:
        self.password_hash = generate_password_hash(password, method=method)


class RoleBinding(Base):
    __tablename__ = "role_bindings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(128))
    unit: Mapped[str] = mapped_column(String(128))
    user: Mapped[User] = relationship(back_populates="bindings")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    # only a digest is stored: a leaked database does not leak usable tokens
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # a token dies after TOKEN_LIFETIME, at logout, or when revoked (revision 0400)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    user: Mapped[User] = relationship(lazy="joined")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session,
    username: str,
    password: str,
    name: str = "",
    bindings: list[tuple[str, str]] = (),
    is_admin: bool = False,
    method: str = "scrypt",
) -> User:
    """`method` is werkzeug's hash method; tests pass a cheap one to stay fast."""
    user = User(username=username, name=name or username, is_admin=is_admin)
    user.set_password(password, method)
    user.bindings = [RoleBinding(role=role, unit=unit) for role, unit in bindings]
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        # hash anyway so a wrong username takes as long as a wrong password
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.active or not user.check_password(password):
        return None
    return user


def issue_token(
    session: Session,
    user: User,
    name: str = "",
    token: str | None = None,
    lifetime: dt.timedelta = TOKEN_LIFETIME,
) -> str:
    """A new API token for the user (random unless given); only its digest is kept."""
    token = token or TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            name=name,
            token_hash=token_digest(token),
            expires_at=utcnow() + lifetime,
        )
    )
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    if not token:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None or not row.user.active:
        return None
    if row.expires_at is not None and row.expires_at <= utcnow():
        return None
    return row.user


def revoke_tokens(session: Session, user: User) -> int:
    """Logout: every API token of the user stops working; how many there were."""
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def revoke_token(session: Session, token: str) -> bool:
    """Delete the token; False if there was none such."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def end_sessions(user: User) -> None:
    """Invalidate every session cookie issued to the user so far."""
    user.session_generation = (user.session_generation or 0) + 1


_DUMMY_HASH = generate_password_hash(secrets.token_hex(8))
