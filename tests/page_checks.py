"""Checks of a page as a person sees it, over a Playwright page (sync API). Each returns the
problems it found as short sentences (an empty list: the page passes), so a journey can run
them all on every page and report every problem at once:

    overflow(page)             wider than the screen (scrolls sideways)
    hidden_shown(page)         an element with the ``hidden`` attribute is displayed
    english_words(page)        English words in the visible text of a Chinese page
    dead_links(page)           same-origin links that answer 400 or more (or end on the login)
    way_back(page)             no visible link to the home page (error pages need one)
    raw_popup_values(page)     map popups showing keys, true/false or ISO-8601 times
    popup_cut(page)            a map popup that does not fit in the screen

Each has its own test on a tiny page: tests/test_page_checks.py.
"""
from __future__ import annotations

import re

# Words that stay as they are in the Chinese interface: names of products, formats and
# standards, units, and abbreviations people read as they are.
ALLOWED_WORDS = frozenset(w.lower() for w in (
    "MapLibre", "OpenStreetMap", "OSM", "GeoJSON", "GeoTIFF", "GeoPackage", "Shapefile", "CSV", "XLSX", "KML",
    "GPX", "PDF", "PNG", "JPEG", "SVG", "API", "REST", "OpenAPI", "Swagger", "OGC", "WGS", "CGCS", "EPSG", "GCJ",
    "ID", "SOS", "GPS", "SMS", "SMPP", "CAP", "MQTT", "Open311", "GeoReport", "OIDC", "LDAP", "OTP", "TOTP",
    "URL", "HTTP", "HTTPS", "IMEI", "QR", "km", "m", "kg", "mm", "cm", "px", "h", "min", "s", "ms", "mAh", "dB",
    "English",  # the language switch names each language in itself
    "GIS", "QGIS", "GDAL", "ArcGIS", "PostGIS", "JSON", "WKT", "WFS", "WMS", "zip",
    "GET", "POST", "Authorization", "Token",  # HTTP as typed into a client
))
# Names of standards quoted whole.
ALLOWED_PHRASES = ("OGC API – Features", "OGC API - Features")

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")


def overflow(page) -> list[str]:
    """The document must not be wider than the viewport (no sideways scrolling)."""
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width <= viewport:
        return []
    widest = page.evaluate("""(viewport) => {
        // The outermost elements that stick out, to name the culprit.
        const out = [...document.body.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > viewport + 1
            && !(e.parentElement && e.parentElement.getBoundingClientRect().right > viewport + 1));
        return out.slice(0, 3).map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
            + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).join('.') : ''));
    }""", viewport)
    return [f"page is {width}px wide on a {viewport}px screen ({', '.join(widest) or 'no single element'})"]


def hidden_shown(page) -> list[str]:
    """Every element with the ``hidden`` attribute must not be displayed (CSS may not override it)."""
    shown = page.evaluate("""() => [...document.querySelectorAll('[hidden]')]
        .filter((e) => getComputedStyle(e).display !== 'none')
        .map((e) => {
            const name = (x) => x.tagName.toLowerCase() + (x.id ? '#' + x.id : '')
                + (typeof x.className === 'string' && x.className.trim() ? '.' + x.className.trim().split(/\\s+/).join('.') : '');
            const within = !e.id && e.parentElement ? e.parentElement.closest('[id]') : null;
            return name(e) + (within ? ' in #' + within.id : '') + ' (display: ' + getComputedStyle(e).display + ')';
        })""")
    return [f"hidden element displayed: {what}" for what in shown]


def visible_texts(page, within: str = "body") -> list[str]:
    """The text a person can see in ``within`` (first match): text nodes of rendered elements,
    the chosen option of each select, and the tooltips, placeholders and labels of visible
    elements. The map's attribution is left out: it is quoted as its authors wrote it."""
    return page.evaluate("""(within) => {
        const root = document.querySelector(within);
        if (!root) return [];
        const seen = (e) => e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
        const skip = 'script, style, noscript, template, option, .maplibregl-ctrl-attrib';
        const texts = [];
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const parent = node.parentElement;
            if (!node.textContent.trim() || !parent || parent.closest(skip) || !seen(parent)) continue;
            texts.push(node.textContent.trim());
        }
        for (const e of root.querySelectorAll('select, [title], [placeholder], [aria-label], input[type=submit], input[type=button]')) {
            if (e.closest(skip) || !seen(e)) continue;
            if (e.tagName === 'SELECT' && e.selectedOptions.length) texts.push(e.selectedOptions[0].textContent.trim());
            for (const a of ['title', 'placeholder', 'aria-label']) if (e.getAttribute(a)) texts.push(e.getAttribute(a));
            if (e.tagName === 'INPUT' && (e.type === 'submit' || e.type === 'button') && e.value) texts.push(e.value);
        }
        return texts;
    }""", within)


