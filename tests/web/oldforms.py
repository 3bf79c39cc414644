"""Helpers of the offline tests: a newer policy version published while a
report waits on a phone, and the version a page was rendered under."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from sqlalchemy import select

from onegrid.store import PolicyVersion, utcnow
from onegrid.web import db


def publish_next(app, ago: dt.timedelta = dt.timedelta(0)) -> int:
    """Publish version N+1 of the served pack (the newest with a new label,
    so a different content hash), as published `ago` before now; its id."""
    with app.app_context():
        session = db.session()
        newest = session.scalars(select(PolicyVersion).order_by(PolicyVersion.id.desc())).first()
        resolved = dict(newest.resolved)
        resolved["pack"] = {**resolved["pack"], "version": f"{newest.label}+{newest.id}"}
        digest = hashlib.sha256(f"{newest.content_hash}/{newest.id}".encode()).hexdigest()
        version = PolicyVersion(
            pack=newest.pack,
            label=resolved["pack"]["version"],
            content_hash=f"sha256:{digest}",
            resolved=resolved,
            grids=newest.grids,
            grids_hash=newest.grids_hash,
            published_at=utcnow() - ago,
            published_by="tests",
        )
        session.add(version)
        session.commit()
        return version.id


def page_version(html: str) -> int:
    return int(re.search(r'name="onegrid-policy-version" content="(\d+)"', html).group(1))


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
