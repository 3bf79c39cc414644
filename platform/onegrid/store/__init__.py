"""The store: SQLAlchemy models, engines and migrations.

- `Base` (declarative base; other stages add tables to it in modules of this
  package, e.g. `store/accounts.py`), `PolicyVersion`, `Case`, `AuditEntry`,
  `AuditSeal` (in `models.py`); `Item` (`items.py`: admission requests
  and the other kinds of workflow item).
- `database_url()`: `ONEGRID_DATABASE_URL` or `instance/onegrid.sqlite`
  (`ONEGRID_INSTANCE_PATH` moves the instance folder).
- `make_engine(url=None)`: SQLite with WAL, synchronous FULL, BEGIN
  IMMEDIATE and a busy timeout; PostgreSQL via `postgresql+psycopg://`.
- `sessions(engine)`: a sessionmaker (expire_on_commit=False).
- `upgrade(url_or_engine)`: Alembic upgrade to heads (`onegrid db upgrade`).
  Migrations live in `store/migrations/versions/`; the first revision is
  "0001". Its env.py imports every module of this package, so tables
  declared on `Base` anywhere in `onegrid.store` are known to Alembic.
- Times are UTC-aware datetimes (`UTCDateTime`, `utcnow()`).
"""

from __future__ import annotations

import importlib
import pkgutil

from onegrid.store import versions as _versions  # noqa: F401 (a case's version from the cache)
from onegrid.store.base import Base, UTCDateTime, utcnow
from onegrid.store.engine import database_url, make_engine, sessions
from onegrid.store.items import Item
from onegrid.store.migrate import upgrade
from onegrid.store.models import AuditEntry, AuditSeal, Case, PolicyVersion
from onegrid.store.outbox import Delivery, Notification, NotificationRecipient, Webhook
from onegrid.store.people import Person

__all__ = [
    "AuditEntry",
    "AuditSeal",
    "Base",
    "Case",
    "Delivery",
    "Item",
    "Notification",
    "NotificationRecipient",
    "Person",
    "PolicyVersion",
    "UTCDateTime",
    "Webhook",
    "database_url",
    "load_models",
    "make_engine",
    "sessions",
    "upgrade",
    "utcnow",
]


def load_models() -> None:
    """Import every module of the store package, so all tables are declared."""
    for info in pkgutil.iter_modules(__path__):
        if info.name != "migrations":
            importlib.import_module(f"{__name__}.{info.name}")
