"""The inbox page."""
from django.shortcuts import render

from gis_core.navigation import page_view
from notify.selectors import inbox_for


@page_view("inbox")
def inbox(request):
    """The user's messages, newest first (the last 200), unread ones marked."""
    return render(request, "notify/inbox.html", {"items": inbox_for(request.user)[:200]})
