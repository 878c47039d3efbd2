"""Child processes that end within a bounded time, whatever they do."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


def exit_on_sigterm() -> None:
    """Make SIGTERM (bench/run_all.py's timeout, say) end the run like an exception, through
    its ``finally`` blocks: private brokers, servers and bench rows are then cleaned up."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def children(ppid: int) -> list[int]:
    """The processes whose parent is ``ppid``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == ppid:
                    pids.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                pass
    return pids


def descendants(pid: int) -> list[int]:
    """Children, grandchildren … of ``pid``, parents before their children."""
    found, queue = [], [pid]
    while queue:
        for child in children(queue.pop(0)):
            found.append(child)
            queue.append(child)
    return found


def kill(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def groups_kill(groups) -> None:
    """SIGKILL to each process group (what is left of it)."""
    for group in groups:
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def subreaper_become() -> bool:
    """Make this process adopt its orphaned descendants (Linux PR_SET_CHILD_SUBREAPER), so
    that what a killed child left behind — detached, in sessions of its own — can still be
    found among our descendants and ended. False where that is not available."""
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True  # gone


def command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def descendants_end() -> list[str]:
    """SIGKILL every descendant of this process, then reap the children; the commands
    of those killed."""
    left = [pid for pid in descendants(os.getpid()) if not _zombie(pid)]  # zombies: only to reap
    commands = [command(pid) for pid in left]
    kill(left[::-1])
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
    return commands


def popen_stop(process: subprocess.Popen, *, timeout: float = 20.0, group: bool = False) -> None:
    """SIGTERM (to its process group if ``group``: it was started with
    ``start_new_session=True``), up to ``timeout`` seconds, then SIGKILL."""
    def send(sig: int) -> None:
        try:
            if group:
                os.killpg(process.pid, sig)
            else:
                process.send_signal(sig)
        except ProcessLookupError:
            pass

    if process.poll() is None:
        send(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            send(signal.SIGKILL)
            process.wait(timeout)
    elif group:
        send(signal.SIGKILL)  # what it left behind in its group


def mp_stop(process, *, timeout: float = 10.0) -> None:
    """A multiprocessing.Process: up to ``timeout`` seconds to end by itself, as long after
    SIGTERM, then SIGKILL."""
    if process.pid is None:  # never started
        return
    process.join(timeout)
    if process.is_alive():
        process.terminate()
        process.join(timeout)
    if process.is_alive():
        process.kill()
        process.join(timeout)
