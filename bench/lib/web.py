"""The web server as the Procfile starts it, for the benchmarks that talk to it."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.lib.processes import popen_stop
from devstack.procfile import procfile_argv

ROOT = Path(__file__).resolve().parents[2]
START_S = 30  # the longest wait for it to listen


class WebServer:
    """uvicorn with the Procfile's options, on a free port, against the database ``db_url``."""

    def __init__(self, db_url: str, workers: int) -> None:
        from devstack import embedded

        self.port = embedded.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": db_url, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost"}
        self.process = subprocess.Popen(
            procfile_argv("web", PORT=self.port, WEB_WORKERS=workers),
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            if embedded.port_open(self.port):
                return
            time.sleep(0.1)
        self.stop()
        sys.exit("the web server did not start")

    def stop(self) -> None:
        """uvicorn and its workers (its process group)."""
        popen_stop(self.process, timeout=20, group=True)
