"""How fast api-diff compares two versions of a large API description.

The description is built by FastAPI itself: 500 resources with list, create, get, update and
delete (2,500 operations, 1,500 schemas), as a generated 500-resource backend would expose.
The revision adds a required field to 50 create schemas, removes 20 operations, deprecates
30, tightens 40 query bounds and widens 20 response enums. Prints the document sizes, the
number of changes found and the seconds to load and diff (best and median of repeated runs,
in this process, and the whole command once); asserts nothing.
"""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel, Field, create_model

from fastapi_architect.apidiff import diff, load_document

RESOURCES = 500
RUNS = 5


def build_app(revision: bool) -> FastAPI:
    app = FastAPI(title="Large", version="2" if revision else "1")
    for number in range(RESOURCES):
        name = f"Thing{number}"
        states = ["new", "active", "closed"] + (["archived"] if revision and number < 20 else [])
        state = StrEnum(f"{name}State", {s.upper(): s for s in states})  # type: ignore[misc]
        fields: dict[str, Any] = {
            "title": (str, Field(min_length=1, max_length=200)),
            "body": (str | None, None),
            "score": (int, Field(default=0, ge=0, le=100)),
        }
        if revision and number % 10 == 0:
            fields["owner_email"] = (str, Field(max_length=320))
        create = create_model(f"{name}Create", **fields)
        update = create_model(f"{name}Update", title=(str | None, None), score=(int | None, None))
        public = create_model(
            f"{name}Public", id=(int, ...), title=(str, ...), state=(state, ...), score=(int, ...)
        )
        router = APIRouter(prefix=f"/things{number}", tags=[name])
        limit_cap = 50 if revision and number < 40 else 100
        register(router, name, create, update, public, limit_cap, revision, number)
        app.include_router(router)
    return app


def register(
    router: APIRouter,
    name: str,
    create: type[BaseModel],
    update: type[BaseModel],
    public: type[BaseModel],
    limit_cap: int,
    revision: bool,
    number: int,
) -> None:
    lower = name.lower()

    def list_rows(limit: Annotated[int, Query(ge=1, le=limit_cap)] = 20) -> list[public]:  # type: ignore[valid-type]
        return []

    def create_row(data: create) -> public:  # type: ignore[valid-type]
        raise NotImplementedError

    def get_row(row_id: int) -> public:  # type: ignore[valid-type]
        raise NotImplementedError

    def update_row(row_id: int, data: update) -> public:  # type: ignore[valid-type]
        raise NotImplementedError

    def delete_row(row_id: int) -> None:
        raise NotImplementedError

    router.add_api_route("", list_rows, methods=["GET"], operation_id=f"list_{lower}")
    router.add_api_route(
        "", create_row, methods=["POST"], status_code=201, operation_id=f"create_{lower}"
    )
    router.add_api_route("/{row_id}", get_row, methods=["GET"], operation_id=f"get_{lower}")
    router.add_api_route("/{row_id}", update_row, methods=["PATCH"], operation_id=f"update_{lower}")
    if not (revision and 100 <= number < 120):
        router.add_api_route(
            "/{row_id}",
            delete_row,
            methods=["DELETE"],
            status_code=204,
            operation_id=f"delete_{lower}",
            deprecated=revision and 200 <= number < 230,
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        base_path, revision_path = Path(scratch, "v1.json"), Path(scratch, "v2.json")
        base_path.write_text(json.dumps(build_app(revision=False).openapi()))
        revision_path.write_text(json.dumps(build_app(revision=True).openapi()))
        base_doc = json.loads(base_path.read_text())
        operations = sum(len(item) for item in base_doc["paths"].values())
        print(
            f"documents: {operations} operations, {len(base_doc['components']['schemas'])} "
            f"schemas, {base_path.stat().st_size / 1e6:.1f} MB and "
            f"{revision_path.stat().st_size / 1e6:.1f} MB of JSON"
        )
        timings, changes = [], 0
        for _ in range(RUNS):
            started = time.perf_counter()
            report = diff(load_document(base_path), load_document(revision_path))
            timings.append(time.perf_counter() - started)
            changes = len(report.changes)
        levels = {
            level: sum(c.level.name == level for c in report.changes)
            for level in ("ERR", "WARN", "INFO")
        }
        print(f"changes: {changes} {levels}")
        print(
            f"load + diff in process: best {min(timings):.2f} s, "
            f"median {statistics.median(timings):.2f} s over {RUNS} runs"
        )
        started = time.perf_counter()
        subprocess.run(
            [str(Path(sys.executable).with_name("fastapi-architect")), "api-diff", str(base_path),
             str(revision_path), "--fail-on", "never", "--format", "json"],
            check=True,
            capture_output=True,
        )  # fmt: skip
        print(f"whole command (start-up included): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
