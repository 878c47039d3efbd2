"""devstack.procfile: the Procfile's commands as argvs for this Python."""
import sys

from devstack.procfile import procfile_argv, procfile_commands


def test_every_process_is_read_by_name():
    assert {"web", "ingester", "worker", "clock", "smpp"} <= set(procfile_commands())


def test_python_commands_run_on_this_interpreter():
    argv = procfile_argv("worker")
    assert argv[:3] == [sys.executable, "manage.py", "procrastinate"]


def test_tools_run_as_modules_with_the_values_given_or_the_defaults():
    argv = procfile_argv("web", PORT=8123)
    assert argv[:4] == [sys.executable, "-m", "uvicorn", "config.asgi:application"]
    assert argv[argv.index("--port") + 1] == "8123"
    assert argv[argv.index("--workers") + 1] == "2"  # ${WEB_WORKERS:-2}
