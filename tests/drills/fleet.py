"""A fleet of `feedbridge worker` processes (`python -m feedbridge.cli worker`), exactly one with --periodic,
that a drill can kill with SIGKILL at random moments and restart."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
from pathlib import Path


class WorkerFleet:
    """`size` worker processes sharing one environment; slot 0 runs the periodic tasks and the sweeper."""

    def __init__(self, env: dict[str, str], cwd: Path, logs: Path, size: int = 3, threads: int = 4) -> None:
        self.env, self.cwd, self.logs = env, cwd, logs
        self.threads = threads
        self.procs: list[subprocess.Popen[bytes] | None] = [None] * size
        self.kills = 0
        self._lock = threading.Lock()
        self._chaos: threading.Thread | None = None
        self._stop_chaos = threading.Event()

    def start(self, slot: int) -> None:
        args = [sys.executable, "-m", "feedbridge.cli", "worker", "--workers", str(self.threads)]
        if slot == 0:
            args.append("--periodic")
        log = (self.logs / f"worker-{slot}.log").open("ab")
        self.procs[slot] = subprocess.Popen(args, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start_all(self) -> None:
        for slot in range(len(self.procs)):
            self.start(slot)

    def kill_one(self, rng: random.Random) -> int:
        """SIGKILL a random worker and start a new one in its place; returns the slot."""
        with self._lock:
            slot = rng.randrange(len(self.procs))
            proc = self.procs[slot]
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)
                self.kills += 1
            self.start(slot)
            return slot

    def start_chaos(self, rng: random.Random, every: tuple[float, float]) -> None:
        """Kill a random worker every `every` seconds (uniformly drawn) until `stop_chaos`."""
        def run() -> None:
            while not self._stop_chaos.wait(rng.uniform(*every)):
                self.kill_one(rng)

        self._chaos = threading.Thread(target=run, name="drill-chaos", daemon=True)
        self._chaos.start()

    def stop_chaos(self) -> None:
        self._stop_chaos.set()
        if self._chaos is not None:
            self._chaos.join(timeout=15)

    def alive(self) -> int:
        return sum(1 for p in self.procs if p is not None and p.poll() is None)

    def stop(self) -> None:
        """SIGTERM every worker (graceful), then SIGKILL whatever is left after 30 s."""
        self.stop_chaos()
        for proc in self.procs:
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            if proc is None:
                continue
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
