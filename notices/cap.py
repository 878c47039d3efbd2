"""CAP 1.2 (OASIS Common Alerting Protocol) for warnings: every published warning as an
alert, the Atom feed of the active ones, and the import of upstream alerts as drafts.

An alert has one ``<info>`` (zh-CN) and one ``<area>`` per target area — its name, its
boundary as ``<polygon>`` rings and its GB/T 2260 code as ``<geocode>`` — plus one for the
drawn shape (``<polygon>`` rings, ``<circle>`` "lat,lon radius_km"). Polygons are
"lat,lon" pairs, closed rings, as CAP wants (latitude first). Output and input are checked
against the official schema (notices/schema/CAP-v1.2.xsd) with lxml.

Import: an ``<area>`` whose geocode names one of our areas targets that area; any other
area's polygons and circles become the drawn target (the residents inside them).
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from notices.models import CapCategory, CapCertainty, CapSeverity, CapUrgency, Notice, NoticeKind

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
SCHEMA = Path(__file__).with_name("schema") / "CAP-v1.2.xsd"
GEOCODE_NAME = "GB/T 2260"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
SIMPLIFY_DEG = 0.00005  # ≈ 5 m: boundaries of thousands of vertices shrink to what CAP readers handle


@lru_cache(maxsize=1)
def cap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def cap_time(value: dt.datetime) -> str:
    """CAP's dateTime: local (+08:00), seconds, no fraction."""
    return value.astimezone(SHANGHAI).replace(microsecond=0).isoformat()


def cap_identifier(notice: Notice) -> str:
    return f"{settings.NOTICES_CAP_SENDER}.notice.{notice.pk}"


def _ring_text(ring) -> str:
    return " ".join(f"{lat:.6f},{lon:.6f}" for lon, lat in ring)


def _rings(geom) -> list[str]:
    """Exterior rings of a (multi)polygon as CAP polygons (closed, lat,lon)."""
    if geom is None:
        return []
    geom = geom.simplify(SIMPLIFY_DEG, preserve_topology=True) if geom.num_coords > 200 else geom
    polygons = geom if isinstance(geom, MultiPolygon) else [geom]
    return [_ring_text(polygon.exterior_ring.coords) for polygon in polygons if isinstance(polygon, Polygon)]


def cap_alert_xml(notice: Notice, *, msg_type: str = "Alert") -> bytes:
    """The notice as a CAP 1.2 alert (UTF-8 bytes)."""
    alert = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})

    def add(parent, name: str, text: str | None = None):
        element = etree.SubElement(parent, f"{{{CAP_NS}}}{name}")
        if text is not None:
            element.text = text
        return element

    add(alert, "identifier", cap_identifier(notice))
    add(alert, "sender", settings.NOTICES_CAP_SENDER)
    add(alert, "sent", cap_time(notice.published_at or notice.created_at or timezone.now()))
    add(alert, "status", "Actual")
    add(alert, "msgType", "Cancel" if notice.status == "withdrawn" else msg_type)
    add(alert, "scope", "Public")
    info = add(alert, "info")
    add(info, "language", "zh-CN")
    add(info, "category", notice.cap_category or CapCategory.SAFETY)
    add(info, "event", notice.event or notice.title)
    add(info, "urgency", notice.urgency or CapUrgency.UNKNOWN)
    add(info, "severity", notice.severity or CapSeverity.UNKNOWN)
    add(info, "certainty", notice.certainty or CapCertainty.UNKNOWN)
    add(info, "effective", cap_time(notice.valid_from))
    add(info, "expires", cap_time(notice.valid_until))
    add(info, "senderName", notice.area.name)
    add(info, "headline", notice.title)
    add(info, "description", notice.body)
    if notice.instruction:
        add(info, "instruction", notice.instruction)
    for area in notice.target_areas.all().order_by("code"):
        block = add(info, "area")
        add(block, "areaDesc", area.name)
        for ring in _rings(area.boundary):
            add(block, "polygon", ring)
        geocode = add(block, "geocode")
        add(geocode, "valueName", GEOCODE_NAME)
        add(geocode, "value", area.code)
    if notice.polygon is not None or notice.circle_center is not None:
        block = add(info, "area")
        add(block, "areaDesc", _("Drawn area: %(title)s") % {"title": notice.title})
        for ring in _rings(notice.polygon):
            add(block, "polygon", ring)
        if notice.circle_center is not None:
            add(block, "circle", f"{notice.circle_center.y:.6f},{notice.circle_center.x:.6f} "
                                 f"{notice.circle_radius_m / 1000:.3f}")
    return etree.tostring(alert, xml_declaration=True, encoding="UTF-8")


