"""The rule base class, the per-file context rules read, and the rule registry."""

from __future__ import annotations

import ast
import importlib
import io
import pkgutil
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import ClassVar, TypeVar

from fastapi_architect.codebase.facts import FunctionFact, ModuleFacts
from fastapi_architect.codebase.index import ProjectIndex, Route
from fastapi_architect.codebase.syntax import dotted, nodes_of, walk, walk_within
from fastapi_architect.review.model import Confidence, Edit, Finding, Severity

N = TypeVar("N", bound=ast.AST)
_SUPPRESSION = re.compile(r"#\s*architect:\s*ignore\[([^\]]*)\]\s*(.*)$")
_TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*\.py$|_test\.py$|conftest\.py$")


@dataclass(frozen=True, slots=True)
class Suppression:
    """`# architect: ignore[FA104, sql-injection] reason` on one line."""

    line: int
    col: int
    end_col: int
    codes: tuple[str, ...]
    reason: str


def _comment_lines(lines: list[str]) -> set[int] | None:
    """Lines holding a real `# architect:` comment (not text inside a string)."""
    out: set[int] = set()
    reader = io.StringIO("\n".join(lines) + "\n").readline
    try:
        for token in tokenize.generate_tokens(reader):
            if token.type == tokenize.COMMENT and "architect:" in token.string:
                out.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):
        return None
    return out


def parse_suppressions(lines: list[str]) -> dict[int, Suppression]:
    """Suppression comments by line number (1-based)."""
    out: dict[int, Suppression] = {}
    candidates = [n for n, text in enumerate(lines, start=1) if "architect:" in text]
    if not candidates:
        return out
    comments = _comment_lines(lines)
    for number in candidates:
        if comments is not None and number not in comments:
            continue
        text = lines[number - 1]
        match = _SUPPRESSION.search(text)
        if match is None:
            continue
        codes = tuple(c.strip() for c in match.group(1).split(",") if c.strip())
        out[number] = Suppression(
            number, match.start(), len(text.rstrip()), codes, match.group(2).strip()
        )
    return out


class FileContext:
    """What a rule sees of one file: its source, tree, facts and the project index."""

    def __init__(
        self, path: str, source: str, tree: ast.Module, facts: ModuleFacts, index: ProjectIndex
    ) -> None:
        self.path = path
        self.source = source
        self.lines = source.splitlines()
        self.tree = tree
        self.facts = facts
        self.index = index
        self.is_test = bool(_TEST_PATH.search(path))
        self._functions: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] | None = None
        self._imports: dict[str, str] | None = None
        self._nodes: list[ast.AST] | None = None
        self._scopes: dict[int, ast.AST] | None = None
        self._qualified: dict[int, str] = {}

    @property
    def nodes(self) -> list[ast.AST]:
        """Every node of the tree, walked once and shared by all rules."""
        if self._nodes is None:
            self._nodes = walk(self.tree)
        return self._nodes

    def of(self, *kinds: type[N]) -> list[N]:
        """The nodes of these kinds (`ctx.of(ast.Call)`), in source order, sorted out once
        for all rules: a rule names the kinds it visits instead of walking every node."""
        return nodes_of(self.tree, *kinds)

    def scope_of(self, node: ast.AST) -> ast.AST:
        """The innermost function holding `node`, or the module."""
        if self._scopes is None:
            self._scopes = {}
            for fn in self.functions().values():
                for sub in walk_within(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self._scopes[id(sub)] = fn
        return self._scopes.get(id(node), self.tree)

    @property
    def imports(self) -> dict[str, str]:
        if self._imports is None:
            self._imports = dict(self.facts.imports)
        return self._imports

    def qualify(self, node: ast.expr) -> str:
        """A dotted name with its first part resolved through this module's imports
        (remembered per node: many rules ask about the same calls)."""
        known = self._qualified.get(id(node))
        if known is not None:
            return known
        name = dotted(node.func if isinstance(node, ast.Call) else node) or ""
        head, _, rest = name.partition(".")
        base = self.imports.get(head, head)
        known = self._qualified[id(node)] = f"{base}.{rest}" if rest else base
        return known

    def function(self, node: ast.expr) -> FunctionFact | None:
        """The project function a name or call refers to: one defined in this module
        (`_error(exc)`), or one imported."""
        name = self.qualify(node)
        if "." not in name:
            local = self.index.function(f"{self.facts.module}.{name}")
            if local is not None:
                return local
        return self.index.function(name)

    @property
    def routes(self) -> list[Route]:
        return self.index.routes_in(self.path)

    def functions(self) -> dict[int, ast.FunctionDef | ast.AsyncFunctionDef]:
        """Every function in the file by the line of its `def`."""
        if self._functions is None:
            self._functions = {
                node.lineno: node
                for node in self.nodes
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            }
        return self._functions

    def handler(self, route: Route) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        return self.functions().get(route.fact.line)


class Rule:
    """A review rule. Subclasses set the class attributes and implement `check`.

    The subclass docstring is the rule's documentation, in the sections What it does,
    Why is this bad?, Example, Use instead, Known problems and References.
    """

    id: ClassVar[str]
    slug: ClassVar[str]
    severity: ClassVar[Severity]
    confidence: ClassVar[Confidence]
    cwe: ClassVar[int | None] = None
    # Test code is not the application: rules skip files under `tests/`, `test_*.py`,
    # `conftest.py` unless they are about the file itself (unreadable, a suppression).
    reviews_tests: ClassVar[bool] = False

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(
        self,
        ctx: FileContext,
        node: ast.AST | tuple[int, int, int, int],
        message: str,
        fix: str,
        *,
        confidence: Confidence | None = None,
        severity: Severity | None = None,
        edits: tuple[Edit, ...] = (),
    ) -> Finding:
        if isinstance(node, tuple):
            line, col, end_line, end_col = node
        else:
            line = getattr(node, "lineno", 1)
            col = getattr(node, "col_offset", 0)
            end_line = getattr(node, "end_lineno", None) or line
            end_col = getattr(node, "end_col_offset", None) or col
        return Finding(
            rule_id=self.id,
            slug=self.slug,
            severity=severity or self.severity,
            confidence=confidence or self.confidence,
            path=ctx.path,
            line=line,
            col=col + 1,
            end_line=end_line,
            end_col=end_col + 1,
            message=message,
            fix=fix,
            cwe=self.cwe,
            edits=edits,
        )


@cache
def all_rules() -> tuple[Rule, ...]:
    """One instance of every rule, ordered by id."""
    from fastapi_architect.review import rules as package

    found: list[Rule] = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Rule)
                and value is not Rule
                and value.__module__ == module.__name__
            ):
                found.append(value())
    return tuple(sorted(found, key=lambda r: r.id))


def get_rule(code: str) -> Rule | None:
    """A rule by id (`FA104`) or slug (`sql-injection`), case-insensitive."""
    wanted = code.strip().lower()
    for rule in all_rules():
        if wanted in {rule.id.lower(), rule.slug}:
            return rule
    return None
