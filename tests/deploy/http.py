"""A tiny HTTP client for the deploy tests: a chosen loopback *source* address per client
(loopback is 127.0.0.0/8, so 127.0.0.2 and 127.0.0.3 are two different visitors to nginx),
cookies, CSRF tokens and multipart bodies."""

from __future__ import annotations

import http.client
import re
import secrets
import ssl
import urllib.parse
from dataclasses import dataclass, field

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


@dataclass
class Client:
    """One visitor: its source address and its cookies."""

    base: str
    source: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, *, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Response:
        parsed = urllib.parse.urlsplit(self.base)
        if parsed.scheme == "https":
            context = ssl._create_unverified_context()  # noqa: S323 - the test's self-signed cert
            conn = http.client.HTTPSConnection(parsed.hostname, parsed.port, timeout=30,
                                               source_address=(self.source, 0), context=context)
        else:
            conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30,
                                              source_address=(self.source, 0))
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            conn.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response

    def get(self, path: str, **headers: str) -> Response:
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, fields: dict[str, str], headers: dict[str, str] | None = None
                  ) -> Response:
        body = urllib.parse.urlencode(fields).encode()
        sent = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self.request("POST", path, body=body, headers=sent)

    def post_multipart(self, path: str, fields: dict[str, str],
                       files: list[tuple[str, str, str, bytes]], headers: dict[str, str] | None = None
                       ) -> Response:
        """files: (field, filename, content type, data)."""
        boundary = "----zaigang" + secrets.token_hex(8)
        parts: list[bytes] = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        for name, filename, ctype, data in files:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        sent = {"Content-Type": f"multipart/form-data; boundary={boundary}", **(headers or {})}
        return self.request("POST", path, body=b"".join(parts), headers=sent)


def csrf_token(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "the page carries no csrf_token field"
    return match.group(1) or match.group(2)
