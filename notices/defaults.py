"""The texts notices send (notify.MessageTemplate; administrators may edit them), loaded
by migration 0002 and checked before each fan-out (a flushed test database lost them)."""

TEMPLATES = {
    "notice_sms": {"zh-hans": ("", "{text}"), "en": ("", "{text}")},
    "notice_inbox": {"zh-hans": ("{title}", "{text}"), "en": ("{title}", "{text}")},
}
SAMPLE_VALUES = {"title": "停水通知", "text": "【社区通知】停水通知：明日8:00-12:00停水，请提前储水。"}


def templates_load(model) -> None:
    """Create the templates above that are missing (``model``: MessageTemplate, or its
    historical version in a migration)."""
    for code, languages in TEMPLATES.items():
        for language, (subject, body) in languages.items():
            model.objects.get_or_create(code=code, language=language, defaults={
                "subject": subject, "body": body, "sample_values": SAMPLE_VALUES})
