"""The outbox (every message to a person, one row each, keyed by the event it comes from),
the in-app inbox and the message templates.

A notification moves queued → sending (claimed by a worker, committed before the provider
is called) → sent (committed with the provider's message id) → delivered (the provider's
receipt) — or failed / expired, always with the reason. ``key`` names the event and the
recipient ("alert:12:raised:contact:5"): unique, so the same event never sends twice.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assets.models import Person
from gis_core.models import Area, AreaLevel


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")
    INBOX = "inbox", _("in-app inbox")
    WEBHOOK = "webhook", _("webhook")


class State(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")
    EXPIRED = "expired", _("expired")


class Notification(models.Model):
    key = models.CharField(_("event key"), max_length=200, unique=True,
                           help_text=_("The event and recipient it is for: the same key is never sent twice."))
    template = models.CharField(_("template"), max_length=40)
    values = models.JSONField(_("values"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    person = models.ForeignKey(Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    address = models.CharField(_("address"), max_length=300, blank=True,
                               help_text=_("Phone number, e-mail address or webhook URL."))
    area = models.ForeignKey(Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", help_text=_("Where the event happened (scopes the notification)."))
    subject_type = models.CharField(_("about"), max_length=20, blank=True)  # alert, case: what a reply answers
    subject_id = models.BigIntegerField(null=True, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False,
                                 help_text=_("Sent at once: no quiet hours, no rate limit, the emergency queue."))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    provider_id = models.CharField(_("provider's message id"), max_length=100, blank=True, db_index=True)
    receipt = models.TextField(_("delivery receipt"), blank=True)
    reply = models.TextField(_("reply"), blank=True, help_text=_("What the recipient answered (SMS)."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    next_try_at = models.DateTimeField(_("next try"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    scope_lookup = "area"
    personal_fields = {"address": "phone"}

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["address", "sent_at"], name="notification_rate_idx"),
            models.Index(fields=["state", "claimed_at"], name="notification_state_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="notification_subject_idx"),
        ]

    def __str__(self) -> str:
        return self.key


class InboxItem(models.Model):
    """A message in a user's in-app inbox; ``read_at`` is the read receipt."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="inbox_items")
    notification = models.OneToOneField(Notification, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="inbox_item")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbox item")
        verbose_name_plural = _("inbox items")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="inbox_unread_idx",
                                condition=Q(read_at__isnull=True))]

    def __str__(self) -> str:
        return self.title


class MessageTemplate(models.Model):
    """The text of a kind of message in one language, with ``{name}`` placeholders.
    ``sample_values`` fill the admin's preview."""

    code = models.SlugField(_("code"), max_length=40)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200, blank=True,
                               help_text=_("E-mail subject and inbox title (SMS has none)."))
    body = models.TextField(_("text"))
    sample_values = models.JSONField(_("sample values"), default=dict, blank=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["code", "language"]
        constraints = [models.UniqueConstraint(fields=["code", "language"], name="template_one_per_language")]

    def __str__(self) -> str:
        return f"{self.code} ({self.language})"


class RuleSwitch(models.Model):
    """A rule (notify.rules.RULES) switched on or off in one district; a rule without a
    switch is on. Every rule asks before it queues anything (``rule_enabled``)."""

    rule = models.CharField(_("rule"), max_length=40)
    area = models.ForeignKey(Area, verbose_name=_("district"), on_delete=models.CASCADE, related_name="+",
                             limit_choices_to={"level": AreaLevel.DISTRICT})
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    scope_lookup = "area"

    class Meta:
        verbose_name = _("rule switch")
        verbose_name_plural = _("rule switches")
        ordering = ["area__code", "rule"]
        constraints = [models.UniqueConstraint(fields=["rule", "area"], name="rule_switch_one_per_district")]

    def __str__(self) -> str:
        return f"{self.rule} @ {self.area_id}"


class ChannelChoice(models.Model):
    """The channels a user wants for one kind of non-urgent message (notify.rules.KINDS);
    without a choice, the kind's default. Urgent messages (SOS) ignore it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="channel_choices")
    kind = models.CharField(_("kind of message"), max_length=40)
    channels = ArrayField(models.CharField(max_length=10, choices=Channel.choices), verbose_name=_("channels"),
                          default=list, blank=True)

    class Meta:
        verbose_name = _("channel choice")
        verbose_name_plural = _("channel choices")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="channel_choice_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {','.join(self.channels)}"


class AlertEscalation(models.Model):
    """One escalation step taken on an SOS or fall nobody acknowledged in time: taken once
    (unique), in the transaction that queues its messages."""

    alert = models.ForeignKey("iot.Alert", verbose_name=_("alert"), on_delete=models.CASCADE,
                              related_name="escalations")
    step = models.PositiveSmallIntegerField(_("step"))
    at = models.DateTimeField(_("at"))
    queued = models.PositiveIntegerField(_("messages queued"), default=0)

    scope_lookup = "alert__area"

    class Meta:
        verbose_name = _("alert escalation")
        verbose_name_plural = _("alert escalations")
        ordering = ["alert", "step"]
        constraints = [models.UniqueConstraint(fields=["alert", "step"], name="alert_escalation_once")]

    def __str__(self) -> str:
        return f"{self.alert_id} step {self.step}"