def english_words(page, *, within: str = "body", allow: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Under zh-hans no English words may be visible, except ALLOWED_WORDS and ``allow``
    (the data's own words, e.g. the users' names). Tokens with digits or underscores are
    codes (numbers, tracking numbers) — but snake_case keys are reported by raw_popup_values."""
    allowed = ALLOWED_WORDS | {w.lower() for w in allow}
    found: dict[str, str] = {}
    for text in visible_texts(page, within):
        for phrase in ALLOWED_PHRASES:
            text = text.replace(phrase, " ")
        for token in re.split(r"\s+", text):
            if re.search(r"[0-9_/@]", token):
                continue  # a number, code, path, address or time
            for word in _WORD.findall(token):
                if len(word) > 1 and word.lower() not in allowed:
                    found.setdefault(word, text[:60])
    return [f"English on the page: {word!r} in {context!r}" for word, context in found.items()]


def dead_links(page, *, limit: int = 40) -> list[str]:
    """Every same-origin ``<a href>`` of the page, fetched by the page itself (its cookies):
    an answer of 400 or more, or a redirect that ends on the sign-in form, is a dead end for
    this user. Fragments, downloads and sign-out links are not followed."""
    results = page.evaluate("""async (limit) => {
        const urls = new Set();
        for (const a of document.querySelectorAll('a[href]')) {
            const href = a.getAttribute('href');
            if (!href || href.startsWith('#') || href.startsWith('javascript:') || a.hasAttribute('download')) continue;
            const url = new URL(a.href);
            if (url.origin !== location.origin || /sign-?out|log-?out/i.test(url.pathname)) continue;
            url.hash = '';
            urls.add(url.href);
        }
        const out = [];
        for (const url of [...urls].slice(0, limit)) {
            try {
                // Marked, so that a watcher of the page's failed requests can leave these out.
                const response = await fetch(url, {credentials: 'same-origin', redirect: 'follow',
                                                   headers: {'X-Page-Check': '1'}});
                if (response.body) response.body.cancel();  // the status is enough (and a stream never ends)
                out.push([url, response.status, response.url]);
            } catch (error) {
                out.push([url, 0, String(error)]);
            }
        }
        return out;
    }""", limit)
    problems = []
    for url, status, final in results:
        if status >= 400 or status == 0:
            problems.append(f"dead link {url} answers {status or final}")
        elif "/login" in final and "/login" not in url:
            problems.append(f"dead link {url} ends on the sign-in form ({final})")
    return problems


def way_back(page) -> list[str]:
    """A visible link to the home page ("/" of this site)."""
    found = page.evaluate("""() => [...document.querySelectorAll('a[href]')].some((a) => {
        const url = new URL(a.href);
        return url.origin === location.origin && url.pathname === '/'
            && a.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
    })""")
    return [] if found else ["no visible link back to the home page"]


_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
_KEY = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
_BOOLEAN = re.compile(r"\b(?:true|false|null|None|undefined|NaN)\b")


def raw_popup_values(page) -> list[str]:
    """A map popup shows labels and display values: no snake_case keys, no true/false (or
    null), no ISO-8601 times."""
    problems = []
    for text in page.locator(".maplibregl-popup").all_inner_texts():
        for pattern, what in ((_KEY, "key"), (_BOOLEAN, "raw value"), (_ISO_TIME, "ISO-8601 time")):
            problems += [f"popup shows a {what}: {m.group(0)!r}" for m in pattern.finditer(text)]
    return problems


def popup_cut(page) -> list[str]:
    """An open map popup lies wholly inside the screen (not cut by the map's edge)."""
    cut = page.evaluate("""() => [...document.querySelectorAll('.maplibregl-popup')].map((p) => p.getBoundingClientRect())
        .filter((r) => r.left < 0 || r.top < 0 || r.right > window.innerWidth || r.bottom > window.innerHeight)
        .map((r) => `${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}×${Math.round(r.height)}`)""")
    return [f"popup cut by the screen's edge (at {box} on {page.viewport_size['width']}×{page.viewport_size['height']})"
            for box in cut]
