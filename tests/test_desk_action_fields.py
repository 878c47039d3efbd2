"""The handling desk: an action's fields (department, hours …) appear beside that action
only once it is chosen — not every action's fields for every action — and the filter
dropdowns list their choices, each naming its "any" choice."""
from __future__ import annotations

import pytest

from incidents.models import Case
from tests.helpers import session_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visible_fields(page) -> list[str]:
    return page.eval_on_selector_all("label[data-for]", "(ls) => ls.filter((l) => l.offsetParent).map((l) => l.dataset.for)")


def test_fields_beside_the_chosen_action_only(world, desk, live_server, browser_page):
    page = browser_page.page
    case = desk.advance(desk.report(), "filed")
    session_login(page.context, live_server.url, world.users["dispatcher"])
    page.goto(f"{live_server.url}/console/cases/")
    page.click(f".case-row[data-id='{case['id']}']")
    page.wait_for_selector("#detail-actions button[data-action=dispatch]")
    assert visible_fields(page) == []  # nothing chosen, no fields

    page.click("#detail-actions button[data-action=dispatch]")
    row = page.locator("[data-action-row=dispatch]")
    assert visible_fields(page) == ["department"]
    assert row.locator("label[data-for=department]").is_visible() and row.locator("[data-send=dispatch]").is_visible()
    others = page.locator(".case-action:not([data-action-row=dispatch]) .action-fields")
    assert all(not others.nth(i).is_visible() for i in range(others.count()))

    page.select_option("#act-department", "sanitation")
    row.locator("[data-send=dispatch]").click()
    page.wait_for_function("() => document.getElementById('detail-status').textContent === '已派遣'")
    assert Case.objects.get(pk=case["id"]).department.code == "sanitation"
    assert visible_fields(page) == []  # the case redrawn: no action chosen


def test_filters_list_their_choices_and_name_any(world, desk, live_server, browser_page):
    page = browser_page.page
    session_login(page.context, live_server.url, world.users["handler"])
    page.goto(f"{live_server.url}/console/cases/")
    page.wait_for_function("() => document.querySelectorAll('#filter-category option').length > 1")
    options = {name: page.eval_on_selector_all(f"#filter-{name} option", "(os) => os.map((o) => o.textContent)")
               for name in ("status", "time", "category", "department")}
    # (the browser asks for Chinese)
    assert options["status"][:2] == ["未结", "全部状态"] and "已结案" in options["status"]
    assert options["time"][0] == "全部时限" and len(options["time"]) == 4
    assert options["category"][0] == "全部类别" and len(options["category"]) > 1
    assert options["department"][0] == "全部部门" and len(options["department"]) > 1
    assert not any(o == "—" for values in options.values() for o in values)
