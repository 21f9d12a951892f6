"""The generated taskflow backend in `auth.mode: jwks` beside a real Better Auth server.

Better Auth (npm `better-auth` and `pg`, email and password, the JWT plugin, PostgreSQL)
runs on Node on a free local port; two users sign up there and fetch their JWTs; the
generated backend trusts that server's JWKS and is driven over HTTP: each user sees only
their own tasks, and tokens that are tampered, expired, from another issuer or for another
audience are refused.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import httpx
import jwt
import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.conftest import POSTGRES_URL, require_service, run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.xdist_group("generated-backends-b"),
]

SERVER = Path(__file__).with_name("better_auth")
PASSWORD = "a long enough password"
STARTUP_SECONDS = 60


def unavailable(message: str) -> NoReturn:
    """Skip on a developer machine that lacks what the test needs; fail in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{message}, and CI must run every test", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the test cluster, dropped afterwards."""
    require_service("PostgreSQL", POSTGRES_URL, 5432)
    name = f"fa_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=10) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(POSTGRES_URL)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=10) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def serve(
    command: list[str], cwd: Path, env: dict[str, str], ready: str, log: Path
) -> Iterator[None]:
    """Run a server until the block ends; ready once `ready` answers 200."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise AssertionError(f"{command[0]} exited early:\n{tail(log)}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{ready} was not ready in {STARTUP_SECONDS}s:\n{tail(log)}")
            try:
                if httpx.get(ready, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass  # not listening yet
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:] if log.exists() else ""


@pytest.fixture(scope="session")
def better_auth_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory outside the repository with the server script and its npm packages."""
    require_service("PostgreSQL", POSTGRES_URL, 5432)  # checked first: it costs nothing
    if shutil.which("node") is None or shutil.which("npm") is None:
        unavailable("Node.js and npm are needed to run a Better Auth server")
    try:
        ping = subprocess.run(
            ["npm", "ping", "--fetch-retries=0", "--fetch-timeout=20000"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        unavailable("npm cannot reach its registry (npm ping timed out)")
    if ping.returncode != 0:
        reason = [line for line in ping.stderr.splitlines() if "Error" in line][:1]
        unavailable(f"npm cannot reach its registry (npm ping failed): {' '.join(reason)}")
    root = tmp_path_factory.mktemp("better-auth")
    for name in ("package.json", "package-lock.json", "server.mjs"):
        shutil.copy(SERVER / name, root / name)
    installed = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr[-4000:]
    return root


@dataclass(frozen=True)
class BetterAuth:
    base: str
    database: str


@pytest.fixture(scope="module")
def better_auth(better_auth_install: Path) -> Iterator[BetterAuth]:
    """A Better Auth server on a free port with its own fresh database."""
    with fresh_database() as database:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            "DATABASE_URL": database,
            # At least 32 random characters, and the same one for the server's whole life.
            "BETTER_AUTH_SECRET": secrets.token_urlsafe(32),
            "PORT": str(port),
        }
        with serve(
            ["node", "server.mjs"],
            better_auth_install,
            env,
            f"{base}/api/auth/ok",
            better_auth_install / f"server-{port}.log",
        ):
            yield BetterAuth(base, database)


@dataclass(frozen=True)
class Account:
    user_id: str
    email: str
    name: str
    token: str


def sign_up(auth: BetterAuth, name: str) -> Account:
    """Sign up on Better Auth, then ask it for a JWT with the session cookie it set."""
    email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
    with httpx.Client(base_url=auth.base, timeout=10) as client:
        signed_up = client.post(
            "/api/auth/sign-up/email", json={"email": email, "password": PASSWORD, "name": name}
        )
        assert signed_up.status_code == 200, signed_up.text
        user = signed_up.json()["user"]
        assert user["email"] == email
        issued = client.get("/api/auth/token")
        assert issued.status_code == 200, issued.text
        return Account(user["id"], email, name, issued.json()["token"])


@pytest.fixture(scope="module")
def accounts(better_auth: BetterAuth) -> dict[str, Account]:
    return {name: sign_up(better_auth, name) for name in ("Alice", "Bob")}


@pytest.fixture(scope="module")
def backend(
    venv: Path,
    projects: dict[str, Path],
    better_auth: BetterAuth,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """The generated taskflow-jwks backend, migrated on its own database, trusting Better Auth."""
    project = projects["taskflow-jwks"]
    with fresh_database() as database:
        env = {
            "APP_ENV": "production",
            "DATABASE_URL": database,
            "JWKS_URL": f"{better_auth.base}/api/auth/jwks",
            "JWT_ISSUER": better_auth.base,
            "JWT_AUDIENCE": better_auth.base,
            "JWT_ALGORITHMS": '["EdDSA"]',
            "LOG_LEVEL": "WARNING",
        }
        migrated = run(venv, project, "alembic", "upgrade", "head", env=env, timeout=120)
        assert migrated.returncode == 0, migrated.stderr[-4000:]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        command = [str(venv / "bin" / "uvicorn"), "app.main:create_app", "--factory"]
        with serve(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            project,
            env,
            f"{base}/ready",
            tmp_path_factory.mktemp("backend") / "uvicorn.log",
        ):
            yield f"{base}/api/v1"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def claims_of(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def test_better_auth_issues_eddsa_tokens_for_its_own_base_url(
    better_auth: BetterAuth, accounts: dict[str, Account]
) -> None:
    keys = httpx.get(f"{better_auth.base}/api/auth/jwks", timeout=10).json()["keys"]
    assert len(keys) == 1
    (key,) = keys
    assert (key["kty"], key["crv"], key["alg"]) == ("OKP", "Ed25519", "EdDSA")
    assert "d" not in key, "the JWKS must not publish private key material"
    alice = accounts["Alice"]
    assert jwt.get_unverified_header(alice.token) == {"alg": "EdDSA", "kid": key["kid"]}
    claims = claims_of(alice.token)
    assert claims["iss"] == claims["aud"] == better_auth.base
    assert claims["sub"] == alice.user_id
    assert (claims["email"], claims["name"]) == (alice.email, alice.name)
    assert claims["exp"] - claims["iat"] == 15 * 60


def test_each_user_sees_only_their_own_tasks(backend: str, accounts: dict[str, Account]) -> None:
    alice, bob = accounts["Alice"], accounts["Bob"]
    with httpx.Client(base_url=backend, timeout=10) as client:
        for account in (alice, bob):
            me = client.get("/users/me", headers=bearer(account.token))
            assert me.status_code == 200, me.text
            profile = me.json()["data"]
            assert (profile["subject"], profile["email"], profile["name"]) == (
                account.user_id,
                account.email,
                account.name,
            )

        created: dict[str, list[str]] = {}
        for account in (alice, bob):
            created[account.name] = []
            for number in (1, 2):
                response = client.post(
                    "/tasks",
                    json={"title": f"{account.name}'s task {number}", "priority": number},
                    headers=bearer(account.token),
                )
                assert response.status_code == 201, response.text
                assert response.headers["location"].endswith(response.json()["data"]["id"])
                created[account.name].append(response.json()["data"]["id"])

        for account, other in ((alice, bob), (bob, alice)):
            listed = client.get("/tasks", params={"limit": 100}, headers=bearer(account.token))
            assert listed.status_code == 200, listed.text
            rows = listed.json()["data"]
            assert sorted(row["id"] for row in rows) == sorted(created[account.name])
            assert {row["title"] for row in rows} == {
                f"{account.name}'s task 1",
                f"{account.name}'s task 2",
            }
            for task_id in created[account.name]:
                own = client.get(f"/tasks/{task_id}", headers=bearer(account.token))
                assert own.status_code == 200, own.text
            for task_id in created[other.name]:
                foreign = client.get(f"/tasks/{task_id}", headers=bearer(account.token))
                assert foreign.status_code == 404, foreign.text
                assert foreign.json()["error"]["code"] == "not_found"
                changed = client.patch(
                    f"/tasks/{task_id}", json={"title": "taken"}, headers=bearer(account.token)
                )
                assert changed.status_code == 404, changed.text
                deleted = client.delete(f"/tasks/{task_id}", headers=bearer(account.token))
                assert deleted.status_code == 404, deleted.text


def signing_key(auth: BetterAuth) -> tuple[str, jwt.PyJWK]:
    """Better Auth's real signing key (its id and private JWK), from its `jwks` table."""
    with psycopg.connect(auth.database, connect_timeout=10) as connection:
        rows = connection.execute('SELECT id, "privateKey", alg FROM jwks').fetchall()
    assert len(rows) == 1, rows
    kid, private_key, alg = rows[0]
    assert alg == "EdDSA"
    return kid, jwt.PyJWK(json.loads(private_key), algorithm="EdDSA")


def sign(claims: dict[str, Any], key: Any, kid: str) -> str:
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": kid})


def with_payload(token: str, claims: dict[str, Any]) -> str:
    """The token with its payload replaced and its original signature kept."""
    header, _, signature = token.split(".")
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{payload}.{signature}"


def test_tokens_that_are_not_genuine_and_current_are_refused(
    backend: str, better_auth: BetterAuth, accounts: dict[str, Account]
) -> None:
    alice, bob = accounts["Alice"], accounts["Bob"]
    kid, real_key = signing_key(better_auth)
    now = int(time.time())
    genuine = {**claims_of(alice.token), "iat": now, "exp": now + 300}
    with httpx.Client(base_url=backend, timeout=10) as client:
        # A token re-signed with Better Auth's key is accepted, so every refusal below is
        # down to the one claim or signature that was changed.
        resigned = client.get("/users/me", headers=bearer(sign(genuine, real_key.key, kid)))
        assert resigned.status_code == 200, resigned.text
        assert resigned.json()["data"]["subject"] == alice.user_id

        bad_tokens = {
            "tampered (Alice's token claiming to be Bob)": with_payload(
                alice.token, {**claims_of(alice.token), "sub": bob.user_id, "id": bob.user_id}
            ),
            "signed by another key under the real key id": sign(
                genuine, Ed25519PrivateKey.generate(), kid
            ),
            "expired": sign({**genuine, "iat": now - 1200, "exp": now - 300}, real_key.key, kid),
            "from another issuer": sign(
                {**genuine, "iss": "https://issuer.example"}, real_key.key, kid
            ),
            "for another audience": sign(
                {**genuine, "aud": "https://other-service.example"}, real_key.key, kid
            ),
        }
        before = {
            account.name: client.get(
                "/tasks", params={"limit": 100}, headers=bearer(account.token)
            ).json()["data"]
            for account in (alice, bob)
        }
        for what, token in bad_tokens.items():
            listed = client.get("/tasks", headers=bearer(token))
            assert listed.status_code == 401, f"{what}: {listed.text}"
            assert listed.json()["error"]["code"] == "unauthorized", what
            assert listed.headers["www-authenticate"] == "Bearer", what
            created = client.post("/tasks", json={"title": what}, headers=bearer(token))
            assert created.status_code == 401, f"{what}: {created.text}"
        after = {
            account.name: client.get(
                "/tasks", params={"limit": 100}, headers=bearer(account.token)
            ).json()["data"]
            for account in (alice, bob)
        }
        assert after == before, "a refused token must change nothing"
