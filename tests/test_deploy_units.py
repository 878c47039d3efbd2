"""The systemd units of docs/deploy/systemd: valid for systemd (`systemd-analyze verify`,
installed where the checkout is), and one for every process of the Procfile that a
production machine runs, starting the same command."""
from __future__ import annotations

import getpass
import grp
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from devstack.procfile import procfile_commands

ROOT = Path(__file__).resolve().parents[1]
UNITS = ROOT / "docs" / "deploy" / "systemd"
DEVELOPMENT_ONLY = {"simulator"}  # the terminal simulator feeds the demo, not a district


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_units_are_valid_where_the_checkout_is(tmp_path):
    env = tmp_path / "environment"
    env.write_text("PORT=8000\nWEB_WORKERS=2\n")
    for unit in UNITS.iterdir():
        text = (unit.read_text().replace("/srv/grid", str(ROOT)).replace("/etc/grid/grid.env", str(env))
                .replace("User=grid", f"User={getpass.getuser()}")
                .replace("Group=grid", f"Group={grp.getgrgid(os.getgid()).gr_name}"))
        (tmp_path / unit.name.replace("@.", "@1.")).write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.glob("grid*"))],
                            capture_output=True, text=True)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_every_production_process_has_a_unit_running_its_command():
    starts = {unit.name: re.search(r"^ExecStart=(.*)$", unit.read_text(), re.M).group(1)
              for unit in UNITS.glob("*.service")}
    for name, command in procfile_commands().items():
        if name in DEVELOPMENT_ONLY:
            continue
        program = command.split()[:3] if "manage.py" in command else command.split()[:2]
        core = " ".join(word.removeprefix(".venv/bin/") for word in program)
        assert any(core in start.replace("/srv/grid/.venv/bin/", "") for start in starts.values()), (
            f"no unit in docs/deploy/systemd starts the Procfile's {name}: {command}")
