"""A real SMTP server on a free loopback port (aiosmtpd) that keeps every message it accepts."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class _Handler:
    messages: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    delay: float = 0.0
    refuse: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        if self.refuse:
            return "451 4.3.0 try again later"
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.raw.append(envelope.original_content or envelope.content)
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


class SmtpSink:
    """`with SmtpSink() as sink:` a server at sink.url; sink.messages are the accepted mails."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.handler = _Handler(delay=delay)
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        return list(self.handler.messages)

    def texts(self) -> list[str]:
        """Every accepted message as the server received it, decoded (headers and body)."""
        out = []
        for raw, parsed in zip(self.handler.raw, self.handler.messages, strict=True):
            body = parsed.get_body(("plain",))
            out.append(raw.decode("utf-8", "replace") + "\n" + str(parsed["Subject"]) + "\n"
                       + (body.get_content() if body is not None else ""))
        return out

    def refuse(self, value: bool = True) -> None:
        self.handler.refuse = value

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
