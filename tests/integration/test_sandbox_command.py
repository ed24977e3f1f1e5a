"""`feedbridge sandbox --manifest FILE` starts every sandbox on loopback and writes what programs need."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx


def test_sandbox_command_writes_a_manifest_other_programs_can_use(tmp_path: Path) -> None:
    manifest = tmp_path / "sandboxes.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDBRIDGE_")}
    env["FEEDBRIDGE_HOME"] = str(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "feedbridge.cli", "sandbox", "--empty", "--manifest",
                             str(manifest)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not manifest.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        data = json.loads(manifest.read_text())
        assert set(data) == {"tiktok", "shopify", "bigcommerce", "woocommerce", "magento"}
        tiktok = data["tiktok"]
        assert tiktok["app_key"] and tiktok["app_secret"] and tiktok["api_url"].startswith("http://127.0.0.1:")
        assert {"id", "cipher", "region", "access_token"} <= set(tiktok["shops"][0])
        for name in ("shopify", "bigcommerce", "woocommerce", "magento"):
            store = data[name]
            assert store["base_url"].startswith("http://127.0.0.1:") and store["credentials"]
            assert httpx.get(f"{store['base_url']}/_sandbox/faults", timeout=10).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)
