"""Start, health-check and stop background processes, tracked by pid files under `.local/`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
POLL_S = 0.1
LOG_TAIL_LINES = 25


@dataclass(frozen=True)
class Component:
    """One process of the stack and how to tell that it is up."""

    name: str
    argv: list[str]
    port: int
    # An URL that answers 2xx once the process can do its job; without one, an open port will do.
    health_url: str | None = None
    env: dict[str, str] = field(default_factory=dict)


class StackError(RuntimeError):
    """A component could not be started or stopped; the message says which and why."""


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((host, port)) == 0


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError):
        return False


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name: [state, ppid, ...]; None if there is no such process."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    except (OSError, IndexError):
        return None


def _alive(pid: int) -> bool:
    fields = _stat_fields(pid)
    # A zombie is dead for our purposes: it holds no port and will never answer.
    return fields is not None and fields[0] != "Z"


def _start_time(pid: int) -> str:
    """Clock ticks since boot when the process started: tells a recycled pid from ours."""
    fields = _stat_fields(pid)
    return fields[19] if fields else ""


class ProcessManager:
    """Owns `.local/run/*.pid` and `.local/logs/*.log`; touches no process it did not start."""

    def __init__(self, state_dir: Path) -> None:
        self.run_dir = state_dir / "run"
        self.log_dir = state_dir / "logs"
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def _pid_path(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    def pid(self, name: str) -> int | None:
        """The pid of a running component we started; a stale pid file (after a crash) is removed."""
        path = self._pid_path(name)
        try:
            pid_text, started = path.read_text().split()
            pid = int(pid_text)
        except (OSError, ValueError):
            path.unlink(missing_ok=True)
            return None
        if _alive(pid) and _start_time(pid) == started:
            return pid
        path.unlink(missing_ok=True)
        return None

    def is_healthy(self, component: Component) -> bool:
        if component.health_url:
            return _http_ok(component.health_url)
        return port_open(component.port)

    def log_tail(self, name: str) -> str:
        try:
            lines = self.log_path(name).read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(lines[-LOG_TAIL_LINES:])

    def start(self, component: Component, base_env: dict[str, str]) -> bool:
        """Start and wait until healthy. Returns False if it was already running (ours)."""
        if self.pid(component.name) is not None:
            return False
        if port_open(component.port):
            raise StackError(
                f"{component.name}: port {component.port} is already in use by a process local-up did not start"
            )
        with self.log_path(component.name).open("ab") as log:
            log.write(f"\n--- {time.strftime('%Y-%m-%dT%H:%M:%S')} starting: {' '.join(component.argv)}\n".encode())
            log.flush()
            process = subprocess.Popen(
                component.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**base_env, **component.env},
                # Its own process group, so stop() reaches children and Ctrl-C in the shell does not.
                start_new_session=True,
            )
        self._pid_path(component.name).write_text(f"{process.pid} {_start_time(process.pid)}")
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self._pid_path(component.name).unlink(missing_ok=True)
                raise StackError(
                    f"{component.name} exited with code {process.returncode} while starting; "
                    f"last lines of {self.log_path(component.name)}:\n{self.log_tail(component.name)}"
                )
            if self.is_healthy(component):
                return True
            time.sleep(POLL_S)
        self.stop(component)
        raise StackError(
            f"{component.name} was not healthy after {START_TIMEOUT_S:.0f}s "
            f"(waited for {component.health_url or f'port {component.port}'}); "
            f"last lines of its log:\n{self.log_tail(component.name)}"
        )

    def stop(self, component: Component) -> bool:
        """SIGTERM the component's process group, SIGKILL it if it lingers. False if it was not running."""
        pid = self.pid(component.name)
        if pid is None:
            return False
        self._signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(POLL_S)
        if _alive(pid):
            self._signal_group(pid, signal.SIGKILL)
            while _alive(pid):
                time.sleep(POLL_S)
        # stop() may run in the process that started it: reap the child so it leaves no zombie.
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        self._pid_path(component.name).unlink(missing_ok=True)
        # The listening socket closes with the process; wait so a restart on the same port cannot race it.
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while port_open(component.port) and time.monotonic() < deadline:
            time.sleep(POLL_S)
        return True

    @staticmethod
    def _signal_group(pid: int, signum: signal.Signals) -> None:
        try:
            os.killpg(pid, signum)
        except ProcessLookupError:
            pass
