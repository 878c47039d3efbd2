"""The pages of the platform and who may open them. Every app registers its own
(``register_page`` from its AppConfig.ready()); the core knows none of them.

One rule (``may_open``) builds the home page's cards, the top bar's links and guards each
page's view (``page_view``): a page a role is offered never ends in a 403, and a page it is
not offered answers the framed 403."""
from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext as _

EVERYONE_SIGNED_IN = None  # may_open's default
PUBLIC = "public"          # may_open: anyone, signed in or not (e.g. tracking a case)


@dataclass(frozen=True)
class Page:
    url_name: str          # reversed for the link
    title: Promise | str
    description: Promise | str
    order: int = 50        # place on the home page and in the top bar, smallest first
    # Who may open it: roles (a collection of gis_core.models.Role), a callable(user) ->
    # bool, PUBLIC, or None: everyone signed in. Superusers may open every page.
    may_open: Collection[str] | Callable | str | None = EVERYONE_SIGNED_IN
    # The roles whose home this page is: ``/`` sends them here.
    workspace_of: Collection[str] = field(default_factory=frozenset)
    # A link in the top bar (technical pages — API, OGC — are only cards on the home page).
    in_topbar: bool = True


_PAGES: dict[str, Page] = {}


def register_page(page: Page) -> Page:
    _PAGES[page.url_name] = page
    return page


def all_pages() -> list[Page]:
    return sorted(_PAGES.values(), key=lambda page: page.order)


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def may_open(user, page: Page) -> bool:
    """The one rule: whether ``user`` (None or anonymous: signed out) may open ``page``."""
    if page.may_open == PUBLIC:
        return True
    if not _signed_in(user):
        return False
    if user.is_superuser or page.may_open is EVERYONE_SIGNED_IN:
        return True
    if callable(page.may_open):
        return bool(page.may_open(user))
    return user.role in page.may_open


def may_open_named(user, url_name: str) -> bool:
    """``may_open`` for the registered page ``url_name``: links to other pages are drawn by it."""
    return may_open(user, _PAGES[url_name])


def pages_for(user) -> list[Page]:
    """The pages ``user`` may open, in order: the home page's cards."""
    return [page for page in all_pages() if may_open(user, page)]


def topbar_pages_for(user) -> list[Page]:
    """The top bar's links: the user's pages (public ones only for the signed out, whose
    only pages they are; staff keep the bar for their work)."""
    signed_in = _signed_in(user)
    return [page for page in pages_for(user) if page.in_topbar and not (signed_in and page.may_open == PUBLIC)]


def workspace_for(user) -> Page | None:
    """The page ``/`` sends the user to, or None: the home page of cards."""
    if not _signed_in(user):
        return None
    return next((page for page in all_pages() if user.role in page.workspace_of and may_open(user, page)), None)


def page_view(url_name: str):
    """Guards the view of the registered page ``url_name``: signed-out users are sent to
    sign in, a role the page is not for gets the framed 403 (gis_core.errors)."""

    def decorate(view):
        @functools.wraps(view)
        def guarded(request, *args, **kwargs):
            user = getattr(request, "user", None)
            if not may_open_named(user, url_name):
                if not _signed_in(user):
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied(_("Your role may not open this page."))
            return view(request, *args, **kwargs)

        return guarded

    return decorate


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
