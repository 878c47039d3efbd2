from django.db import migrations

from gis_core.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("iot", "0002_positions_and_zones")]
    operations = [run_sql_file("iot", "0003_ingest.sql")]
