"""`make demo`, the README's first command: the example backend generated, installed,
migrated and served, with its docs answering."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, free_port

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("generated-backends")]


def test_make_demo_serves_the_example_with_its_docs(tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "demo.log").open("w")
    process = subprocess.Popen(
        ["make", "demo"],
        cwd=ROOT,
        env={**os.environ, "PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "demo.log").read_text()[-3000:]
            try:
                docs = httpx.get(f"http://127.0.0.1:{port}/docs", timeout=2)
                if docs.status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(1)
        else:
            raise AssertionError("make demo did not serve within 10 minutes")
        assert "swagger" in docs.text.lower()
        spec = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5).json()
        assert spec["info"]["title"] == "Taskflow API"
        assert httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5).json() == {"status": "ready"}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
