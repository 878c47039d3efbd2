"""CPU seconds: of given processes, of one database's PostgreSQL backends, and of the
whole machine — its two cores are shared, so a rate means little without what else ran."""
from __future__ import annotations

import os
import time
from pathlib import Path

from bench.lib.processes import children
from devstack import embedded

TICK = os.sysconf("SC_CLK_TCK")
POSTMASTER_PID = embedded.VAR / "pg/data/postmaster.pid"


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of ``pid`` so far (0 once it is gone)."""
    return process_cpu_path(Path(f"/proc/{pid}/stat"))


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the machine so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / TICK, sum(values[:8]) / TICK


class CpuMeter:
    """CPU seconds used between start() and stop(): by the processes taking part, by the
    backends of ``db``'s database (a psycopg connection), and by everything else on the
    machine (other people's tests, other databases)."""

    def __init__(self, processes: dict[str, int | None], db) -> None:
        self.processes = {name: pid for name, pid in processes.items() if pid}
        self.processes["harness"] = os.getpid()
        self.postmaster = embedded.pid_read(POSTMASTER_PID)
        self.db = db

    def _backends(self) -> set[int]:
        with self.db.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            return {row[0] for row in cursor.fetchall()}

    def _sample(self) -> dict[str, float]:
        sample = {name: process_cpu(pid) for name, pid in self.processes.items()}
        if self.postmaster:
            every = {pid: process_cpu(pid) for pid in children(self.postmaster)}
            sample["postgres grid_bench"] = sum(cpu for pid, cpu in every.items() if pid in self.backends)
            sample["postgres rest"] = sum(cpu for pid, cpu in every.items() if pid not in self.backends)
        sample["machine"] = machine_busy()[0]
        return sample

    def start(self) -> None:
        self.backends = self._backends()
        self.before, self.started = self._sample(), time.monotonic()

    def stop(self, **ended: float) -> None:
        """``ended``: CPU seconds of processes that ended before this (they report their own)."""
        self.backends |= self._backends()
        self.after, self.wall = self._sample(), time.monotonic() - self.started
        self.ended = ended

    def used(self) -> dict[str, float]:
        used = {name: self.after[name] - self.before.get(name, 0.0) for name in self.after}
        used.update(self.ended)
        machine = used.pop("machine")
        used.pop("postgres rest", None)  # other databases: part of what is not ours
        used["not ours"] = max(0.0, machine - sum(used.values()))
        used["machine"] = machine
        return used

    def report(self) -> str:
        parts = [f"{name} {seconds:.1f} s ({seconds / self.wall:.0%})" if seconds >= 0 else f"{name} (ended)"
                 for name, seconds in self.used().items()]
        return f"  CPU over {self.wall:.1f} s (100 % = one core of {os.cpu_count()}): " + ", ".join(parts)


def threads_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds so far of ``pid``'s main thread and of its other threads together (a
    gone thread's time is lost from the second figure: sample threads that live as long as
    the measurement)."""
    main = others = 0.0
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return 0.0, 0.0
    for task in tasks:
        seconds = process_cpu_path(task / "stat")
        if task.name == str(pid):
            main = seconds
        else:
            others += seconds
    return main, others


def process_cpu_path(stat: Path) -> float:
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
        return 0.0


class ThreadSplit:
    """CPU seconds of a process's main thread and of its other threads between start()
    and stop(): for the ingester and the floor, the writer (main thread) against the MQTT
    network thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def start(self) -> None:
        self.before = threads_cpu(self.pid)

    def stop(self) -> None:
        after = threads_cpu(self.pid)
        self.main, self.others = after[0] - self.before[0], after[1] - self.before[1]
