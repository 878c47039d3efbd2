"""E-mail over SMTP (``SMTP_URL``: smtp://user:password@host:port, smtps:// for TLS on
connect, ?starttls=1 to upgrade). The Message-ID is derived from the notification's key,
so a receiving system can tell a copy from a new message."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate
from hashlib import sha256
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings

from notify.channels import PermanentFailure, TemporaryFailure, Unconfirmed


class SmtpSender:
    def __init__(self) -> None:
        self.url = urlsplit(settings.SMTP_URL)

    def open(self) -> None:
        if not settings.SMTP_URL:
            raise PermanentFailure("SMTP_URL is not set")

    def send(self, notification) -> str:
        url = self.url
        domain = url.hostname or "localhost"
        message_id = f"<{sha256(notification.key.encode()).hexdigest()[:32]}@{domain}>"
        message = EmailMessage()
        message["From"] = settings.NOTIFY_EMAIL_FROM
        message["To"] = notification.address
        message["Subject"] = notification.subject
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = message_id
        message.set_content(notification.body)
        smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
        try:
            client = smtp_class(url.hostname, url.port or (465 if url.scheme == "smtps" else 25), timeout=20)
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"SMTP server unreachable: {exc}") from exc
        try:
            with client:
                if parse_qs(url.query).get("starttls") == ["1"]:
                    client.starttls()
                if url.username:
                    client.login(unquote(url.username), unquote(url.password or ""))
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                raise TemporaryFailure(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
            raise PermanentFailure(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
        except (TimeoutError, smtplib.SMTPServerDisconnected) as exc:
            raise Unconfirmed(f"no answer from the SMTP server: {exc}") from exc
        return message_id
