"""The Procfile's processes, for the tests and benchmarks that start one as `make run` does
(so that they run what production runs, not a copy of its options)."""
from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

PROCFILE = Path(__file__).resolve().parents[1] / "Procfile"
_DEFAULTED = re.compile(r"\$\{(\w+):-([^}]*)\}")


def procfile_commands() -> dict[str, str]:
    """Process name → its command line, as written."""
    lines = PROCFILE.read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def procfile_argv(name: str, **values: object) -> list[str]:
    """The command of process ``name`` as an argv run by this Python (``.venv/bin/python``
    and ``.venv/bin/<tool>`` become ``sys.executable`` [``-m <tool>``]); each
    ``${VAR:-default}`` takes ``values[VAR]`` when given, else its default."""
    command = _DEFAULTED.sub(lambda m: str(values.get(m[1], m[2])), procfile_commands()[name])
    program, *arguments = shlex.split(command)
    tool = Path(program).name
    return [sys.executable, *arguments] if tool == "python" else [sys.executable, "-m", tool, *arguments]
