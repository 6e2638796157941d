"""Error pages in the user's language; JSON under /api."""

from __future__ import annotations

import time

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.extensions import limiter


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("请求有误"), _("您提交的内容无法处理，请返回上一页检查后重试。")),
        403: (_("无权访问"), _("您没有权限查看此页面。")),
        404: (_("页面不存在"), _("找不到您要的页面。请检查地址，或从首页重新查找。")),
        405: (_("请求方式不支持"), _("此页面不支持这种请求方式。")),
        413: (
            _("上传内容过大"),
            _("每张照片不能超过 8 MB，一次提交合计不能超过 25 MB。请缩小照片后重试。"),
        ),
        429: (_("请求过于频繁"), _("为防止滥用，请稍后再试。")),
        500: (_("服务器出错"), _("抱歉，服务器出了点问题。您的操作没有完成，请稍后重试。")),
    }


def _retry_after(error: HTTPException) -> str | None:
    response = getattr(error, "response", None)
    if response is not None and response.headers.get("Retry-After"):
        return response.headers["Retry-After"]
    current = limiter.current_limit
    if current is not None:
        return str(max(1, int(current.reset_at - time.time())))
    return None


def handle_http_error(error: HTTPException):
    code = error.code or 500
    title, text = _messages().get(code, (error.name, error.description or ""))
    if isinstance(error, CSRFError):
        text = _("表单已过期或缺少安全校验，请刷新页面后重新提交。")
    retry = _retry_after(error) if code == 429 else None
    if request.path.startswith("/api/"):
        response = jsonify(error={"code": code, "title": title, "message": text})
    else:
        response = render_template(
            "errors/error.html", code=code, title=title, text=text, retry_after=retry
        )
    response = (response, code)
    headers = {"Retry-After": retry} if retry else {}
    return (*response, headers)


def register(app: Flask) -> None:
    # Unhandled exceptions reach this handler as InternalServerError (logged by Flask first).
    app.register_error_handler(HTTPException, handle_http_error)
