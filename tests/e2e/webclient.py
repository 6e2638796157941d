"""A small HTTP client for harnesses that talk to a live server (stdlib only).

It keeps cookies like a browser, reads the CSRF token of a form, and can send forged
X-Forwarded-For and User-Agent headers.
"""

from __future__ import annotations

import html
import http.cookiejar
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
RECEIPT = re.compile(r'id="receipt">\s*([0-9 ]{29})\s*<')


@dataclass
class Answer:
    status: int
    body: str
    headers: dict

    def csrf(self) -> str:
        match = CSRF.search(self.body)
        assert match, f"no CSRF token in the page ({self.status})"
        return html.unescape(match.group(1) or match.group(2))

    def receipt(self) -> str | None:
        match = RECEIPT.search(self.body)
        return match.group(1) if match else None


def multipart(fields: dict, files: list[tuple[str, str, bytes, str]]) -> tuple[bytes, str]:
    boundary = "----zg" + secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, filename, data, content_type in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
                     + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class WebClient:
    """One visitor: a cookie jar and fixed identifying headers."""

    def __init__(self, base_url: str, headers: dict | None = None, timeout: float = 30) -> None:
        self.base_url = base_url
        self.headers = headers or {}
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        )

    def _open(self, request: urllib.request.Request) -> Answer:
        for key, value in self.headers.items():
            request.add_header(key, value)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:  # noqa: S310
                return Answer(response.status, response.read().decode("utf-8", "replace"),
                              dict(response.headers))
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, error.read().decode("utf-8", "replace"),
                              dict(error.headers))

    def get(self, path: str) -> Answer:
        return self._open(urllib.request.Request(self.base_url + path))

    def post(self, path: str, fields: dict, files: list | None = None) -> Answer:
        if files:
            data, content_type = multipart(fields, files)
        else:
            data = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base_url + path, data=data, method="POST",
                                         headers={"Content-Type": content_type})
        return self._open(request)
