"""The local stack as a whole: bring it up in order, take it down in reverse, restart one part."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from local_stack import components as spec
from local_stack.processes import Component, ProcessManager, StackError


class LocalStack:
    def __init__(self, say: Callable[[str], None] = print) -> None:
        self.processes = ProcessManager(spec.STATE_DIR)
        self.env = spec.base_environment()
        self.components = {c.name: c for c in spec.components()}
        self.say = say

    def _component(self, name: str) -> Component:
        try:
            return self.components[name]
        except KeyError:
            raise StackError(f"no component named {name!r}; known: {', '.join(self.components)}") from None

    def start(self, name: str) -> bool:
        """Start one component and wait until it is healthy; False if it was already running."""
        started = self.processes.start(self._component(name), self.env)
        self.say(f"  {name:<15} {'started' if started else 'already running'}")
        return started

    def stop(self, name: str) -> bool:
        stopped = self.processes.stop(self._component(name))
        self.say(f"  {name:<15} {'stopped' if stopped else 'not running'}")
        return stopped

    def seed(self, force: bool = False) -> None:
        """Load the demo data; without `force`, the seed job skips data that is already there."""
        log = self.processes.log_path("seed")
        with log.open("ab") as out:
            command = spec.seed_command() + (["--force"] if force else [])
            result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=self.env, cwd=spec.REPO)
        if result.returncode != 0:
            raise StackError(f"seed failed with code {result.returncode}; last lines of {log}:\n{self.processes.log_tail('seed')}")
        self.say(f"  {'seed':<15} {self.processes.log_tail('seed').splitlines()[-1].strip()[:100]}")

    def up(self) -> list[str]:
        """Start everything not yet running; returns the names this call started."""
        started = []
        for name in self.components:
            if name == "auth":  # the services need their data; Mongo is up by now
                self.seed()
            if self.start(name):
                started.append(name)
        return started

    def down(self, names: list[str] | None = None) -> None:
        for name in reversed(names if names is not None else list(self.components)):
            self.stop(name)

    def status(self) -> dict[str, str]:
        result = {}
        for name, component in self.components.items():
            if self.processes.pid(name) is None:
                result[name] = "stopped"
            else:
                result[name] = "healthy" if self.processes.is_healthy(component) else "unhealthy"
        return result
