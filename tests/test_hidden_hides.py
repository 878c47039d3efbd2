"""`hidden` hides, whatever display a page's stylesheet gives the element (base.css), and a
sheet's toggle (sheet.js) shows it and hides it again."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ELEMENTS = """
<div id="shown" class="flexy">shown</div>
<div id="gone" class="flexy" hidden>gone</div>
<button type="button" id="toggle" data-sheet-toggle="gone" aria-expanded="false">toggle</button>
"""
# A page's own rule, as a stylesheet would give it (constructed: the policy allows no inline style).
FLEX_RULE = """() => { const sheet = new CSSStyleSheet(); sheet.replaceSync('.flexy { display: flex; }');
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]; }"""


def test_hidden_wins_over_a_class_with_display_flex(world, live_server, browser_page):
    page = browser_page.page
    page.goto(f"{live_server.url}/track/")  # a page of the site: base.css and sheet.js
    page.evaluate("(html) => document.querySelector('main').insertAdjacentHTML('beforeend', html)", ELEMENTS)
    page.evaluate(FLEX_RULE)
    assert page.evaluate("getComputedStyle(document.querySelector('#shown')).display") == "flex"
    assert page.is_visible("#shown") and page.is_hidden("#gone")
    page.click("#toggle")
    assert page.is_visible("#gone") and page.get_attribute("#toggle", "aria-expanded") == "true"
    page.click("#toggle")
    assert page.is_hidden("#gone") and page.get_attribute("#toggle", "aria-expanded") == "false"
