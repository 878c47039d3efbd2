"""The inbox page."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from notify.selectors import inbox_for


@login_required
def inbox(request):
    """The user's messages, newest first (the last 200), unread ones marked."""
    return render(request, "notify/inbox.html", {"items": inbox_for(request.user)[:200]})
