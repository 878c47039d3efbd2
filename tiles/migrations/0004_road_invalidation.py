from django.db import migrations

from gis_core.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [
        ("tiles", "0003_unlogged_cache"),
        ("assets", "0008_road"),
    ]
    operations = [run_sql_file("tiles", "0004_road_invalidation.sql")]
