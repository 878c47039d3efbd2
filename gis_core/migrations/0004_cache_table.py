"""The cache's table (CACHES in config/settings.py): shared by every web process and node."""
from django.core.management import call_command
from django.db import migrations


def cache_table_create(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def cache_table_drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS gis_core_cache")


class Migration(migrations.Migration):
    dependencies = [("gis_core", "0003_area_prefix_user_area_prefixes")]
    operations = [migrations.RunPython(cache_table_create, cache_table_drop)]
