"""FA403: a naive (timezone-less) datetime that is stored, compared or sent."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import dotted, last_name, walk
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule

NAIVE = frozenset(
    {"datetime.datetime.utcnow", "datetime.datetime.utcfromtimestamp", "datetime.datetime.now"}
)


_CLAIMS = frozenset({"exp", "iat", "nbf", "auth_time"})
_TEXT_CALLS = frozenset({"str", "print", "repr", "format", "len", "int", "float"})
_TEXT_METHODS = frozenset(
    {"strftime", "ctime", "date", "time", "weekday", "isoweekday", "timetuple"}
)
# calls that write the value into a query: `.values(at=now)`, `.where(...)`, `session.add`
_SQL_CALLS = frozenset(
    {"values", "update", "insert", "where", "filter", "filter_by", "add", "execute", "set"}
)
SKIP, QUIET, LOUD, WRONG = 0, 1, 2, 3


def _column(node: ast.expr) -> bool:
    """`Model.column` (or `col(Model.column)`): a side of a comparison the database makes."""
    if isinstance(node, ast.Call) and len(node.args) == 1:
        node = node.args[0]
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id[:1].isupper()
    )


def _column_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call) and len(node.args) == 1:
        node = node.args[0]
    return node.attr if isinstance(node, ast.Attribute) else None


def _parents(scope: ast.AST) -> dict[int, ast.AST]:
    return {id(child): node for node in walk(scope) for child in ast.iter_child_nodes(node)}


def _is_timedelta(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and last_name(dotted(node.func)) == "timedelta"


def _naive_expr(node: ast.expr) -> bool:
    """`datetime.now()`, `datetime.fromtimestamp(ts)`, possibly plus a timedelta."""
    if isinstance(node, ast.BinOp):
        return _naive_expr(node.left) or _naive_expr(node.right)
    if not isinstance(node, ast.Call):
        return False
    name = last_name(dotted(node.func))
    if name in {"now", "fromtimestamp", "utcnow", "utcfromtimestamp"}:
        limit = 1 if name == "fromtimestamp" else 0
        return len(node.args) <= limit and not any(k.arg == "tz" for k in node.keywords)
    return False


def _on_self(target: ast.expr) -> bool:
    return (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id == "self"
    )


def _model_methods(ctx: FileContext) -> set[int]:
    """The functions defined in a table model class (or a mixin of one) of this file."""
    tables = {c.line for c in ctx.facts.classes if c.is_table or ctx.index.is_table_part(c)}
    out: set[int] = set()
    for node in ctx.of(ast.ClassDef):
        if node.lineno in tables:
            out.update(
                id(f) for f in node.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
            )
    return out


class _Uses:
    """How a naive datetime is used: SKIP (made aware at once), QUIET (a duration, a
    display string, a token claim, a value never kept), LOUD (stored, compared, sent) or
    WRONG (read as the wrong zone: `utcnow().timestamp()`, local time labelled `Z`, a
    column the project declares timezone-aware)."""

    def __init__(self, scope: ast.AST, name: str, in_model: bool, aware: frozenset[str]) -> None:
        self.scope = scope
        self.parents = _parents(scope)
        self.name = name
        self.in_model = in_model
        self.aware = aware

    def _into(self, column: str | None) -> int:
        """Stored into or compared with `column`: wrong when it is timezone-aware."""
        return WRONG if column in self.aware else LOUD

    def of(self, node: ast.expr, depth: int = 0) -> int:
        parent = self.parents.get(id(node))
        if parent is None:
            return QUIET
        if isinstance(parent, ast.Attribute):
            return self._method(parent)
        if isinstance(parent, ast.BinOp):
            other = parent.right if parent.left is node else parent.left
            if isinstance(parent.op, ast.Sub) and not _is_timedelta(other):
                return QUIET  # the difference of two datetimes is a duration
            return self.of(parent, depth)
        if isinstance(parent, ast.Compare):
            others = [parent.left, *parent.comparators]
            columns = [_column_name(o) for o in others if o is not node and _column(o)]
            if columns:
                # `Model.expires_at < now`: the database reads the zone
                return max(self._into(c) for c in columns)
            # a comparison that runs compares two naive values (naive against aware
            # raises): both ends of one convention
            return QUIET
        if isinstance(parent, ast.FormattedValue | ast.JoinedStr):
            return QUIET
        if isinstance(parent, ast.keyword):
            if parent.arg in _CLAIMS:
                return QUIET
            call = self.parents.get(id(parent))
            if not isinstance(call, ast.Call):
                return LOUD
            return max(self._argument(call), self._into(parent.arg))
        if isinstance(parent, ast.Dict):
            key = next(
                (k for k, v in zip(parent.keys, parent.values, strict=False) if v is node), None
            )
            if isinstance(key, ast.Constant) and key.value in _CLAIMS:
                return QUIET
            name = key.value if isinstance(key, ast.Constant) else None
            return self._into(name if isinstance(name, str) else None)
        if isinstance(parent, ast.Call):
            return self._argument(parent)
        if isinstance(parent, ast.Assign | ast.AnnAssign | ast.NamedExpr):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            if all(_on_self(t) for t in targets) and not self.in_model:
                return QUIET  # kept on a plain object, not a column
            if any(isinstance(t, ast.Attribute | ast.Subscript) for t in targets):
                if any(
                    isinstance(t, ast.Subscript)
                    and isinstance(t.slice, ast.Constant)
                    and t.slice.value in _CLAIMS
                    for t in targets
                ):
                    return QUIET
                return max(
                    self._into(t.attr if isinstance(t, ast.Attribute) else None) for t in targets
                )
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            if not names or depth >= 3:
                return QUIET
            if any(self._made_aware(n) for n in names):
                return SKIP
            return max(
                (
                    self.of(use, depth + 1)
                    for use in walk(self.scope)
                    if isinstance(use, ast.Name)
                    and use.id in names
                    and isinstance(use.ctx, ast.Load)
                ),
                default=QUIET,
            )
        if isinstance(parent, ast.Return | ast.Yield):
            return LOUD
        if isinstance(parent, ast.IfExp | ast.BoolOp | ast.Tuple | ast.List):
            return self.of(parent, depth)
        return QUIET

    def _argument(self, call: ast.Call) -> int:
        """A naive value handed to a call: a model or schema (a class) keeps or sends it,
        a query writes it; a function reading local time (a scheduler, a recurrence rule)
        gets what `now()` means, but a UTC value it would read as local."""
        name = last_name(dotted(call.func))
        if name in _TEXT_CALLS:
            return QUIET
        if name[:1].isupper() or name in _SQL_CALLS:
            return LOUD
        return QUIET if self.name.endswith(".now") else LOUD

    def _made_aware(self, name: str) -> bool:
        """`value = value.replace(tzinfo=UTC)`: the name is made aware before it is used."""
        for node in walk(self.scope):
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Attribute)
                and node.value.func.attr in {"replace", "astimezone"}
                and isinstance(node.value.func.value, ast.Name)
                and node.value.func.value.id == name
                and (node.value.args or any(k.arg == "tzinfo" for k in node.value.keywords))
            ):
                return True
        return False

    def _method(self, attr: ast.Attribute) -> int:
        call = self.parents.get(id(attr))
        if attr.attr == "replace" and isinstance(call, ast.Call):
            if any(kw.arg == "tzinfo" for kw in call.keywords):
                return SKIP
            return self.of(call)
        if attr.attr == "strftime" and isinstance(call, ast.Call) and call.args:
            fmt = call.args[0]
            # a literal `Z` claims UTC for a time that is local
            if (
                isinstance(fmt, ast.Constant)
                and isinstance(fmt.value, str)
                and "Z" in fmt.value.replace("%Z", "")
                and self.name.endswith(".now")
            ):
                return WRONG
            return QUIET
        if attr.attr == "isoformat" and isinstance(call, ast.Call):
            return self.of(call)  # an ISO string without an offset, read as UTC elsewhere
        if attr.attr == "timestamp":
            # a naive time is read as local: right for now(), wrong for utcnow()
            return QUIET if self.name.endswith(".now") else WRONG
        if attr.attr in _TEXT_METHODS:
            return QUIET
        return QUIET


class NaiveDatetime(Rule):
    """## What it does
    Reports `datetime.utcnow()`, `datetime.utcfromtimestamp()` and `datetime.now()`
    without a timezone. It is a warning when the naive value is read in the wrong zone:
    stored into, or compared in a query with, a column the project declares
    timezone-aware (`DateTime(timezone=True)`, unless a column of that name is filled by a
    naive default such as `default_factory=datetime.now`: then the project's convention
    is naive), `utcnow().timestamp()` (a UTC value read
    as local time), local time formatted with a literal `Z`. A naive value stored,
    compared or returned elsewhere is information: a project that keeps one naive
    convention throughout (naive UTC everywhere, naive columns) is consistent, and
    whether it does is more than one file shows. A duration between two naive times, a
    display string or a token `exp` claim is information too.

    ## Why is this bad?
    These return naive datetimes: the database, the JSON and the client each guess the
    zone, and comparisons with aware datetimes raise. `utcnow()` is deprecated since
    Python 3.12 for this reason.

    ## Example
    ```python
    from datetime import datetime

    def stamp() -> datetime:
        return datetime.utcnow()
    ```

    ## Use instead
    ```python
    from datetime import UTC, datetime

    def stamp() -> datetime:
        return datetime.now(UTC)
    ```

    ## Known problems
    How the value is used is followed through local variables of one function only; a
    naive value handed to another function is taken as stored.

    ## References
    - [Python: datetime.utcnow (deprecated)](https://docs.python.org/3/library/datetime.html#datetime.datetime.utcnow)
    """

    id = "FA403"
    slug = "naive-datetime"
    severity = Severity.WARNING
    confidence = Confidence.HIGH

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        uses: dict[int, _Uses] = {}
        model_methods: set[int] | None = None
        for node in ctx.of(ast.Call):
            name = ctx.qualify(node.func)
            if name.startswith("datetime.") and name.count(".") == 1:
                name = f"datetime.{name}"
            if name not in NAIVE:
                continue
            if name.endswith(".now") and (node.args or node.keywords):
                continue
            scope = ctx.scope_of(node)
            reader = uses.get(id(scope))
            if reader is None:
                if model_methods is None:
                    model_methods = _model_methods(ctx)
                reader = uses[id(scope)] = _Uses(
                    scope, name, id(scope) in model_methods, ctx.index.aware_columns
                )
            reader.name = name
            use = reader.of(node)
            if use == SKIP:
                continue
            loud = use == WRONG
            short = name.removeprefix("datetime.")
            yield self.finding(
                ctx,
                node,
                f"`{short}()` returns a naive datetime",
                "use `datetime.now(UTC)` (or `datetime.fromtimestamp(ts, UTC)`) and "
                "timezone-aware columns",
                severity=None if loud else Severity.INFO,
                confidence=None if loud else Confidence.MEDIUM,
            )
