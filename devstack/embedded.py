"""Project-local PostgreSQL/PostGIS cluster and Mosquitto broker under ``var/``.

Standard library only: it runs before the virtualenv exists. Usage::

    python3 -m devstack.embedded up       # create if needed, start, print URLs
    python3 -m devstack.embedded up --replica   # and a streaming read replica (var/pg-replica)
    python3 -m devstack.embedded down     # stop them all
    python3 -m devstack.embedded status
    python3 -m devstack.embedded reset    # stop and wipe var/

Connection URLs are written to ``var/services.json``; ``config.settings`` reads them
unless ``DATABASE_URL`` / ``MQTT_URL`` point at external servers, in which case the
matching embedded server is not started at all.

PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres``
OS user (created by the Debian package) and every server command goes through runuser.
"""
from __future__ import annotations

import hashlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var"
SERVICES_FILE = VAR / "services.json"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_DB = "grid"
PG_ROLE = "grid"
PG_REPLICATION_ROLE = "grid_replicator"  # streaming replication only: no database access
PG_REPLICA_SLOT = "gridgis_replica"  # the devstack replica's replication slot on the primary
MQTT_APP_USER = "grid-app"      # the platform itself (ingester, console): reads and writes everything
MQTT_GATEWAY_USER = "gateway"   # 3G-watch gateways and the simulator: publish any device's uplink
IS_ROOT = os.geteuid() == 0
SERVICE_USER = "postgres" if IS_ROOT else pwd.getpwuid(os.geteuid()).pw_name


def log(msg: str) -> None:
    print(f"==> {msg}", flush=True)


