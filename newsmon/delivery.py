"""Sending a digest out: a webhook POST of the JSON, and e-mail (Markdown text with the HTML alternative)."""

from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage

import httpx

from newsmon.config import SmtpSettings
from newsmon.errors import NewsmonError

WEBHOOK_TIMEOUT_S = 30


class DeliveryError(NewsmonError):
    """A digest could not be delivered to its webhook or mail server."""


def post_webhook(url: str, json_text: str, user_agent: str) -> None:
    try:
        response = httpx.post(
            url,
            content=json_text.encode("utf-8"),
            timeout=WEBHOOK_TIMEOUT_S,
            headers={"content-type": "application/json; charset=utf-8", "user-agent": user_agent},
        )
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{url}: webhook failed: {exc!r}") from exc
    if response.status_code >= 400:
        raise DeliveryError(f"{url}: webhook answered HTTP {response.status_code}")


def send_email(smtp: SmtpSettings, subject: str, text: str, html: str) -> None:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = smtp.from_
    message["To"] = ", ".join(smtp.to)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    password = os.environ.get(smtp.password_env) if smtp.password_env else None
    if smtp.password_env and password is None:
        raise DeliveryError(f"digest.smtp.password_env: environment variable {smtp.password_env} is not set")
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=WEBHOOK_TIMEOUT_S) as server:
            if smtp.starttls:
                server.starttls()
            if smtp.username:
                server.login(smtp.username, password or "")
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"{smtp.host}:{smtp.port}: sending the digest failed: {exc!r}") from exc
