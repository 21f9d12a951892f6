"""Testing strategy: the levels of testing, and each generated test module with the number of
tests it runs, counted from the rendered test modules alone."""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

from fastapi_architect.design.model import TestCount, TestFile, TestLevel, UnknownSection
from fastapi_architect.design.sections.prose import names
from fastapi_architect.generate import GENERATOR_VERSION, layout
from fastapi_architect.generate.render import UnsupportedSpecError, render_test_modules
from fastapi_architect.spec.model import ResolvedSpec


def testing_levels(spec: ResolvedSpec) -> tuple[TestLevel, ...]:
    owned = [r.name for r in spec.resources if r.owner_scoped]
    return (
        TestLevel(
            level="API (generated, per resource)",
            what=(
                "Through the ASGI app with httpx: CRUD and status codes, a 422 for every "
                "constraint, the access rules as a role-by-action matrix, "
                + (f"cross-user isolation ({names(owned)}), " if owned else "")
                + "pagination walks that see every row once, filters, sorting, search, soft "
                "delete and restore, audit entries."
            ),
        ),
        TestLevel(
            level="Authentication (generated)",
            what=(
                "Every auth failure: no token, malformed, expired, wrong signature, audience, "
                "issuer or type, unsigned; refresh rotation and reuse; login rate limits."
                if spec.auth.mode == "builtin"
                else "Public API: no authentication tests."
                if spec.auth.mode == "none"
                else "Token verification against the issuer's keys."
            ),
        ),
        TestLevel(
            level="Platform (generated)",
            what=(
                "Health and readiness, security headers, request ids, the error envelope, "
                "CORS, rate limits."
            ),
        ),
        TestLevel(
            level="Databases",
            what=(
                "The same suite on SQLite (default) and on PostgreSQL (`TEST_DATABASE_URL`); "
                "the migration is compared with the models (Alembic autogenerate finds no "
                "difference)."
            ),
        ),
        TestLevel(
            level="Static",
            what="ruff, mypy --strict and `fastapi-architect review` with no findings.",
        ),
    )


def _parametrize_cases(decorator: ast.expr, constants: dict[str, int]) -> int:
    if not (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == "parametrize"
        and len(decorator.args) >= 2
    ):
        return 1
    values = decorator.args[1]
    if isinstance(values, ast.List | ast.Tuple):
        return len(values.elts)
    if isinstance(values, ast.Name):
        return constants.get(values.id, 1)
    return 1


def count_tests(source: str) -> tuple[TestCount, ...]:
    """Each test function of a pytest module and how many cases it runs."""
    tree = ast.parse(source)
    constants = {
        target.id: len(node.value.elts)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List | ast.Tuple)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    out = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            cases = 1
            for decorator in node.decorator_list:
                cases *= _parametrize_cases(decorator, constants)
            out.append(TestCount(name=node.name, cases=cases))
    return tuple(out)


def generated_test_files(
    spec: ResolvedSpec,
) -> tuple[tuple[TestFile, ...], tuple[UnknownSection, ...]]:
    """Each generated test module and its tests; unknown when the tests cannot be generated."""
    try:
        rendered = render_test_modules(spec, GENERATOR_VERSION)
    except UnsupportedSpecError as exc:
        return (), (UnknownSection(section="test counts", reason=f"not generated: {exc}"),)
    modules = sorted((p for p in layout.plan(spec) if p.file.is_test_module), key=lambda p: p.path)
    out = []
    for planned in modules:
        subject = planned.resource or planned.file.subject or PurePosixPath(planned.path).stem[5:]
        counts = count_tests(rendered[planned.path])
        out.append(
            TestFile(
                path=planned.path,
                subject=subject,
                tests=counts,
                total=sum(c.cases for c in counts),
            )
        )
    return tuple(out), ()
