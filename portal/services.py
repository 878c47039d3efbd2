"""Writes of the portal: SMS codes (send, verify, use), residents' sign-ins, and a
resident's report of a problem — which enters the cases' normal workflow through
incidents.services.case_report.

A code is checked before anything is filed: a wrong one counts (committed at once, so
PORTAL_CODE_ATTEMPTS holds even when the request fails), a right one is used in the
transaction that files the case or opens the session, so a report refused for another
field leaves the code valid for the corrected one.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import Case, CaseSource, Category
from incidents.services import case_report
from notify.models import Channel
from notify.services import notification_enqueue
from portal.models import CodePurpose, PhoneCode, ResidentSession


def _code_hash(phone: str, purpose: str, code: str) -> str:
    message = f"{phone}:{purpose}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def phone_code_send(*, phone: str, purpose: str, now: dt.datetime | None = None) -> PhoneCode:
    """A new 6-digit code for ``phone`` (an 11-digit mobile number) texted through notify
    (its own idempotency key: never sent twice). Earlier unused codes of the purpose stop
    counting. Urgent: a code that waits out the quiet hours is useless."""
    now = now or timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        PhoneCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True).update(expires_at=now)
        record = PhoneCode.objects.create(phone=phone, purpose=purpose, code_hash=_code_hash(phone, purpose, code),
                                          expires_at=now + dt.timedelta(minutes=settings.PORTAL_CODE_MINUTES))
        notification_enqueue(key=f"portal-code:{record.pk}", template="resident_code", channel=Channel.SMS,
                             address=phone, urgent=True, subject_type="portal.phonecode", subject_id=record.pk,
                             values={"code": code, "minutes": settings.PORTAL_CODE_MINUTES,
                                     "purpose": str(CodePurpose(purpose).label)})
    return record


def phone_code_verify(*, phone: str, purpose: str, code: str, now: dt.datetime | None = None) -> int:
    """The id of the phone's current code when ``code`` is it; ValidationError on ``code``
    otherwise (none asked for, expired, used, too many wrong tries, or wrong — a wrong try
    is counted and committed before the error is raised)."""
    now = now or timezone.now()
    with transaction.atomic():
        record = (PhoneCode.objects.select_for_update()
                  .filter(phone=phone, purpose=purpose, used_at__isnull=True).order_by("-created_at", "-id").first())
        if record is None or record.expires_at <= now:
            message = _("The code has expired or was not asked for; ask for a new one.")
        elif record.attempts >= settings.PORTAL_CODE_ATTEMPTS:
            message = _("Too many wrong codes; ask for a new one.")
        elif hmac.compare_digest(record.code_hash, _code_hash(phone, purpose, (code or "").strip())):
            return record.pk
        else:
            record.attempts += 1
            record.save(update_fields=["attempts"])
            message = _("The code is wrong.")
    raise ValidationError({"code": [message]})


def _code_use(code_id: int, now: dt.datetime) -> None:
    """Use the verified code in the caller's transaction (a code used meanwhile: refused)."""
    if not PhoneCode.objects.filter(pk=code_id, used_at__isnull=True).update(used_at=now):
        raise ValidationError({"code": [_("The code has expired or was not asked for; ask for a new one.")]})


def resident_case_report(*, phone: str, code: str, category: Category, description: str, location: Point,
                         address: str = "", photos: list[UploadedFile] = ()) -> Case:
    """A resident's report (反映问题) filed as a case from the portal once their SMS code is
    right: the normal intake (grid cell, category, clock, tracking number and key), no staff
    reporter, their phone to track and to be told when it is closed."""
    code_id = phone_code_verify(phone=phone, purpose=CodePurpose.REPORT, code=code)
    with transaction.atomic():
        _code_use(code_id, timezone.now())
        return case_report(actor=None, source=CaseSource.PORTAL, category=category, description=description,
                           location=location, address=address, reporter_phone=phone, photos=photos)


def session_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def resident_session_start(*, phone: str, code: str, now: dt.datetime | None = None) -> str:
    """Sign a resident in with their SMS code: the token for their cookie."""
    now = now or timezone.now()
    code_id = phone_code_verify(phone=phone, purpose=CodePurpose.SIGN_IN, code=code, now=now)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        _code_use(code_id, now)
        ResidentSession.objects.create(token_hash=session_token_hash(token), phone=phone,
                                       expires_at=now + dt.timedelta(minutes=settings.PORTAL_SESSION_MINUTES))
    return token


def resident_session_end(*, token: str) -> None:
    ResidentSession.objects.filter(token_hash=session_token_hash(token), ended_at__isnull=True).update(
        ended_at=timezone.now())
