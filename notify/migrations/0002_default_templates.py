"""The rules' templates in Chinese and English (notify/defaults.py), with sample values."""
from django.db import migrations


def load(apps, schema_editor):
    from notify.defaults import templates_defaults_load

    templates_defaults_load(apps.get_model("notify", "MessageTemplate"))


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
