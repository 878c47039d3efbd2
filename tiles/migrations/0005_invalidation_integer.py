from django.db import migrations

from gis_core.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("tiles", "0004_road_invalidation")]
    operations = [run_sql_file("tiles", "0005_invalidation_integer.sql")]