def cap_validate(document: bytes, *, field: str = "file") -> etree._Element:
    """Parse and check against the CAP 1.2 schema; ValidationError naming ``field``."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(document, parser)
    except etree.XMLSyntaxError as exc:
        raise ValidationError({field: [_("Not well-formed XML: %(error)s") % {"error": exc}]}) from exc
    schema = cap_schema()
    if not schema.validate(root):
        error = schema.error_log.last_error
        raise ValidationError({field: [_("Not a CAP 1.2 alert: %(error)s (line %(line)s)")
                                       % {"error": error.message, "line": error.line}]})
    return root


# --------------------------------------------------------------------------- Atom

def cap_atom_feed(notices, *, base_url: str) -> bytes:
    """The Atom feed (RFC 4287) of the given warnings, each entry linking its CAP alert."""
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})

    def add(parent, name: str, text: str | None = None, **attributes):
        element = etree.SubElement(parent, f"{{{ATOM_NS}}}{name}", **attributes)
        if text is not None:
            element.text = text
        return element

    notices = list(notices)
    updated = max((n.published_at for n in notices if n.published_at), default=timezone.now())
    add(feed, "id", f"{base_url}/notices/cap/atom.xml")
    add(feed, "title", _("Active warnings"))
    add(feed, "updated", cap_time(updated))
    add(add(feed, "author"), "name", settings.NOTICES_CAP_SENDER)
    add(feed, "link", rel="self", href=f"{base_url}/notices/cap/atom.xml")
    for notice in notices:
        entry = add(feed, "entry")
        add(entry, "id", f"urn:cap:{cap_identifier(notice)}")
        add(entry, "title", notice.title)
        add(entry, "updated", cap_time(notice.published_at or notice.created_at))
        add(entry, "summary", f"{notice.get_severity_display()} · {notice.event}")
        add(entry, "link", rel="alternate", type="application/cap+xml", href=f"{base_url}/notices/cap/{notice.pk}.xml")
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8")


# --------------------------------------------------------------------------- import

def _text(element, name: str) -> str:
    found = element.find(f"{{{CAP_NS}}}{name}")
    return (found.text or "").strip() if found is not None else ""


def _parse_time(text: str, default: dt.datetime) -> dt.datetime:
    return dt.datetime.fromisoformat(text) if text else default


def _polygon(text: str) -> Polygon:
    """A CAP polygon ("lat,lon lat,lon …", closed) as a GEOS polygon; ValidationError."""
    try:
        points = [(float(lon), float(lat)) for lat, lon in (pair.split(",") for pair in text.split())]
        polygon = Polygon(points, srid=4326)
    except (ValueError, TypeError, Exception) as exc:  # noqa: BLE001 - GEOS raises plain errors
        raise ValidationError({"file": [_("A polygon of the alert cannot be read: %(error)s") % {"error": exc}]})
    return polygon


def _circle(text: str) -> tuple[Point, int]:
    try:
        centre, radius = text.split()
        lat, lon = (float(v) for v in centre.split(","))
        return Point(lon, lat, srid=4326), max(int(round(float(radius) * 1000)), 1)
    except ValueError as exc:
        raise ValidationError({"file": [_("A circle of the alert cannot be read: %(error)s") % {"error": exc}]})


def _circle_polygon(centre: Point, radius_m: int) -> GEOSGeometry:
    """A circle as a polygon: buffered in Web Mercator, whose metres stretch by 1/cos(lat)."""
    import math

    projected = centre.transform(3857, clone=True)
    shape = projected.buffer(radius_m / math.cos(math.radians(centre.y)), quadsegs=16)
    shape.transform(4326)
    return shape


def cap_alert_read(document: bytes) -> dict:
    """What a CAP alert says that a draft warning needs (the first <info>, zh-CN preferred):
    a dict of NoticeInput's fields plus ``geocodes`` (area codes), ``polygons`` and
    ``circles``."""
    from gis_core.models import Area

    root = cap_validate(document)
    infos = root.findall(f"{{{CAP_NS}}}info")
    if not infos:
        raise ValidationError({"file": [_("The alert has no <info>: nothing to warn about.")]})
    info = next((i for i in infos if _text(i, "language").lower().startswith("zh")), infos[0])
    sent = _parse_time(_text(root, "sent"), timezone.now())
    valid_from = _parse_time(_text(info, "effective") or _text(info, "onset"), sent)
    valid_until = _parse_time(_text(info, "expires"), valid_from + dt.timedelta(days=1))
    areas, polygons, circles = [], [], []
    for block in info.findall(f"{{{CAP_NS}}}area"):
        codes = [_text(g, "value") for g in block.findall(f"{{{CAP_NS}}}geocode")]
        known = list(Area.objects.filter(code__in=codes))
        if known:
            areas += known
            continue
        polygons += [_polygon(p.text or "") for p in block.findall(f"{{{CAP_NS}}}polygon")]
        circles += [_circle(c.text or "") for c in block.findall(f"{{{CAP_NS}}}circle")]
    category = _text(info, "category")
    polygon = None
    if polygons:
        polygon = MultiPolygon(*polygons, srid=4326) if len(polygons) > 1 else polygons[0]
    circle = circles[0] if circles else (None, None)
    for centre, radius in circles[1:]:  # one circle stays a circle; the others join the polygon
        ring = _circle_polygon(centre, radius)
        polygon = ring if polygon is None else polygon.union(ring)
    return {
        "kind": NoticeKind.WARNING, "title": (_text(info, "headline") or _text(info, "event"))[:120],
        "body": _text(info, "description") or _text(info, "headline") or _text(info, "event"),
        "valid_from": valid_from, "valid_until": valid_until, "target_areas": areas, "polygon": polygon,
        "circle_center": circle[0], "circle_radius_m": circle[1],
        "cap_category": category if category in CapCategory.values else CapCategory.OTHER,
        "event": _text(info, "event")[:100], "urgency": _text(info, "urgency"), "severity": _text(info, "severity"),
        "certainty": _text(info, "certainty"), "instruction": _text(info, "instruction"),
        "source_identifier": _text(root, "identifier")[:200], "source_sender": _text(root, "sender")[:200],
    }


def cap_feed_alerts(document: bytes) -> list[str]:
    """Links of an Atom feed's entries to CAP alerts (an import given a feed)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(document, parser)
    except etree.XMLSyntaxError as exc:
        raise ValidationError({"file": [_("Not well-formed XML: %(error)s") % {"error": exc}]}) from exc
    links = []
    for entry in root.findall(f"{{{ATOM_NS}}}entry"):
        cap = [link.get("href") for link in entry.findall(f"{{{ATOM_NS}}}link")
               if "cap" in (link.get("type") or "") or (link.get("href") or "").endswith(".xml")]
        links += cap[:1]
    return links


def is_atom(document: bytes) -> bool:
    return b"<feed" in document[:2000] and ATOM_NS.encode() in document[:2000]
