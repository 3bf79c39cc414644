"""Staff forms submitted once (issue 14 item 5).

Every form that takes a step carries a fresh token in its action URL
(`?once=…`: a URL, so the token is the same however the browser gets the
form back: from its cache after back, or by reloading the page the form
was on). The step is stored with the token in the step's own transaction
(`store/formtokens.py`); the same form submitted again (a double tap,
back and submit, a reload after the POST, a retry after a lost response)
finds the token and is shown what the first submit did, with a flash
saying so, instead of taking the step again.
"""

from __future__ import annotations

import secrets

from flask import request
from sqlalchemy import select

from onegrid.store.formtokens import FormToken

PARAM = "once"


def new() -> str:
    return secrets.token_urlsafe(16)


def of_request() -> str | None:
    """The token the submitted form carries, if it is one we could have made."""
    token = request.args.get(PARAM) or request.form.get(PARAM) or ""
    return token if 8 <= len(token) <= 64 else None


def earlier(session, username: str, token: str | None) -> FormToken | None:
    """What this user's form with this token did already, if anything."""
    if token is None:
        return None
    return session.scalar(
        select(FormToken).where(FormToken.username == username, FormToken.token == token)
    )


def keep(session, username: str, token: str | None, action: str, cases: list[int]) -> None:
    """Store the token with the step in the caller's transaction (not committed)."""
    if token is not None:
        session.add(FormToken(username=username, token=token, action=action, cases=cases))
