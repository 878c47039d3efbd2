from django.db import migrations

from gis_core.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [
        ("tiles", "0001_initial"),
        ("assets", "0005_building_anchor_resident_count"),
        ("gis_core", "0002_shared_functions"),
    ]
    operations = [run_sql_file("tiles", "0002_invalidation.sql")]
