"""Chinese first, English on request: the language of the current request."""

from __future__ import annotations

from flask import Flask, request, session

from onegrid.messages import localized

LANGS = ("zh", "en")


def current_lang() -> str:
    """?lang= wins (and is remembered), then the session, then Chinese."""
    asked = request.args.get("lang")
    if asked in LANGS:
        session["lang"] = asked
        return asked
    lang = session.get("lang")
    return lang if lang in LANGS else "zh"


def text_of(value, lang: str | None = None) -> str:
    """A policy text (zh string or {zh, en}) in the current language."""
    return localized(value, lang or current_lang())


def t(zh: str, en: str) -> str:
    """A UI string: the Chinese text by default, the English on request."""
    return en if current_lang() == "en" else zh


def init_app(app: Flask) -> None:
    @app.context_processor
    def language():
        return {"t": t, "text_of": text_of, "lang": current_lang()}
