"""Every example backend fuzzed by schemathesis through its own `make fuzz-api`, the command
its README gives: served on SQLite and on PostgreSQL, signed in, a bounded number of test
cases per operation, and every check but positive_data_acceptance (the Makefile says why):
no server error, and every status code, content type, header and body as documented."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import GENERATED_EXAMPLES, free_port, run

pytestmark = [pytest.mark.slow]

# Schemathesis from our own dev dependencies, beside this interpreter; the generated
# Makefile runs whichever SCHEMATHESIS names.
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# Test cases per operation, as `make fuzz-api` runs by default: well under a minute per
# example and database on two cores.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
# One seed, so that CI repeats its runs; FUZZ_SEED=random explores.
SEED = os.environ.get("FUZZ_SEED", "20261202")
TIMEOUT = 600


@dataclass
class Fuzzed:
    """What one `make fuzz-api` run printed, and its summary."""

    returncode: int
    output: str
    seconds: float

    def number(self, pattern: str) -> int:
        found = re.search(pattern, self.output)
        return int(found.group(1)) if found else -1

    @property
    def operations(self) -> int:
        return self.number(r"Tested: (\d+)")

    @property
    def selected(self) -> int:
        return self.number(r"Operations: +\d+ selected / (\d+) total")

    @property
    def cases(self) -> int:
        return self.number(r"(\d+) generated")

    @property
    def failures(self) -> int:
        found = re.search(r"=+ (\d+) failures?", self.output)
        return int(found.group(1)) if found else 0

    def refused(self) -> list[str]:
        """Operations that answered the signed-in account only 401."""
        block = re.search(r"401 Unauthorized \(\d+ operations?\):\n((?:  - .*\n)+)", self.output)
        return [line[4:] for line in block.group(1).splitlines()] if block else []

    def report(self) -> str:
        """What schemathesis found (each failure with a curl command that reproduces it), its
        summary, and what the server logged as warnings and errors (the cause of a 5xx)."""
        found = self.output.partition("= FAILURES =")[2] or self.output[-6000:]
        # Up to schemathesis's closing line: the server's log follows.
        closing = re.search(r"^=+ .* in [\d.]+s =+$", found, re.M)
        found = found[: closing.end()] if closing else found
        logged = [
            line[:2000]
            for line in self.output.splitlines()
            if '"level": "ERROR"' in line or '"level": "WARNING"' in line
        ]
        return "\n".join([found[-20000:], *logged[:20]])

    def summary(self, name: str, database: str) -> str:
        return (
            f"{name} on {database}: {self.operations} operations, {self.cases} test cases, "
            f"{self.failures} failures, {self.seconds:.0f} s"
        )


def fuzz(
    venv: Path, project: Path, database_url: str = "", env: dict[str, str] | None = None
) -> Fuzzed:
    """`make fuzz-api` in `project`, with the shared virtualenv and our schemathesis."""
    environment = {**os.environ, **(env or {})}
    for name in ("VIRTUAL_ENV", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "DATABASE_URL"):
        environment.pop(name, None)
    seed = [] if SEED == "random" else ["--seed", SEED]
    arguments = " ".join(["--no-color", "--generation-database", "none", *seed])
    command = [
        "make",
        "--no-print-directory",
        "fuzz-api",
        # The virtualenv is built (the `venv` fixture): make must not rebuild it.
        "-o",
        str(venv / ".installed"),
        f"VENV={venv}",
        f"SCHEMATHESIS={SCHEMATHESIS}",
        f"FUZZ_EXAMPLES={EXAMPLES}",
        f"FUZZ_DATABASE_URL={database_url}",
        f"FUZZ_ARGS={arguments}",
    ]
    started = time.monotonic()
    try:
        result = subprocess.run(
            command,
            cwd=project,
            env=environment,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    finally:
        # Schemathesis keeps the failures it found (`st replay`) beside the project's files;
        # other tests read those files.
        shutil.rmtree(project / ".schemathesis", ignore_errors=True)
    return Fuzzed(result.returncode, result.stdout + result.stderr, time.monotonic() - started)


ISSUE = """
import json
from datetime import timedelta
from tests.issuer import ISSUER
token = ISSUER.token("fuzz-subject", email="fuzz@example.com", name="Fuzz", lifetime=timedelta(hours=1))
print(json.dumps({"jwks": ISSUER.jwks(), "token": token}))
"""


@contextmanager
def issuer(venv: Path, project: Path) -> Iterator[dict[str, str]]:
    """The project's own test issuer (tests/issuer.py) behind a local JWKS endpoint: the
    settings that make the served API trust it, and a token it signed."""
    issued = run(venv, project, "python", "-c", ISSUE)
    assert issued.returncode == 0, issued.stderr[-2000:]
    keys = json.loads(issued.stdout)
    body = json.dumps(keys["jwks"]).encode()

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Keys)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"JWKS_URL": f"http://127.0.0.1:{port}/jwks", "FUZZ_TOKEN": keys["token"]}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def signed_in(venv: Path, project: Path) -> Iterator[dict[str, str]]:
    """What `make fuzz-api` needs to sign in: nothing where the API signs its own tokens."""
    if (project / "tests" / "issuer.py").exists():
        with issuer(venv, project) as env:
            yield env
    else:
        yield {}


def fuzz_example(
    venv: Path, projects: dict[str, Path], name: str, database: str, database_url: str = ""
) -> None:
    project = projects[name]
    with signed_in(venv, project) as env:
        result = fuzz(venv, project, database_url, env)
    print(result.summary(name, database))
    assert result.returncode == 0, result.report()
    assert result.failures == 0, result.report()
    # A run that reached every operation, signed in, with the test cases it was asked for.
    assert result.operations == result.selected > 20, result.report()
    assert result.cases >= result.operations * EXAMPLES, result.report()
    assert not [op for op in result.refused() if op.endswith("/users/me")], result.report()


@pytest.mark.xdist_group("generated-backends")
@pytest.mark.parametrize("name", GENERATED_EXAMPLES)
def test_schemathesis_finds_nothing_on_sqlite(
    venv: Path, projects: dict[str, Path], name: str
) -> None:
    fuzz_example(venv, projects, name, "SQLite")


@pytest.mark.postgres
@pytest.mark.xdist_group("generated-backends-b")
@pytest.mark.parametrize("name", GENERATED_EXAMPLES)
def test_schemathesis_finds_nothing_on_postgres(
    venv: Path, projects: dict[str, Path], postgres_url: str, name: str
) -> None:
    fuzz_example(venv, projects, name, "PostgreSQL", postgres_url)
