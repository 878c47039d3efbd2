"""iot_zone_margin measures a circular safe zone with arithmetic on the coordinates (the
same sphere and distance as before, at half the cost per fix): iot/sql/0008_zone_margin_sphere.sql."""
from django.db import migrations

from gis_core.sqlfiles import ROOT, run_sql_file


class Migration(migrations.Migration):
    dependencies = [("iot", "0007_alert_queue_by_receipt")]
    operations = [run_sql_file("iot", "0008_zone_margin_sphere.sql",
                               reverse_sql=(ROOT / "iot" / "sql" / "0003_ingest.sql").read_text())]
