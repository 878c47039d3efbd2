"""manage.py notices_import_cap <url-or-file> — upstream CAP 1.2 alerts as draft warnings.

The source is a CAP alert or an Atom feed of them (each entry's link is fetched), as a URL
(http/https, e.g. the early-warning system's feed on the intranet) or a file. Each alert
becomes a draft warning targeted at the residents inside its polygons and circles (or at
our areas it names by geocode); an alert imported before is skipped. A bad alert is
reported and the others go in."""
from __future__ import annotations

from urllib.parse import urljoin
from urllib.request import urlopen

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from notices.cap import cap_feed_alerts, is_atom
from notices.services import notice_import_cap


def _read(source: str) -> bytes:
    limit = settings.NOTICES_CAP_MAX_BYTES
    if source.startswith(("http://", "https://")):
        with urlopen(source, timeout=30) as response:  # noqa: S310 - an operator's URL
            return response.read(limit + 1)[:limit + 1]
    with open(source, "rb") as file:
        return file.read(limit + 1)


class Command(BaseCommand):
    help = "Import CAP 1.2 alerts (an alert or an Atom feed; a URL or a file) as draft warnings."

    def add_arguments(self, parser):
        parser.add_argument("source", help="URL or file of a CAP alert or an Atom feed of alerts")

    def handle(self, *args, source: str, **options):
        try:
            document = _read(source)
        except OSError as exc:
            raise CommandError(f"cannot read {source}: {exc}") from exc
        alerts = ([urljoin(source, link) for link in cap_feed_alerts(document)] if is_atom(document)
                  else [source])
        made = failed = 0
        for alert in alerts:
            try:
                notice, created = notice_import_cap(actor=None, document=document if alert == source else _read(alert))
            except (ValidationError, OSError) as exc:
                failed += 1
                reason = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.stderr.write(f"{alert}: {reason}")
                continue
            made += created
            self.stdout.write(f"{alert}: {'draft' if created else 'already imported as'} #{notice.pk} {notice.title}")
        self.stdout.write(f"{made} draft warning(s) made, {failed} refused")
        if failed and not made:
            raise CommandError("no alert could be imported")
