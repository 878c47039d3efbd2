"""The pages of the platform, as the home page lists them. Every app registers its own
(``register_page`` from its AppConfig.ready()); the core knows none of them."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Page:
    url_name: str          # reversed for the link
    title: Promise | str
    description: Promise | str
    order: int = 50        # place on the home page, smallest first


_PAGES: dict[str, Page] = {}


def register_page(page: Page) -> Page:
    _PAGES[page.url_name] = page
    return page


def all_pages() -> list[Page]:
    return sorted(_PAGES.values(), key=lambda page: page.order)


@dataclass(frozen=True)
class TopbarItem:
    """A snippet in the top bar of every page for signed-in users (an app's template,
    rendered with the page's context), e.g. the inbox's unread count."""

    template: str


_TOPBAR: dict[str, TopbarItem] = {}


def register_topbar_item(item: TopbarItem) -> TopbarItem:
    _TOPBAR[item.template] = item
    return item


def topbar_items() -> list[TopbarItem]:
    return list(_TOPBAR.values())
