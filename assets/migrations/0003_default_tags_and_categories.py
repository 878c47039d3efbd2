from django.db import migrations


def load(apps, schema_editor):
    from assets.defaults import defaults_load

    defaults_load(apps.get_model("assets", "PersonTag"), apps.get_model("assets", "KeySiteCategory"))


class Migration(migrations.Migration):
    dependencies = [("assets", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
