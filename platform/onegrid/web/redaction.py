"""Secrets never reach the logs: redacted at the logging layer.

The access log writes each request line, and a GeoReport client sends its
`api_key` in the query string; an exception's message may quote a header.
A filter on the loggers the servers and the app write to replaces every
credential (api_key, token, password parameters; bearer tokens; keys with
our prefixes) before any handler formats the record.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

from onegrid.store.accounts import TOKEN_PREFIX
from onegrid.store.clients import KEY_PREFIX

REDACTED = "[redacted]"
PATTERNS = (
    # api_key=…, token=…, password=… in a query string or a form body
    re.compile(r"((?:api_key|access_token|token|password)(?:=|%3D))[^&\s\"']+", re.IGNORECASE),
    re.compile(r"(Bearer\s+)[^\s\"']+", re.IGNORECASE),
    re.compile(rf"()\b(?:{re.escape(TOKEN_PREFIX)}|{re.escape(KEY_PREFIX)})[A-Za-z0-9_-]+"),
)
LOGGERS = ("werkzeug", "waitress", "flask.app", "onegrid")


def redact(text: str) -> str:
    for pattern in PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


FILTER = Redact()


def init_app(app: Flask) -> None:
    for name in (*LOGGERS, app.logger.name):
        logger = logging.getLogger(name)
        if FILTER not in logger.filters:
            logger.addFilter(FILTER)
