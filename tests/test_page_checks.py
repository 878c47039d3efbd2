"""Each check of tests/page_checks.py on a tiny page in Chromium: it finds the defect it is
for, and passes the same page without it. Pages are set in place or served by a tiny HTTP
server of the test's own (no database)."""
from __future__ import annotations

import pytest

from tests import page_checks

pytestmark = [pytest.mark.browser]


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture
def site():
    """A tiny web server on a free port answering from ``site.pages``: path -> (status,
    HTML) or (status, None, location) for a redirect; anything else 404."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    pages: dict[str, tuple] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, body, *location = pages.get(self.path.split("?")[0], (404, "<p>无此页</p>"))
            self.send_response(status)
            if location:
                self.send_header("Location", location[0])
            data = (body or "").encode()
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.pages = pages
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_overflow_finds_a_page_wider_than_the_phone(page):
    page.set_content("<body style='margin:0'><div style='width:300px'>窄</div></body>")
    assert page_checks.overflow(page) == []
    page.set_content("<body style='margin:0'><table id='wide' style='width:900px'><tr><td>宽</td></tr></table></body>")
    problems = page_checks.overflow(page)
    assert len(problems) == 1 and "table#wide" in problems[0] and "390px" in problems[0]


def test_hidden_shown_finds_css_that_overrides_the_hidden_attribute(page):
    page.set_content("<style>.done{display:flex}</style><section class='done' hidden>已上报</section>"
                     "<p id='gone' hidden>不见</p>")
    assert page_checks.hidden_shown(page) == ["hidden element displayed: section.done (display: flex)"]
    page.set_content("<style>.done{display:flex} [hidden]{display:none!important}</style>"
                     "<section class='done' hidden>已上报</section>")
    assert page_checks.hidden_shown(page) == []


def test_english_words_finds_untranslated_text_tooltips_and_choices(page):
    page.set_content("""<h1>数据质量</h1><p>人口 1,234 · 密度 5 km² · GPS · SOS · MapLibre</p>
        <p hidden>Hidden English is not seen</p><p style='display:none'>Nor this</p>
        <button title='Zoom in'>+</button><select><option>全部</option><option>Any status</option></select>
        <p>编号 BJ-2026-000123 · device_7</p><p>负责人 Leader</p>""")
    problems = page_checks.english_words(page)
    assert [p.split("'")[1] for p in problems] == ["Leader", "Zoom", "in"]
    assert page_checks.english_words(page, allow={"Leader", "Zoom", "in"}) == []
    page.select_option("select", "Any status")
    assert "Any" in " ".join(page_checks.english_words(page, allow={"Leader", "Zoom", "in"}))
    assert page_checks.english_words(page, within="h1") == []


def test_dead_links_finds_links_that_fail_or_end_on_the_sign_in(page, site):
    site.pages.update({
        "/": (200, """<a href='/ok/'>好</a> <a href='/forbidden/'>禁</a> <a href='/missing/#x'>无</a>
                     <a href='/to-login/'>登</a> <a href='#top'>顶</a> <a href='http://elsewhere.test/'>外</a>
                     <a href='/signout/'>退出</a> <a href='/moved/'>搬</a>"""),
        "/ok/": (200, "好"), "/forbidden/": (403, "禁止"), "/admin/login/": (200, "登录"),
        "/to-login/": (302, None, "/admin/login/?next=/to-login/"), "/moved/": (301, None, "/ok/"),
    })
    page.goto(f"{site.url}/")
    assert sorted(page_checks.dead_links(page)) == [
        f"dead link {site.url}/forbidden/ answers 403",
        f"dead link {site.url}/missing/ answers 404",
        f"dead link {site.url}/to-login/ ends on the sign-in form ({site.url}/admin/login/?next=/to-login/)",
    ]


def test_way_back_wants_a_visible_link_home(page, site):
    site.pages.update({"/a/": (403, "<h1>403 Forbidden</h1>"),
                       "/b/": (403, "<p>无权访问</p><a href='/' hidden>首页</a>"),
                       "/c/": (403, "<p>无权访问</p><a href='/'>返回首页</a>")})
    for path, problems in (("/a/", 1), ("/b/", 1), ("/c/", 0)):
        page.goto(f"{site.url}{path}")
        assert len(page_checks.way_back(page)) == problems, path


def test_raw_popup_values_finds_keys_booleans_and_iso_times(page):
    page.set_content("""<div class='maplibregl-popup'><table>
        <tr><th>device_id</th><td>860000000000001</td></tr><tr><th>在线</th><td>true</td></tr>
        <tr><th>最后上报</th><td>2026-12-05T08:30:00Z</td></tr></table></div>""")
    assert page_checks.raw_popup_values(page) == [
        "popup shows a key: 'device_id'", "popup shows a raw value: 'true'",
        "popup shows a ISO-8601 time: '2026-12-05T08:30:00Z'"]
    page.set_content("""<div class='maplibregl-popup'><table><tr><th>设备号</th><td>860000000000001</td></tr>
        <tr><th>在线</th><td>是</td></tr><tr><th>最后上报</th><td>12月5日 16:30（5分钟前）</td></tr></table></div>""")
    assert page_checks.raw_popup_values(page) == []


def test_popup_cut_finds_a_popup_beyond_the_screen(page):
    page.set_content("<div class='maplibregl-popup' style='position:absolute;left:10px;top:10px;width:200px'>楼栋</div>")
    assert page_checks.popup_cut(page) == []
    page.set_content("<div class='maplibregl-popup' style='position:absolute;left:300px;top:-40px;width:200px;height:30px'>楼栋</div>")
    assert page_checks.popup_cut(page) == ["popup cut by the screen's edge (at 300,-40 200×30 on 390×844)"]
