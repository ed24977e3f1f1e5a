"""The command line: --version, db upgrade, and `run` answering /healthz on a real port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from feedbridge_sandbox.core.server import free_port


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDBRIDGE_")}
    env["FEEDBRIDGE_HOME"] = str(home)
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "feedbridge.cli", *args]


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    out = subprocess.run(_cli("--version"), env=_env(tmp_path), capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "feedbridge 0.1.0"


def test_run_prints_the_url_and_answers_healthz(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(_cli("run", "--port", str(port)), env=_env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        lines = []
        for _ in range(40):
            lines.append(proc.stdout.readline())
            if f"Open http://127.0.0.1:{port}/" in lines[-1]:
                break
        else:
            raise AssertionError(f"run did not print the URL: {lines}")
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert body["checks"]["database"] == "ok" and body["checks"]["queue"].startswith("ok")
        assert "TikTok Shop" in httpx.get(f"http://127.0.0.1:{port}/", timeout=5).text
        assert (tmp_path / "feedbridge.db").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_db_upgrade_creates_the_database(tmp_path: Path) -> None:
    out = subprocess.run(_cli("db", "upgrade"), env=_env(tmp_path), capture_output=True, text=True, check=True)
    assert "Database is at head" in out.stdout
    assert (tmp_path / "feedbridge.db").stat().st_size > 0
