from django.db import migrations

from gis_core.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("iot", "0001_initial"), ("assets", "0005_building_anchor_resident_count")]
    operations = [
        run_sql_file("iot", "0002_positions.sql", reverse_sql="DROP TABLE IF EXISTS iot_position CASCADE;"),
        run_sql_file("iot", "0002_safe_zones.sql"),
    ]
