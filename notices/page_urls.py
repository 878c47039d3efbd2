"""Pages of the notices app (the API is in notices/api_urls.py)."""
from django.urls import path

from notices import pages

urlpatterns = [
    path("notices/", pages.notices_page, name="notices"),
    path("notices/<int:pk>/", pages.notice_page, name="notice-page"),
    path("notices/<int:pk>/attachments/", pages.notice_attach_page, name="notice-attach"),
    path("notices/<int:pk>/unread/", pages.notice_unread_page, name="notice-unread"),
    path("notices/area/<str:code>/", pages.area_notices_page, name="area-notices"),
    path("notices/cap/atom.xml", pages.cap_atom, name="cap-atom"),
    path("notices/cap/<int:pk>.xml", pages.cap_alert, name="cap-alert"),
    path("screens/worker.js", pages.screen_worker, name="screen-worker"),
    path("screens/<str:code>/", pages.screen_page, name="notice-screen"),
]
