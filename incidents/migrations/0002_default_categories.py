from django.db import migrations


def load(apps, schema_editor):
    from incidents.defaults import defaults_load

    defaults_load(apps.get_model("incidents", "Department"), apps.get_model("incidents", "Category"))


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
