from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gis_core.admin_base import PersonalFieldsAdminMixin, ReadOnlyAdminMixin, ScopedAdmin
from notify.models import AlertEscalation, InboxItem, MessageTemplate, Notification, RuleSwitch
from notify.texts import sms_segments, text_fill


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, PersonalFieldsAdminMixin, ScopedAdmin):
    """The outbox, read-only: what was sent to whom, when, and what became of it."""

    list_display = ["created_at", "template", "channel", "address", "state", "tries", "urgent", "sent_at",
                    "delivered_at"]
    list_filter = ["state", "channel", "template", "urgent"]
    search_fields = ["key", "provider_id", "template"]
    date_hierarchy = "created_at"
    list_select_related = ["area"]


@admin.register(InboxItem)
class InboxItemAdmin(admin.ModelAdmin):
    """Inbox items with their read receipts (administrators: who has not read)."""

    list_display = ["created_at", "user", "title", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["title", "user__username"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """Templates, edited by administrators; the preview fills in the sample values and
    shows the SMS length in parts."""

    list_display = ["code", "language", "subject", "sms_length"]
    list_filter = ["language"]
    search_fields = ["code", "subject", "body"]
    readonly_fields = ["preview"]
    fields = ["code", "language", "subject", "body", "sample_values", "preview"]

    def save_model(self, request, obj, form, change):
        text_fill(obj.body, obj.sample_values or {}, field="sample_values")  # checked by the form's clean too
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class TemplateForm(form_class):
            def clean(self):
                data = super().clean()
                try:
                    for name in ("subject", "body"):
                        text_fill(data.get(name) or "", data.get("sample_values") or {}, field="sample_values")
                except ValidationError as exc:
                    self.add_error(None, exc)
                return data

        return form_class if form_class is None else TemplateForm

    def _filled(self, obj) -> str | None:
        try:
            return text_fill(obj.body, obj.sample_values or {})
        except ValidationError:
            return None

    @admin.display(description=_("SMS length"))
    def sms_length(self, obj) -> str:
        text = self._filled(obj)
        if text is None:
            return "-"
        parts, encoding = sms_segments(text)
        return _("%(chars)d characters, %(parts)d SMS (%(encoding)s)") % {
            "chars": len(text), "parts": parts, "encoding": encoding}

    @admin.display(description=_("preview"))
    def preview(self, obj) -> str:
        if obj is None or not obj.pk:
            return "-"
        text = self._filled(obj)
        if text is None:
            return _("Give a sample value for every placeholder to see the preview.")
        return format_html("<div>{}</div><div>{}</div>", text, self.sms_length(obj))


@admin.register(RuleSwitch)
class RuleSwitchAdmin(ScopedAdmin):
    """Rules switched on or off per district (administrators of the district): a rule
    without a switch is on. The rules and their labels: notify.rules.RULES."""

    list_display = ["area", "rule_label", "enabled", "updated_at"]
    list_filter = ["enabled"]
    list_select_related = ["area"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "rule":
            from django import forms

            from notify.rules import RULES

            return forms.ChoiceField(label=db_field.verbose_name,
                                     choices=[(code, rule.label) for code, rule in RULES.items()])
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("rule"), ordering="rule")
    def rule_label(self, obj) -> str:
        from notify.rules import RULES

        rule = RULES.get(obj.rule)
        return str(rule.label) if rule else obj.rule


@admin.register(AlertEscalation)
class AlertEscalationAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """Escalation steps taken on SOS and falls nobody acknowledged in time."""

    list_display = ["at", "alert", "step", "queued"]
    list_select_related = ["alert__terminal"]
