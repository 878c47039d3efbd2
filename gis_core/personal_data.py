"""Personal data (ID numbers, phones, sensitive tags): masked unless the role needs it,
and every unmasked read recorded.

Serializers, admin pages and exports call ``reveal()`` for each personal value they show.
Reads are collected on the request and written in one INSERT when the response is done
(``PersonalDataAccessMiddleware``), whatever page or endpoint produced them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from gis_core.roles import PERSONAL_DATA_ROLES


def may_see_personal_data(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.role in PERSONAL_DATA_ROLES or (user.is_superuser and not user.role)
    )


def lookup_is_personal(model: type[models.Model], lookup: str) -> bool:
    """Whether a filter or ordering ``lookup`` ("birth_date__lt", "-phone") reads one of
    the model's ``personal_fields``: for roles that see them masked it would be an oracle
    (``?born_before=`` bisects a masked birth date, ``?ordering=`` ranks it)."""
    return lookup.lstrip("-").split("__")[0] in getattr(model, "personal_fields", {})


def mask_id_number(value: str) -> str:
    """5301**********1234: region prefix and last four kept."""
    if not value:
        return value
    keep = 4 if len(value) > 8 else 1
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


def mask_phone(value: str) -> str:
    """138****5678."""
    if not value:
        return value
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_birth_date(value: str) -> str:
    """1950-**-**: the year only."""
    return f"{value[:4]}-**-**" if value else value


MASKS = {"id_number": mask_id_number, "phone": mask_phone, "birth_date": mask_birth_date}


@dataclass
class _Reads:
    # (model, pk) -> (label, fields, area_id)
    records: dict[tuple[type, int], tuple[str, set[str], int | None]] = field(default_factory=dict)


def _django_request(request) -> HttpRequest:
    return getattr(request, "_request", request)  # a DRF Request wraps Django's


def reveal(request, obj: models.Model, field_name: str, value: str, *, kind: str,
           area_id: int | None = None) -> str:
    """The value to show for one personal field of ``obj``: unmasked (and recorded) when
    the requesting user's role needs it, masked otherwise. ``kind`` picks the mask."""
    if not value:
        return value
    user = getattr(request, "user", None)
    if not may_see_personal_data(user):
        return MASKS[kind](value)
    record_read(request, obj, field_name, area_id=area_id)
    return value


def record_area_id(obj: models.Model) -> int | None:
    """The area a record belongs to, for the log: its own (buildings, places) or the one
    annotated by the query (a person's current cell)."""
    return getattr(obj, "area_id", None) or getattr(obj, "current_area_id", None)


def record_read(request, obj: models.Model, field_name: str, *, area_id: int | None = None) -> None:
    """Note that the request read ``field_name`` of ``obj`` unmasked."""
    reads = _django_request(request).__dict__.setdefault("_personal_reads", _Reads())
    key = (type(obj), obj.pk)
    label, fields, known_area = reads.records.get(key, (str(obj), set(), area_id))
    fields.add(field_name)
    reads.records[key] = (label, fields, known_area or area_id)


def reads_flush(request: HttpRequest) -> int:
    """Write the request's recorded reads to the access log; return how many."""
    from gis_core.models import PersonalDataAccess

    reads = request.__dict__.pop("_personal_reads", None)
    if not reads or not reads.records:
        return 0
    user = request.user
    content_types = ContentType.objects.get_for_models(*{m for m, _pk in reads.records})
    channel = f"{request.method} {request.get_full_path()}"[:300]
    PersonalDataAccess.objects.bulk_create([
        PersonalDataAccess(
            user=user, username=user.get_username(), content_type=content_types[model],
            object_id=pk, record=label[:200], fields=sorted(fields), area_id=area_id,
            channel=channel,
        )
        for (model, pk), (label, fields, area_id) in reads.records.items()
    ])
    return len(reads.records)


class PersonalDataAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        reads_flush(request)
        return response
