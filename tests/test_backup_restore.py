"""The backup and restore of docs/deploy.md ("Backups"), step by step on a throwaway
cluster: WAL archiving, a compressed tar base backup without WAL, writes after it, then a
restore from the base backup and the archive — every committed row is back."""
from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

import pytest

from devstack.embedded import IS_ROOT, PG_BIN, SERVICE_USER, free_port, run

pytestmark = pytest.mark.skipif(not (PG_BIN / "pg_basebackup").exists(), reason="PostgreSQL's binaries are missing")


@pytest.fixture
def scratch():
    """A directory the PostgreSQL service user owns (as root: user postgres)."""
    home = Path(tempfile.mkdtemp(prefix="grid-backup-"))
    home.chmod(0o755)
    if IS_ROOT:
        shutil.chown(home, SERVICE_USER, SERVICE_USER)
    yield home
    shutil.rmtree(home, ignore_errors=True)


def as_service(*cmd: str, **kw) -> subprocess.CompletedProcess:
    return run([str(c) for c in cmd], as_service_user=True, capture_output=True, **kw)


def sql(port: int, socket_dir: Path, statement: str) -> str:
    return as_service(PG_BIN / "psql", "-X", "-tA", "-h", socket_dir, "-p", str(port), "-U", "postgres",
                      "-v", "ON_ERROR_STOP=1", "-c", statement).stdout.strip()


def start(data: Path, port: int, socket_dir: Path) -> None:
    log = data.parent / f"{data.name}.log"
    started = as_service(PG_BIN / "pg_ctl", "-D", data, "-l", log, "-w", "-t", "60",
                         "-o", f"-p {port} -k {socket_dir} -c listen_addresses=''", "start", check=False)
    assert started.returncode == 0, f"{data.name} did not start:\n{log.read_text() if log.exists() else started.stderr}"


def test_a_base_backup_and_the_wal_archive_restore_every_committed_row(scratch):
    data, archive, base, restored = (scratch / n for n in ("main", "wal", "base", "restored"))
    as_service("mkdir", "-m", "0700", archive, base)
    as_service(PG_BIN / "initdb", "-D", data, "-U", "postgres", "--auth-local=trust", "-E", "UTF8")
    with open(data / "postgresql.conf", "a") as conf:  # the settings of the guide
        conf.write("wal_level = replica\narchive_mode = on\n"
                   f"archive_command = 'test ! -f {archive}/%f && cp %p {archive}/%f.part"
                   f" && mv {archive}/%f.part {archive}/%f'\narchive_timeout = 60\n")
    port = free_port()
    start(data, port, scratch)
    try:
        sql(port, scratch, "CREATE TABLE cases (id int PRIMARY KEY, note text);"
                           "INSERT INTO cases SELECT g, 'before' FROM generate_series(1, 1000) g")
        as_service(PG_BIN / "pg_basebackup", "-h", scratch, "-p", str(port), "-U", "postgres",
                   "-D", base, "-Ft", "-z", "-X", "none", "-c", "fast")
        sql(port, scratch, "INSERT INTO cases SELECT g, 'after' FROM generate_series(1001, 1500) g")
        # the segment holding the last writes is archived (archive_timeout would do it within a minute)
        segment = sql(port, scratch, "SELECT pg_walfile_name(pg_switch_wal())")
        deadline = time.monotonic() + 60
        while not (archive / segment).exists():
            assert time.monotonic() < deadline, f"{segment} was not archived"
            time.sleep(0.2)
    finally:
        as_service(PG_BIN / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop", check=False)

    # the restore, as the guide says: the base backup, recovery.signal, restore_command
    as_service("mkdir", "-m", "0700", restored)
    with tarfile.open(base / "base.tar.gz") as tar:
        tar.extractall(restored, filter="fully_trusted")
    if IS_ROOT:
        for path in [restored, *restored.rglob("*")]:
            shutil.chown(path, SERVICE_USER, SERVICE_USER)
    (restored / "recovery.signal").touch()
    with open(restored / "postgresql.conf", "a") as conf:
        conf.write(f"restore_command = 'cp {archive}/%f %p'\n")
    port = free_port()
    start(restored, port, scratch)
    try:
        deadline = time.monotonic() + 60
        while sql(port, scratch, "SELECT pg_is_in_recovery()") != "f":  # replays, then opens read-write
            assert time.monotonic() < deadline, "recovery did not end"
            time.sleep(0.2)
        assert sql(port, scratch, "SELECT count(*) FILTER (WHERE note = 'before') || ' ' || "
                                  "count(*) FILTER (WHERE note = 'after') FROM cases") == "1000 500"
    finally:
        as_service(PG_BIN / "pg_ctl", "-D", restored, "-m", "fast", "-w", "stop", check=False)
    assert os.path.exists(restored / "recovery.signal") is False  # recovery finished and promoted
