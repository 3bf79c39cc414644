"""Photo uploads on page forms: a too-large photo is refused on its field,
with the answers kept, never a bare 413 page (issue 14 point 4).

A page form that carries photos (the report, a case step) may send a body
up to `PAGE_BODY`; each uploaded file is stored only up to one byte past
the largest photo any form of the pack allows, the rest read and dropped,
so a 20 MB photo costs no more disk than an allowed one, and the form's
own check (`formview.save_photos`) refuses it by name with the limit.
Above `PAGE_BODY` nothing is read: the form page comes back with a flash
naming the limit.
"""

from __future__ import annotations

import tempfile

from flask import Flask, Request, current_app, flash, redirect, request, session, url_for

from onegrid import messages
from onegrid.forms import forms_of
from onegrid.forms.fieldtypes import DEFAULT_PHOTO_SIZE, size_bytes

MB = 1024 * 1024
PAGE_BODY = 100 * MB  # ONEGRID_PAGE_BODY overrides it
ENDPOINTS = ("cases.new", "cases.act")
SPOOL = 512 * 1024  # in memory up to this, then a temporary file

messages.register(
    {
        "upload-too-large": {
            "zh": "这次提交共 {size}，超过单次提交 {limit} 的上限，服务器未能接收；请少选几张照片或换成较小的照片（每张不超过 {photo}）后重新提交",
            "en": "This submission was {size}, over the {limit} a single submission may carry, so the server could not take it; choose fewer or smaller photos (at most {photo} each) and submit again",
        },
    }
)


def page_body() -> int:
    """The most a page form with photos may send (`bounds.body_limit` applies it)."""
    return int(current_app.config.get("ONEGRID_PAGE_BODY") or PAGE_BODY)


def largest_photo(app: Flask) -> int:
    """The most bytes any photo field of the served pack accepts (once per app)."""
    if "onegrid.largest_photo" not in app.extensions:
        from onegrid.web import policyview

        most = size_bytes(DEFAULT_PHOTO_SIZE)
        loaded = policyview.load(app)
        if loaded.policy is not None:
            for form in forms_of(loaded.policy).values():
                for f in form.spec.fields:
                    if f.type == "photo":
                        most = max(most, size_bytes(f.get("max_size", DEFAULT_PHOTO_SIZE)))
        app.extensions["onegrid.largest_photo"] = most
    return app.extensions["onegrid.largest_photo"]


class CappedFile:
    """A spooled temporary file that keeps at most `cap` bytes and drops the rest."""

    def __init__(self, cap: int):
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115 (closed by its FileStorage)
        self._room = cap

    def write(self, data) -> int:
        keep = min(len(data), max(self._room, 0))
        if keep:
            self._file.write(data[:keep])
            self._room -= keep
        return len(data)

    def __getattr__(self, name):
        return getattr(self._file, name)


class PageRequest(Request):
    """Flask's request, with uploads to page forms capped as they stream in."""

    def _get_file_stream(
        self, total_content_length, content_type, filename=None, content_length=None
    ):
        if self.endpoint in ENDPOINTS:
            return CappedFile(largest_photo(current_app) + 1)
        return super()._get_file_stream(
            total_content_length, content_type, filename, content_length
        )


def _size(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{max(1, n // 1024)} KB"


def too_large(exc):
    """Above PAGE_BODY: back to the form (the report's own key, so nothing is
    filed twice), with a flash naming the limit; for someone not logged in
    (whose body is capped small before anything reads it), a plain 413."""
    if request.endpoint not in ENDPOINTS or session.get("uid") is None:
        from onegrid.web import errorpages

        return errorpages.page(exc)
    from onegrid.web.i18n import current_lang

    photo = largest_photo(current_app)
    flash(
        messages.text(
            "upload-too-large",
            {
                "size": _size(request.content_length or page_body() + 1),
                "limit": _size(page_body()),
                "photo": _size(photo),
            },
            current_lang(),
        )
    )
    args = request.view_args or {}
    if request.endpoint == "cases.act":
        return redirect(url_for("cases.show", case_id=args.get("case_id")), code=303)
    return redirect(url_for("cases.new", **request.args.to_dict()), code=303)


def init_app(app: Flask) -> None:
    app.request_class = PageRequest
