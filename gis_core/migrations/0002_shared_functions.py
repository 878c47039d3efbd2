from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from gis_core.sqlfiles import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("gis_core", "0001_initial")]
    operations = [
        TrigramExtension(),  # name/address search indexes (a trusted extension)
        run_sql_file("gis_core", "0002_shared_functions.sql",
                     reverse_sql="DROP FUNCTION IF EXISTS gis_deepest_area(geometry);"
                                 " DROP FUNCTION IF EXISTS gis_changed_rows(text);"
                                 " DROP FUNCTION IF EXISTS gis_attach_statement_triggers(text, text, text, text);"),
    ]
