"""The portal's pages under /portal/ (its API is in portal/api_urls.py). The booking page,
/portal/book/, is services' (appointments)."""
from django.urls import path

from portal import pages

urlpatterns = [
    path("portal/", pages.home_page, name="portal-home"),
    path("portal/items/", pages.items_page, name="portal-items"),
    path("portal/items/<slug:code>/", pages.item_page, name="portal-item"),
    path("portal/track/", pages.track_page, name="portal-track"),
    path("portal/report/", pages.report_page, name="portal-report"),
    path("portal/report/map/", pages.map_index, name="portal-map-index"),
    path("portal/notices/", pages.notices_page, name="portal-notices"),
    path("portal/mine/", pages.mine_page, name="portal-mine"),
    path("portal/mine/code/", pages.mine_code, name="portal-mine-code"),
    path("portal/mine/signin/", pages.mine_signin, name="portal-mine-signin"),
    path("portal/mine/signout/", pages.mine_signout, name="portal-mine-signout"),
]
