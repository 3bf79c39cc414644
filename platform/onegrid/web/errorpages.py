"""Error pages in the reader's language (JSON under /api/, as Open311 answers under /open311/)."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

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
}


def page(exc: HTTPException):
    status = exc.code or 500
    if request.path.startswith("/api/"):
        response = jsonify({"error": "error", "message": exc.description or ""})
        response.status_code = status
        return response
    if request.path.startswith("/open311/"):
        response = jsonify([{"code": status, "description": exc.description or ""}])
        response.status_code = status
        return response
    zh, en = TITLES.get(status, ("出错了", "Something went wrong"))
    return render_template("error.html", status=status, title=t(zh, en)), status


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, page)
