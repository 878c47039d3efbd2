"""Database-side logic lives in versioned SQL files (``<app>/sql/NNNN_name.sql``), each
applied by the migration of the same number. A change is a new file and a new migration."""
from pathlib import Path

from django.db import migrations

ROOT = Path(__file__).resolve().parent.parent


def run_sql_file(app: str, name: str, reverse_sql: str | None = None) -> migrations.RunSQL:
    sql = (ROOT / app / "sql" / name).read_text()
    return migrations.RunSQL(sql, reverse_sql=reverse_sql or migrations.RunSQL.noop)
