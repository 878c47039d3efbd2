"""The SMS and inbox texts of notices (notify.MessageTemplate, editable in the admin)."""
from django.db import migrations


def load(apps, schema_editor):
    from notices.defaults import templates_load

    templates_load(apps.get_model("notify", "MessageTemplate"))


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial"), ("notify", "0002_default_templates")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
