"""The rules' templates in Chinese and English (notify/defaults.py), with sample values."""
from django.db import migrations


def load(apps, schema_editor):
    from notify.defaults import SAMPLE_VALUES, TEMPLATES
    from notify.texts import placeholders

    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for code, languages in TEMPLATES.items():
        for language, (subject, body) in languages.items():
            samples = {name: SAMPLE_VALUES[name] for name in placeholders(subject + body)}
            MessageTemplate.objects.get_or_create(code=code, language=language, defaults=dict(
                subject=subject, body=body, sample_values=samples))


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
