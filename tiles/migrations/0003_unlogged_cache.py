from django.db import migrations


class Migration(migrations.Migration):
    """The tile cache can always be redrawn: no write-ahead log for it (faster writes;
    after a crash PostgreSQL empties it, which is harmless)."""

    dependencies = [("tiles", "0002_invalidation")]
    operations = [migrations.RunSQL("ALTER TABLE tiles_tilecache SET UNLOGGED",
                                    "ALTER TABLE tiles_tilecache SET LOGGED")]
