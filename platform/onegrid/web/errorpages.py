"""Error pages in the reader's language (JSON under /api/, as Open311 answers under /open311/).

Every error keeps the headers its status needs: `Allow` on a 405 (from
werkzeug's exception), `WWW-Authenticate` on a 401; an Open311 path that
asks for `.xml` gets its errors in XML.
"""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException

from onegrid.web.bounds import BadInput
from onegrid.web.i18n import t

TITLES = {
    400: ("请求有误", "Bad request"),
    401: ("请先登录", "Please log in"),
    403: ("无权执行此操作", "Not allowed"),
    404: ("找不到该页面", "Not found"),
    405: ("不支持该操作", "Method not allowed"),
    409: ("已被他人更新", "Changed by someone else"),
    413: ("上传的文件太大", "Upload too large"),
    422: ("提交的内容有误", "Invalid submission"),
    429: ("请求过于频繁", "Too many requests"),
}
CHALLENGE = 'Bearer realm="onegrid"'


def with_headers(response, exc: HTTPException):
    """The exception's own headers (Allow on a 405, Retry-After) on our response."""
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def challenge(response):
    """RFC 9110: a 401 says how to authenticate."""
    if response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", CHALLENGE)
    return response


def page(exc: HTTPException):
    status = exc.code or 500
    if request.path.startswith("/api/"):
        response = jsonify({"error": "error", "message": exc.description or ""})
        response.status_code = status
        return with_headers(response, exc)
    if request.path.startswith("/open311/"):
        from onegrid.web.open311 import respond  # open311 imports this module's neighbours

        fmt = "xml" if request.path.endswith(".xml") else "json"
        errors = [{"code": status, "description": exc.description or ""}]
        return with_headers(respond(fmt, errors, "errors", "error", status), exc)
    zh, en = TITLES.get(status, ("出错了", "Something went wrong"))
    response = make_response(render_template("error.html", status=status, title=t(zh, en)))
    response.status_code = status
    return with_headers(response, exc)


def bad_input(exc: BadInput):
    return page(BadRequest(str(exc)))


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, page)
    app.register_error_handler(BadInput, bad_input)
    app.after_request(challenge)
