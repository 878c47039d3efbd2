from django.db import migrations


def load(apps, schema_editor):
    from services.defaults import defaults_load

    defaults_load(apps.get_model("incidents", "Department"), apps.get_model("services", "ServiceItem"),
                  apps.get_model("services", "Material"))


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
