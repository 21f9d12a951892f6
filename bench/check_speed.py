"""How fast specs are checked and resolved: the examples, and a 30-resource spec.

Prints milliseconds per check (best and median of repeated runs); asserts nothing.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from fastapi_architect import check_text

ROOT = Path(__file__).resolve().parent.parent


def large_spec(resources: int) -> str:
    lines = ["project: {name: large}", "resources:"]
    for number in range(resources):
        lines += [
            f"  Thing{number}:",
            "    owned: true",
            "    soft_delete: true",
            "    fields:",
            "      title: {type: string, min_length: 1, max_length: 200}",
            "      body: {type: text, required: false, max_length: 10000}",
            "      state: {type: enum, values: [new, active, closed], default: new}",
            "      score: {type: integer, min: 0, max: 100, default: 0}",
            "      due: {type: datetime, required: false}",
        ]
        if number:
            lines += ["    relations:", f"      parent: {{to: Thing{number - 1}, required: false}}"]
        lines += [
            "    filters: [state, score]",
            "    sort: [created_at, score]",
            "    search: [title]",
        ]
    return "\n".join(lines) + "\n"


def measure(name: str, text: str, runs: int = 30) -> None:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        result = check_text(text, f"{name}.yaml")
        timings.append((time.perf_counter() - start) * 1000)
        assert result.ok, result.problems
    tables = len(result.spec.tables) if result.spec else 0
    print(
        f"{name:<22} {len(text.splitlines()):>5} lines {tables:>4} tables   "
        f"best {min(timings):7.2f} ms   median {statistics.median(timings):7.2f} ms"
    )


def main() -> None:
    print("check + resolve, per spec")
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        measure(path.stem, path.read_text())
    measure("30 resources", large_spec(30))
    measure("200 resources", large_spec(200), runs=5)


if __name__ == "__main__":
    main()
