"""A generic HTTP webhook for a district's own messaging platform: a JSON POST signed
with HMAC-SHA256 of the body under ``NOTIFY_WEBHOOK_SECRET``
(``X-Signature: sha256=<hex>``), with ``Idempotency-Key`` = the notification's key."""
from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request

from django.conf import settings

from notify.channels import PermanentFailure, TemporaryFailure, Unconfirmed


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSender:
    def open(self) -> None:
        pass

    def send(self, notification) -> str:
        url = notification.address or settings.NOTIFY_WEBHOOK_URL
        if not url.startswith(("http://", "https://")):
            raise PermanentFailure("no webhook URL")
        body = json.dumps({
            "key": notification.key, "template": notification.template, "language": notification.language,
            "urgent": notification.urgent, "subject": notification.subject, "text": notification.body,
            "values": notification.values,
            "recipient": {"user": notification.user_id, "person": notification.person_id},
        }, ensure_ascii=False).encode()
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Idempotency-Key": notification.key,
            "X-Signature": signature(body, settings.NOTIFY_WEBHOOK_SECRET)})
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                answer = response.read(2000)
        except urllib.error.HTTPError as exc:
            if exc.code in (408, 429) or exc.code >= 500:
                raise TemporaryFailure(f"HTTP {exc.code}") from exc
            raise PermanentFailure(f"HTTP {exc.code}") from exc
        except TimeoutError as exc:
            raise Unconfirmed("no answer from the webhook") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise TemporaryFailure(f"webhook unreachable: {exc}") from exc
        try:
            return str(json.loads(answer).get("id", ""))[:100]
        except (ValueError, AttributeError):
            return ""
