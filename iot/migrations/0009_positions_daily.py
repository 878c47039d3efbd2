"""Daily partitions of positions (created ahead), the downsampled history table by month
(iot/sql/0009_positions_daily.sql; README "Elderly-care terminals", *Positions over time*)."""
from django.db import migrations

from gis_core.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("iot", "0008_zone_margin_sphere")]
    operations = [
        run_sql_file("iot", "0009_positions_daily.sql",
                     reverse_sql="DROP TABLE IF EXISTS iot_position_history CASCADE;"),
    ]
