"""The inbox page and the user's notification settings."""
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gis_core.navigation import page_view
from gis_core.services import DUTY_ROLES, user_duty_set
from notify.selectors import channel_choices_for, inbox_for
from notify.serializers import ChannelChoicesSerializer
from notify.services import channel_choices_set


@page_view("inbox")
def inbox(request):
    """The user's messages, newest first (the last 200), unread ones marked."""
    return render(request, "notify/inbox.html", {"items": inbox_for(request.user)[:200]})



@page_view("notify-settings")
def notify_settings(request):
    """Which channels bring each kind of non-urgent message, and (grid leaders and
    dispatchers) whether the user is on duty. A plain form: works without scripts."""
    user, errors, saved = request.user, [], request.GET.get("saved") == "1"
    rows = channel_choices_for(user)
    if request.method == "POST":
        data = ChannelChoicesSerializer(data={"choices": {row["kind"]: request.POST.getlist(f"kind-{row['kind']}")
                                                          for row in rows}}, context={"user": user})
        if data.is_valid():
            channel_choices_set(user=user, choices=data.validated_data["choices"])
            if user.role in DUTY_ROLES:
                try:
                    user_duty_set(user=user, on_duty=request.POST.get("on_duty") == "on")
                except ValidationError as exc:
                    errors.extend(exc.messages)
            if not errors:
                return redirect(f"{request.path}?saved=1")
        else:
            errors.extend(str(e) for e in data.errors.get("choices", []))
    labels = {"inbox": _("in-app inbox"), "email": _("e-mail"), "sms": _("SMS")}
    for row in rows:
        row["options"] = [{"code": c, "label": labels[c], "checked": c in row["channels"],
                           "usable": c in row["available"]} for c in row["offered"]]
    return render(request, "notify/settings.html", {
        "rows": rows, "errors": errors, "saved": saved, "may_be_on_duty": user.role in DUTY_ROLES})
