"""Security headers besides what Django and django-csp send (README, "Security headers"):
the Permissions-Policy header, and nonces for the inline code of documents built by other
libraries (the folium area report), which the Content-Security-Policy allows by nonce only."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from django.conf import settings


def permissions_policy(features: dict[str, list[str]]) -> str:
    """``{"geolocation": ["self"], "camera": []}`` → ``geolocation=(self), camera=()``."""
    return ", ".join(f"{name}=({' '.join(origins)})" for name, origins in features.items())


class PermissionsPolicyMiddleware:
    """Sends settings.PERMISSIONS_POLICY on every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class _InlineCodeTags(HTMLParser):
    """Where the <script> and <style> start tags are, as the browser reads the document:
    the content of a script or style is text, so "<script" inside one is not a tag."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.starts: list[tuple[int, int, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.starts.append((*self.getpos(), tag))


def html_with_nonce(html: str, nonce: str) -> str:
    """``html`` with ``nonce`` on every <script> and <style> element."""
    parser = _InlineCodeTags()
    parser.feed(html)
    parser.close()
    line_starts = [0] + [m.end() for m in re.finditer("\n", html)]  # the parser counts lines by \n
    cuts = [line_starts[line - 1] + column + 1 + len(tag) for line, column, tag in parser.starts]
    pieces, last = [], 0
    for cut in cuts:
        pieces += [html[last:cut], f' nonce="{nonce}"']
        last = cut
    pieces.append(html[last:])
    return "".join(pieces)