def run(cmd: list[str], *, as_service_user: bool = False, check: bool = True, **kw) -> subprocess.CompletedProcess:
    if as_service_user and IS_ROOT:
        cmd = ["runuser", "-u", SERVICE_USER, "--", *cmd]
    return subprocess.run(cmd, check=check, text=True, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex(("127.0.0.1", port)) == 0


def load_state() -> dict:
    return json.loads(SERVICES_FILE.read_text()) if SERVICES_FILE.exists() else {}


def save_state(state: dict) -> None:
    VAR.mkdir(exist_ok=True)
    SERVICES_FILE.write_text(json.dumps(state, indent=2) + "\n")
    SERVICES_FILE.chmod(0o600)


# --------------------------------------------------------------------------- PostgreSQL

def service_dir(name: str) -> Path:
    """var/<name>, owned by the service user. When that user cannot reach the checkout (a
    clone under /root, say), the directory lives elsewhere and var/<name> links to it."""
    link = VAR / name
    if link.exists():
        return link.resolve()
    link.mkdir(parents=True)
    if IS_ROOT:
        shutil.chown(link, SERVICE_USER, SERVICE_USER)
        reachable = run(["test", "-w", str(link)], as_service_user=True, check=False).returncode == 0
        if not reachable:
            link.rmdir()
            digest = hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
            home = Path(pwd.getpwnam(SERVICE_USER).pw_dir) / f"gridgis-{digest}" / name
            home.mkdir(parents=True, exist_ok=True)
            shutil.chown(home, SERVICE_USER, SERVICE_USER)
            link.symlink_to(home)
            log(f"{ROOT} is not reachable by user {SERVICE_USER}: var/{name} kept in {home}")
    return link.resolve()


def pg_paths() -> dict[str, Path]:
    home = service_dir("pg")
    return {"home": home, "data": home / "data", "run": home / "run", "log": home / "postgresql.log"}


def pg_start(paths: dict[str, Path], port: int | None, *, what: str, timeout: int) -> int:
    """Start the cluster in ``paths`` on ``port`` (another free one if taken) unless it
    runs; its port."""
    paths["run"].mkdir(exist_ok=True)
    if IS_ROOT:
        shutil.chown(paths["run"], SERVICE_USER, SERVICE_USER)
    if pg_running(paths):
        log(f"{what} already running on 127.0.0.1:{port}")
        return port
    if not port or port_open(port):
        port = free_port()
    log(f"starting {what} on 127.0.0.1:{port}")
    run([str(PG_BIN / "pg_ctl"), "-D", str(paths["data"]), "-l", str(paths["log"]), "-w",
         "-t", str(timeout), "-o", f"-p {port}", "start"], as_service_user=True, capture_output=True)
    return port


def pg_running(paths: dict[str, Path]) -> bool:
    if not (paths["data"] / "postmaster.pid").exists():
        return False
    return run([str(PG_BIN / "pg_ctl"), "-D", str(paths["data"]), "status"],
               as_service_user=True, check=False, capture_output=True).returncode == 0


def psql(sql: str, paths: dict[str, Path], port: int, db: str = "postgres") -> str:
    out = run([str(PG_BIN / "psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1",
               "-h", str(paths["run"]), "-p", str(port), "-U", "postgres", "-d", db, "-c", sql],
              as_service_user=True, capture_output=True)
    return out.stdout.strip()


def pg_up(state: dict) -> None:
    paths = pg_paths()
    if not (paths["data"] / "PG_VERSION").exists():
        log(f"creating PostgreSQL cluster in {paths['data']}")
        run([str(PG_BIN / "initdb"), "-D", str(paths["data"]), "-U", "postgres", "-E", "UTF8",
             "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256"],
            as_service_user=True, capture_output=True)
        with open(paths["data"] / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# gridgis embedded cluster\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{paths['run']}'\n"
                "shared_buffers = 512MB\nwork_mem = 32MB\nmaintenance_work_mem = 512MB\n"
                "max_wal_size = 4GB\nrandom_page_cost = 1.1\n"
                "max_connections = 200\n"
                "# a read replica's slot (up --replica) that is never drained cannot fill the disk\n"
                "max_slot_wal_keep_size = 16GB\n"
                "# JIT compiles for tens of ms; this workload is many short queries\n"
                "jit = off\n"
            )
    port = pg_start(paths, state.get("pg_port"), what="PostgreSQL", timeout=60)
    state["pg_port"] = port
    state["pg_socket_dir"] = str(paths["run"])
    password = state.setdefault("pg_password", secrets.token_urlsafe(18))
    # Extensions go into template1 so test databases created by the (non-superuser) app
    # role inherit them; the role itself stays unprivileged, as in production.
    psql("CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS pg_trgm;",
         paths, port, db="template1")
    if psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{PG_ROLE}'", paths, port) != "1":
        psql(f"CREATE ROLE {PG_ROLE} LOGIN CREATEDB PASSWORD '{password}'", paths, port)
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{PG_DB}'", paths, port) != "1":
        psql(f"CREATE DATABASE {PG_DB} OWNER {PG_ROLE}", paths, port)
    state["database_url"] = f"postgres://{PG_ROLE}:{password}@127.0.0.1:{port}/{PG_DB}"


def pg_down() -> None:
    if not (VAR / "pg").exists():
        return
    paths = pg_paths()
    if pg_running(paths):
        log("stopping PostgreSQL")
        run([str(PG_BIN / "pg_ctl"), "-D", str(paths["data"]), "-m", "fast", "-w", "stop"],
            as_service_user=True, capture_output=True)


def create_database(name: str) -> str:
    """Create (if missing) another database on the embedded cluster; return its URL."""
    state = load_state()
    paths = pg_paths()
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'", paths, state["pg_port"]) != "1":
        psql(f"CREATE DATABASE {name} OWNER {PG_ROLE}", paths, state["pg_port"])
    return state["database_url"].rsplit("/", 1)[0] + "/" + name


def drop_database(name: str) -> None:
    state = load_state()
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", pg_paths(), state["pg_port"])


# --------------------------------------------------------------------------- read replica

def replica_paths(home: Path | None = None) -> dict[str, Path]:
    """The standby's directories: var/pg-replica unless ``home`` (a test's own)."""
    home = home or service_dir("pg-replica")
    return {"home": home, "data": home / "data", "run": home / "run", "log": home / "postgresql.log"}


def replication_prepare(state: dict) -> str:
    """On the primary: the replication role (its password in ``state``) and a pg_hba.conf
    line letting it stream over 127.0.0.1. Returns the password."""
    paths, port = pg_paths(), state["pg_port"]
    password = state.setdefault("pg_replication_password", secrets.token_urlsafe(18))
    exists = psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{PG_REPLICATION_ROLE}'", paths, port) == "1"
    verb = "ALTER" if exists else "CREATE"
    psql(f"{verb} ROLE {PG_REPLICATION_ROLE} LOGIN REPLICATION PASSWORD '{password}'", paths, port)
    hba = paths["data"] / "pg_hba.conf"
    line = f"host    replication     {PG_REPLICATION_ROLE}  127.0.0.1/32    scram-sha-256"
    if line not in hba.read_text().splitlines():
        with open(hba, "a") as conf:
            conf.write(f"# gridgis embedded read replica\n{line}\n")
        psql("SELECT pg_reload_conf()", paths, port)
    return password


def replica_running(paths: dict[str, Path]) -> bool:
    return pg_running(paths)


def replica_up(state: dict, *, home: Path | None = None, port: int | None = None,
               slot: str = PG_REPLICA_SLOT) -> str:
    """A hot standby of the embedded cluster streaming from it (pg_basebackup -R), started
    on its own port; returns its URL (the application's role and database: the whole
    cluster is copied). Kept in var/pg-replica, or in ``home`` (tests). Its replication
    ``slot`` on the primary keeps the WAL it has not replayed yet — while it is stopped
    too: drop the slot (replica_slot_drop) when the replica is gone for good."""
    paths = replica_paths(home)
    password = replication_prepare(state)
    if not (paths["data"] / "PG_VERSION").exists():
        log(f"copying the cluster into {paths['data']} (pg_basebackup)")
        replica_slot_drop(state, slot)  # of a replica wiped since
        conninfo = (f"host=127.0.0.1 port={state['pg_port']} user={PG_REPLICATION_ROLE} password={password} "
                    f"application_name={slot}")
        run([str(PG_BIN / "pg_basebackup"), "-D", str(paths["data"]), "-R", "-X", "stream", "-c", "fast",
             "-C", "-S", slot, "-d", conninfo], as_service_user=True, capture_output=True)
        with open(paths["data"] / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# gridgis embedded read replica (overrides the primary's settings above)\n"
                f"unix_socket_directories = '{paths['run']}'\n"
                "shared_buffers = 128MB\nhot_standby = on\n"
                "# long reports are not cancelled by the primary's vacuum (it waits for them)\n"
                "hot_standby_feedback = on\n"
            )
    if port is None and home is None:
        port = state.get("pg_replica_port")
    port = pg_start(paths, port, what="the read replica", timeout=120)
    if home is None:
        state["pg_replica_port"] = port
    return f"postgres://{PG_ROLE}:{state['pg_password']}@127.0.0.1:{port}/{PG_DB}"


def replica_slot_drop(state: dict, slot: str) -> None:
    """Drop the replication slot ``slot`` on the primary, if there and unused."""
    psql(f"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
         f"WHERE slot_name = '{slot}' AND NOT active", pg_paths(), state["pg_port"])


def replica_down(home: Path | None = None) -> None:
    if home is None and not (VAR / "pg-replica").exists():
        return
    paths = replica_paths(home)
    if replica_running(paths):
        log("stopping the read replica")
        run([str(PG_BIN / "pg_ctl"), "-D", str(paths["data"]), "-m", "fast", "-w", "stop"],
            as_service_user=True, capture_output=True)


# --------------------------------------------------------------------------- Mosquitto

def mqtt_dir() -> Path:
    return service_dir("mosquitto")


def mqtt_pid() -> int | None:
    if not (VAR / "mosquitto").exists():
        return None
    pid = pid_read(mqtt_dir() / "mosquitto.pid")
    return pid if pid and pid_alive(pid) else None


def pid_read(path: Path) -> int | None:
    """The process id in a pid file, or None."""
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def pid_stop(pid: int, *, timeout: float = 5.0, kill: bool = True) -> None:
    """SIGTERM; then, if ``pid`` is still there after ``timeout`` seconds, SIGKILL (unless
    not ``kill``) and as long again."""
    for sig in (signal.SIGTERM, signal.SIGKILL) if kill else (signal.SIGTERM,):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                return
            time.sleep(0.1)


def mqtt_config_write(home: Path, *, port: int, passwd: Path, acl: Path, persistence: bool = True) -> Path:
    """``home``/mosquitto.conf, the one Mosquitto configuration: that of the embedded broker
    and of the benchmarks' private brokers (bench/lib/broker.py). Pid file, log and (with
    ``persistence``) the persistence file in ``home``; one listener on 127.0.0.1:``port``;
    no anonymous clients; users from ``passwd``, their topics from ``acl``."""
    conf = home / "mosquitto.conf"
    saved = (f"persistence true\npersistence_location {home}/\nautosave_interval 10\n" if persistence
             else "persistence false\n")
    conf.write_text(
        "# generated by devstack.embedded; edits are overwritten\n"
        f"pid_file {home / 'mosquitto.pid'}\n"
        f"user {SERVICE_USER}\n"
        f"{saved}"
        f"log_dest file {home / 'mosquitto.log'}\n"
        "log_type error\nlog_type warning\nlog_type notice\n"
        "max_queued_messages 100000\n"
        f"listener {port} 127.0.0.1\n"
        "allow_anonymous false\n"
        f"password_file {passwd}\n"
        f"acl_file {acl}\n"
    )
    if IS_ROOT:
        shutil.chown(conf, SERVICE_USER, SERVICE_USER)
    return conf


def mqtt_start(home: Path, port: int, *, timeout: float = 5.0) -> int | None:
    """Start Mosquitto in the background with ``home``/mosquitto.conf; its pid once it
    listens on ``port``, or None if it does not within ``timeout`` seconds."""
    run(["mosquitto", "-c", str(home / "mosquitto.conf"), "-d"], as_service_user=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = pid_read(home / "mosquitto.pid")
        if pid and port_open(port):
            return pid
        time.sleep(0.1)
    return None


def mqtt_up(state: dict) -> None:
    home = mqtt_dir()
    password = state.setdefault("mqtt_password", secrets.token_urlsafe(18))
    port = state.get("mqtt_port")
    if mqtt_pid():
        log(f"Mosquitto already running on 127.0.0.1:{port}")
    else:
        if not port or port_open(port):
            port = free_port()
        passwd, acl = home / "passwd", home / "acl"
        _mqtt_base_credentials(home, password, state.setdefault("mqtt_gateway_password", secrets.token_urlsafe(18)))
        for final in (passwd, acl):  # iot_broker_sync adds the terminals to these
            if not final.exists():
                shutil.copyfile(home / f"{final.name}.base", final)
        mqtt_config_write(home, port=port, passwd=passwd, acl=acl)
        if IS_ROOT:
            for f in (passwd, acl):
                shutil.chown(f, SERVICE_USER, SERVICE_USER)
        log(f"starting Mosquitto on 127.0.0.1:{port}")
        if not mqtt_start(home, port):
            sys.exit(f"Mosquitto did not start; see {home / 'mosquitto.log'}")
    state["mqtt_port"] = port
    state["mqtt_url"] = f"mqtt://{MQTT_APP_USER}:{password}@127.0.0.1:{port}"
    state["mqtt_gateway_url"] = f"mqtt://{MQTT_GATEWAY_USER}:{state['mqtt_gateway_password']}@127.0.0.1:{port}"
    state["mqtt_dir"] = str(home)


def _mqtt_base_credentials(home: Path, app_password: str, gateway_password: str) -> None:
    """passwd.base and acl.base: the service users. ``manage.py iot_broker_sync`` writes
    passwd and acl from them plus one entry per terminal, and reloads the broker."""
    base = home / "passwd.base"
    if not base.exists():
        run(["mosquitto_passwd", "-b", "-c", str(base), MQTT_APP_USER, app_password], as_service_user=True)
        run(["mosquitto_passwd", "-b", str(base), MQTT_GATEWAY_USER, gateway_password], as_service_user=True)
    (home / "acl.base").write_text(
        f"user {MQTT_APP_USER}\ntopic readwrite #\n\n"
        f"user {MQTT_GATEWAY_USER}\ntopic write eldercare/+/up\ntopic write watch/+/up\n"
        "topic write owntracks/#\n\n")


def mqtt_down() -> None:
    pid = mqtt_pid()
    if pid:
        log("stopping Mosquitto")
        pid_stop(pid, kill=False)  # a clean stop: the broker saves its sessions and queues


# --------------------------------------------------------------------------- commands

def up(*, replica: bool = False) -> None:
    state = load_state()
    if os.environ.get("DATABASE_URL"):
        log("DATABASE_URL is set: using the external database")
    else:
        pg_up(state)
        if replica or (VAR / "pg-replica").exists():  # once asked for, started with the rest
            state["database_replica_url"] = replica_up(state)
    if os.environ.get("MQTT_URL"):
        log("MQTT_URL is set: using the external broker")
    else:
        mqtt_up(state)
    save_state(state)


def down() -> None:
    replica_down()
    pg_down()
    mqtt_down()


def status() -> None:
    state = load_state()
    pg = "running" if (VAR / "pg").exists() and pg_running(pg_paths()) else "stopped"
    print(f"postgresql: {pg} (port {state.get('pg_port')})")
    if (VAR / "pg-replica").exists():
        replica = "running" if replica_running(replica_paths()) else "stopped"
        print(f"read replica: {replica} (port {state.get('pg_replica_port')})")
    print(f"mosquitto:  {'running' if mqtt_pid() else 'stopped'} (port {state.get('mqtt_port')})")


def reset() -> None:
    down()
    for name in ("pg", "pg-replica", "mosquitto"):
        link = VAR / name
        if link.is_symlink():  # kept outside the checkout (see service_dir)
            target = link.resolve()
            shutil.rmtree(target, ignore_errors=True)
            if target.parent.name.startswith("gridgis-") and not any(target.parent.iterdir()):
                target.parent.rmdir()
    shutil.rmtree(VAR, ignore_errors=True)
    log("var/ wiped")


if __name__ == "__main__":
    commands = {"up": up, "down": down, "status": status, "reset": reset}
    flags = sys.argv[2:]
    if len(sys.argv) < 2 or sys.argv[1] not in commands or flags not in ([], ["--replica"]) \
            or (flags and sys.argv[1] != "up"):
        sys.exit(f"usage: python3 -m devstack.embedded {{{'|'.join(commands)}}} (up --replica: with a read replica)")
    if flags:
        up(replica=True)
    else:
        commands[sys.argv[1]]()
