"""The SMSC simulator (devstack/smsc.py) as a process of its own, as a real gateway is:
in the benchmark's process it would share the GIL with the platform's sending thread and
slow both sides. It logs every whole message it accepts ("accepted <epoch> <destination>
<message id>"), read here into ``accepted`` (destination → epoch seconds of the first)."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.lib.processes import popen_stop

ROOT = Path(__file__).resolve().parents[2]
START_S = 20


class SmscProcess:
    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "devstack.smsc", "--log"], cwd=ROOT,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.accepted: dict[str, float] = {}
        self.count = 0
        self._ready = threading.Event()
        self.url = ""
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(START_S):
            self.stop()
            raise RuntimeError(f"the SMSC simulator did not start within {START_S} s")
        parts = urlsplit(self.url)
        self.port, self.system_id, self.password = parts.port, parts.username, parts.password

    def _read(self) -> None:
        for line in self.process.stdout:
            if line.startswith("SMPP_URL="):
                self.url = line.strip().split("=", 1)[1]
                self._ready.set()
            elif line.startswith("accepted "):
                _word, at, destination, _id = line.split()
                self.accepted.setdefault(destination, float(at))
                self.count += 1

    def wait_for(self, destination: str, timeout: float) -> float | None:
        """When the first message to ``destination`` was accepted (epoch s), or None after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if destination in self.accepted:
                return self.accepted[destination]
            time.sleep(0.02)
        return None

    def stop(self) -> None:
        popen_stop(self.process, timeout=10)

    def __enter__(self) -> SmscProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
