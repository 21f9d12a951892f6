"""What one module declares, extracted from its syntax tree without importing it."""

from __future__ import annotations

import ast
import re

from fastapi_architect.codebase.classes import ClassReader
from fastapi_architect.codebase.facts import (
    AliasFact,
    ClassFact,
    DepRef,
    FunctionFact,
    IncludeFact,
    ModuleFacts,
    ParamFact,
    RouteFact,
    RouterFact,
)
from fastapi_architect.codebase.mutation import changed_self_attrs, param_use
from fastapi_architect.codebase.names import Scope
from fastapi_architect.codebase.syntax import (
    dotted,
    keyword,
    last_name,
    module_name,
    named_value,
    nodes_of,
    position,
    prefix_text,
    status_value,
    walk,
    walk_within,
)

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace"})
PARAM_FUNCS = frozenset(
    {"Depends", "Security", "Query", "Path", "Body", "Header", "Cookie", "Form", "File"}
)
BOUND_KEYWORDS = frozenset({"le", "lt", "max_length", "max_items", "max_digits"})
_ROUTE_OWNER_HINT = re.compile(r"(router|app|api|route|bp|blueprint)", re.IGNORECASE)


def browser_credentials(tree: ast.Module) -> tuple[bool, bool]:
    """Whether the module handles credentials a browser sends by itself (cookies:
    `set_cookie`, `Cookie()`, `APIKeyCookie`, `request.cookies`, sessions; or HTTP Basic),
    and whether it hands out some a browser attaches to cross-site requests too (a cookie
    or session set with `samesite="none"`, or HTTP Basic: cookies default to SameSite=Lax,
    which keeps them off cross-site fetches)."""
    names = [
        *(n.id for n in nodes_of(tree, ast.Name)),
        *(n.attr for n in nodes_of(tree, ast.Attribute)),
        *(n.name for n in nodes_of(tree, ast.alias)),
    ]
    if "HTTPBasic" in names or "HTTPBasicCredentials" in names:
        return True, True
    handles = "SessionMiddleware" in names or any("ookie" in n or "OOKIE" in n for n in names)
    cross_site = any(
        k.arg in {"samesite", "same_site"}
        and isinstance(k.value, ast.Constant)
        and str(k.value.value).lower() == "none"
        for k in nodes_of(tree, ast.keyword)
    )
    return handles, cross_site


_DATABASE_URL = re.compile(
    r"^(sqlite|postgres|postgresql|mysql|mariadb|oracle|mssql|cockroachdb)(\+\w+)?://"
)


def database_kinds(tree: ast.Module) -> tuple[str, ...]:
    """The databases the module's URL literals name (`sqlite:///...`, `postgresql+
    asyncpg://...`), as their schemes without the driver."""
    out: list[str] = []
    for node in nodes_of(tree, ast.Constant):
        if isinstance(node.value, str):
            match = _DATABASE_URL.match(node.value)
            if match is not None:
                kind = match.group(1)
                out.append("postgresql" if kind == "postgres" else kind)
    return tuple(sorted(set(out)))


def aware_columns(tree: ast.Module) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Class attributes declared timezone-aware (`at = Column(DateTime(timezone=True))`,
    `at: datetime = Field(sa_type=DateTime(timezone=True))`), and those that are naive:
    declared `DateTime` without a time zone, or filled by a naive clock as their own
    default (`default_factory=datetime.now`, `default=lambda: datetime.now()`)."""
    aware: list[str] = []
    naive: list[str] = []
    for cls in nodes_of(tree, ast.ClassDef):
        for stmt in cls.body:
            assigned = named_value(stmt)
            if assigned is None:
                continue
            name, value = assigned
            keywords = [
                kw for call in walk(value) if isinstance(call, ast.Call) for kw in call.keywords
            ]
            if any(
                kw.arg == "timezone" and isinstance(kw.value, ast.Constant) and kw.value.value
                for kw in keywords
            ):
                aware.append(name)
            if any(
                kw.arg in {"default", "default_factory", "onupdate"} and _naive_clock(kw.value)
                for kw in keywords
            ) or (
                not any(kw.arg == "timezone" for kw in keywords)
                and any(
                    isinstance(node, ast.Name | ast.Attribute)
                    and last_name(dotted(node)) == "DateTime"
                    for node in walk(value)
                )
            ):
                naive.append(name)
    return tuple(dict.fromkeys(aware)), tuple(dict.fromkeys(naive))


def _holding_functions(tree: ast.Module, nodes: list[ast.Assign]) -> list[ast.AST]:
    """The innermost function around each of the nodes, once each, in source order."""
    if not nodes:
        return []
    functions = [(position(fn), fn) for fn in nodes_of(tree, ast.FunctionDef, ast.AsyncFunctionDef)]
    found: dict[int, ast.AST] = {}
    for node in nodes:
        at = position(node)[0]
        around = [(span, fn) for span, fn in functions if span[0] < at < span[1]]
        if around:
            span, fn = max(around, key=lambda item: item[0][0])
            found.setdefault(span[0], fn)
    return [found[key] for key in sorted(found)]


def shared_params(tree: ast.Module) -> tuple[tuple[str, bool, bool], ...]:
    """`LimitParam = Query(20, ge=1, le=100)` at module level: (name, has an upper bound,
    its default is None)."""
    out: list[tuple[str, bool, bool]] = []
    for stmt in tree.body:
        assigned = named_value(stmt)
        if assigned is None or not isinstance(assigned[1], ast.Call):
            continue
        name, value = assigned[0], assigned[1]
        if last_name(dotted(value.func) or "") not in PARAM_FUNCS - {"Depends", "Security"}:
            continue
        bounded = any(kw.arg in BOUND_KEYWORDS for kw in value.keywords)
        default = value.args[0] if value.args else keyword(value, "default")
        none = isinstance(default, ast.Constant) and default.value is None
        out.append((name, bounded, none))
    return tuple(out)


def _naive_clock(node: ast.expr) -> bool:
    """`datetime.now`, `datetime.utcnow`, or a lambda calling one with no time zone."""
    if isinstance(node, ast.Lambda):
        node = node.body
        if not isinstance(node, ast.Call) or node.args or node.keywords:
            return False
        node = node.func
    return last_name(dotted(node) or "") in {"now", "utcnow"} and "datetime" in (dotted(node) or "")


_KEEPING_CALLS = frozenset(
    {
        *("add", "add_all", "merge", "refresh", "append", "flush", "commit", "expunge"),
        *("model_validate", "from_orm", "jsonable_encoder", "isinstance", "len", "str", "repr"),
        *("debug", "info", "warning", "error", "exception", "print"),
    }
)
"""Calls that keep, save, read or log an instance without setting its fields."""

_FILTERS = frozenset({"where", "filter", "filter_by", "and_", "or_", "having", "exclude", "get"})


def filtered_columns(tree: ast.Module) -> tuple[str, ...]:
    """`Model.column` compared inside `where()`/`filter()`, and `*.column` for the keywords
    of `filter_by()`/`filter()`: the columns the module's queries look rows up by."""
    out: dict[str, None] = {}
    for node in nodes_of(tree, ast.Call):
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else dotted(func)
        if called not in _FILTERS:
            continue
        if len(out) > 500:
            break
        model = _queried_model(func)
        for kw in node.keywords:
            if kw.arg:
                out[f"{model or '*'}.{kw.arg.split('__')[0]}"] = None
        for arg in node.args:
            for sub in walk(arg):
                if isinstance(sub, ast.Compare):
                    for side in [sub.left, *sub.comparators]:
                        if isinstance(side, ast.Call) and side.args:
                            side = side.args[0]  # `col(Model.x)`
                        name = dotted(side)
                        if name and name.count(".") == 1:
                            out[name] = None
    return tuple(out)


def _queried_model(func: ast.expr) -> str | None:
    """The model a `filter_by()` reads: `select(Book).filter_by(...)`,
    `db.query(Book).filter_by(...)`, `Book.query.filter_by(...)`."""
    node = func.value if isinstance(func, ast.Attribute) else None
    while isinstance(node, ast.Attribute | ast.Call):
        if isinstance(node, ast.Call):
            name = last_name(dotted(node.func))
            first = node.args[0] if node.args else None
            if name in {"join", "outerjoin", "join_from"}:
                return None  # `filter_by` then reads the last joined model
            if name in {"select", "query"} and isinstance(first, ast.Name):
                return first.id if first.id[:1].isupper() and len(node.args) == 1 else None
            node = node.func.value if isinstance(node.func, ast.Attribute) else None
        else:
            node = node.value
    if isinstance(node, ast.Name) and node.id[:1].isupper():
        return node.id  # `Book.query.filter_by(...)`, `Book.objects.filter(...)`
    return None


def capped_params(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    """The parameters the function bounds from above: `min(limit, MAX)`, `limit > MAX`,
    `MAX < limit` (the usual `if ...: raise` or `limit = MAX`)."""
    args = node.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    out: dict[str, None] = {}
    for sub in walk(node):
        if isinstance(sub, ast.Call) and last_name(dotted(sub.func)) == "min":
            for arg in sub.args:
                if isinstance(arg, ast.Name) and arg.id in names:
                    out[arg.id] = None
        elif isinstance(sub, ast.Compare):
            sides = [sub.left, *sub.comparators]
            for op, left, right in zip(sub.ops, sides, sides[1:], strict=False):
                if (
                    isinstance(op, ast.Gt | ast.GtE | ast.LtE)
                    and isinstance(left, ast.Name)
                    and left.id in names
                    and not _small_constant(right)
                ):
                    out[left.id] = None
                if (
                    isinstance(op, ast.Lt | ast.LtE | ast.GtE)
                    and isinstance(right, ast.Name)
                    and right.id in names
                    and not _small_constant(left)
                ):
                    out[right.id] = None
    return tuple(out)


def _small_constant(node: ast.expr) -> bool:
    """`0`, `1`, `None`: a lower bound or a presence check, not a cap."""
    return isinstance(node, ast.Constant) and (
        node.value is None or (isinstance(node.value, int) and node.value <= 1)
    )


def _router_subclass(name: str) -> bool:
    """`VersionedAPIRouter()`, `PrefectRouter()`: a class named like an `APIRouter`
    subclass (a bare `Router()` is Starlette's, or some other library's)."""
    return name.endswith("Router") and name != "Router" and name[:1].isupper()


class _Extractor(ClassReader):
    def __init__(self, path: str, module: str, is_package: bool) -> None:
        super().__init__(path, module, is_package)
        self.routers: list[RouterFact] = []
        self.includes: list[IncludeFact] = []
        self.routes: list[RouteFact] = []
        self.functions: list[FunctionFact] = []
        self.aliases: list[AliasFact] = []
        self.classes: list[ClassFact] = []
        self.instances: list[tuple[str, str]] = []
        # The dependencies a class-based view declares once for all its routes.
        self.view_deps: tuple[DepRef, ...] = ()

    # -- walking -------------------------------------------------------------------------
    def block(self, stmts: list[ast.stmt], scope: Scope, top: bool) -> None:
        for stmt in stmts:
            self.statement(stmt, scope, top)

    def statement(self, stmt: ast.stmt, scope: Scope, top: bool) -> None:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            self.function(stmt, scope)
        elif isinstance(stmt, ast.ClassDef):
            self.klass(stmt, scope, top)
        elif isinstance(stmt, ast.Assign | ast.AnnAssign):
            self.assign(stmt, scope, top)
        elif type(stmt).__name__ == "TypeAlias":  # `type X = ...`, as Python 3.12+ reads it
            fields = vars(stmt)
            alias = ast.Assign(targets=[fields["name"]], value=fields["value"])
            self.assign(ast.copy_location(alias, stmt), scope, top)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call | ast.Await):
            call = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
            if isinstance(call, ast.Call):
                self.call_statement(call, scope)
        else:
            for name in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, name, None)
                if isinstance(inner, list):
                    self.block([s for s in inner if isinstance(s, ast.stmt)], scope, top)
            if isinstance(stmt, ast.Try | ast.TryStar):
                for handler in stmt.handlers:
                    self.block(handler.body, scope, top)
            if isinstance(stmt, ast.Match):
                for case in stmt.cases:
                    self.block(case.body, scope, top)

    def assign(self, stmt: ast.Assign | ast.AnnAssign, scope: Scope, top: bool) -> None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        value = stmt.value
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if value is None or not names:
            return
        if isinstance(value, ast.Call):
            callee = self.qualify(value.func, scope) or ""
            kind = last_name(callee)
            if kind in {"FastAPI", "APIRouter"} or _router_subclass(kind):
                for name in names:
                    qual = f"{scope.prefix}.{name}"
                    scope.routers[name] = qual
                    prefix, dynamic = prefix_text(keyword(value, "prefix"), self.constants)
                    deps = self.dep_list(keyword(value, "dependencies"), scope)
                    self.routers.append(
                        RouterFact(
                            qual,
                            "app" if kind == "FastAPI" else "router",
                            prefix,
                            deps,
                            stmt.lineno,
                            stmt.col_offset,
                            dynamic,
                        )
                    )
                return
            if top:
                for name in names:
                    self.instances.append((f"{self.module}.{name}", callee))
        if (
            top
            and isinstance(value, ast.Subscript)
            and last_name(dotted(value.value)) == "Annotated"
        ):
            elts = value.slice.elts if isinstance(value.slice, ast.Tuple) else [value.slice]
            dep = None
            for meta in elts[1:]:
                dep = dep or self.dep_from_call(meta, scope, elts[0])
            for name in names:
                self.aliases.append(
                    AliasFact(f"{self.module}.{name}", self.qualify(elts[0], scope), dep)
                )

    def call_statement(self, call: ast.Call, scope: Scope) -> None:
        if not isinstance(call.func, ast.Attribute):
            return
        if call.func.attr == "include_router" and call.args:
            parent = self.qualify(call.func.value, scope)
            child_node = call.args[0]
            child = self.qualify(child_node, scope)
            if parent and child:
                prefix, dynamic = prefix_text(keyword(call, "prefix"), self.constants)
                self.includes.append(
                    IncludeFact(
                        parent,
                        child,
                        isinstance(child_node, ast.Call),
                        prefix,
                        self.dep_list(keyword(call, "dependencies"), scope),
                        call.lineno,
                        dynamic,
                    )
                )

    def param(
        self, arg: ast.arg, default: ast.expr | None, scope: Scope, path_params: set[str]
    ) -> ParamFact:
        type_name, is_list, meta = self.unwrap_type(arg.annotation, scope)
        calls = [m for m in [*meta, default] if isinstance(m, ast.Call)]
        dep: DepRef | None = None
        kind = "path" if arg.arg in path_params else "plain"
        upper: bool | None = None
        for call in calls:
            func = last_name(dotted(call.func))
            if func in {"Depends", "Security"}:
                base = arg.annotation
                if isinstance(base, ast.Subscript) and last_name(dotted(base.value)) == "Annotated":
                    elts = base.slice.elts if isinstance(base.slice, ast.Tuple) else [base.slice]
                    base = elts[0]
                dep = self.dep_from_call(call, scope, base)
                kind = "depends"
            elif func in PARAM_FUNCS:
                kind = func.lower()
                upper = any(kw.arg in BOUND_KEYWORDS for kw in call.keywords)
        if upper is None and type_name in {"int", "float"}:
            upper = False
        if type_name is not None and last_name(type_name) in {"Literal", "conint", "constr"}:
            upper = True
        return ParamFact(
            arg.arg,
            ast.unparse(arg.annotation) if arg.annotation is not None else None,
            type_name,
            is_list,
            dep,
            kind,
            upper,
            arg.lineno,
            arg.col_offset,
        )

    def params(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope, path_params: set[str]
    ) -> tuple[ParamFact, ...]:
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults.extend(args.defaults)
        out = [
            self.param(a, d, scope, path_params) for a, d in zip(positional, defaults, strict=True)
        ]
        out.extend(
            self.param(a, d, scope, path_params)
            for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
        )
        return tuple(p for p in out if p.name not in {"self", "cls"})

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope) -> None:
        qual = f"{scope.prefix}.{node.name}"
        inner = Scope(qual, dict(scope.routers))
        for dec in node.decorator_list:
            self.route(dec, node, scope, qual)
        self.block(node.body, inner, top=False)
        returns_router = None
        calls: list[str] = []
        returns_value = any(
            isinstance(sub, ast.Yield | ast.YieldFrom)
            or (
                isinstance(sub, ast.Return)
                and sub.value is not None
                and not (isinstance(sub.value, ast.Constant) and sub.value.value is None)
            )
            for sub in walk_within(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        )
        for sub in walk(node):
            if isinstance(sub, ast.Return) and isinstance(sub.value, ast.Name):
                returns_router = inner.routers.get(sub.value.id, returns_router)
            elif isinstance(sub, ast.Call) and len(calls) < 200:
                callee = self.qualify(sub.func, inner)
                if callee:
                    calls.append(callee)
        use = param_use(
            node, lambda func: self.qualify(func, inner), self_changed=self.self_changed
        )
        self.functions.append(
            FunctionFact(
                qual,
                node.name,
                node.lineno,
                isinstance(node, ast.AsyncFunctionDef),
                self.params(node, scope, set()),
                returns_router,
                tuple(dict.fromkeys(calls)),
                use.mutated,
                use.returned,
                use.forwards,
                capped_params(node),
                returns_value,
            )
        )

    def route(
        self,
        dec: ast.expr,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        scope: Scope,
        qual: str,
    ) -> None:
        if not isinstance(dec, ast.Call) or not isinstance(dec.func, ast.Attribute):
            return
        attr = dec.func.attr
        if attr not in HTTP_METHODS and attr != "api_route":
            return
        path_node = dec.args[0] if dec.args else keyword(dec, "path")
        if isinstance(path_node, ast.Constant) and isinstance(path_node.value, str):
            path = path_node.value
        elif isinstance(path_node, ast.Name) and path_node.id in self.constants:
            path = self.constants[path_node.id]
        elif isinstance(path_node, ast.JoinedStr):
            # a module constant is read (`f"{API_PREFIX}/items"`); anything else is only
            # known at run time
            path = "".join(
                str(v.value)
                if isinstance(v, ast.Constant)
                else self.constants[v.value.id]
                if isinstance(v, ast.FormattedValue)
                and isinstance(v.value, ast.Name)
                and v.value.id in self.constants
                else "{…}"
                for v in path_node.values
            )
        else:
            return
        owner = self.qualify(dec.func.value, scope)
        if owner is None:
            return
        known = last_name(owner) in scope.routers or owner in scope.routers.values()
        if not (known or path.startswith("/") or _ROUTE_OWNER_HINT.search(last_name(owner))):
            return
        if attr == "api_route":
            methods_node = keyword(dec, "methods")
            methods = tuple(
                str(e.value).upper()
                for e in (methods_node.elts if isinstance(methods_node, ast.List) else [])
                if isinstance(e, ast.Constant)
            ) or ("GET",)
        else:
            methods = (attr.upper(),)
        # `{task_id:row_id}` names a Starlette convertor; the path is `{task_id}`, as in OpenAPI.
        path = re.sub(r"{(\w+):\w+}", r"{\1}", path)
        path_params = set(re.findall(r"{(\w+)}", path))
        rm_node = keyword(dec, "response_model")
        rm_type, rm_list, _ = self.unwrap_type(rm_node, scope)
        ret_type, ret_list, _ = self.unwrap_type(node.returns, scope)
        decorator_text = " ".join(ast.unparse(d) for d in node.decorator_list).lower()
        deps = (*self.view_deps, *self.dep_list(keyword(dec, "dependencies"), scope))
        rate_limited = "limit" in decorator_text or "throttl" in decorator_text
        rc_node = keyword(dec, "response_class")
        self.routes.append(
            RouteFact(
                owner=owner,
                methods=methods,
                path=path,
                handler=node.name,
                qualname=qual,
                line=node.lineno,
                col=node.col_offset,
                end_line=node.end_lineno or node.lineno,
                end_col=node.end_col_offset or 0,
                decorator_line=dec.lineno,
                decorator_col=dec.col_offset,
                is_async=isinstance(node, ast.AsyncFunctionDef),
                params=self.params(node, scope, path_params),
                deps=deps,
                status_code=status_value(keyword(dec, "status_code")),
                response_model=ast.unparse(rm_node) if rm_node is not None else None,
                response_model_type=rm_type,
                response_model_is_list=rm_list,
                response_model_none=isinstance(rm_node, ast.Constant) and rm_node.value is None,
                return_annotation=ast.unparse(node.returns) if node.returns is not None else None,
                return_type=ret_type,
                return_is_list=ret_list,
                response_class=self.qualify(rc_node, scope) if rc_node is not None else None,
                rate_limited=rate_limited,
            )
        )

    def klass(self, node: ast.ClassDef, scope: Scope, top: bool) -> None:
        self.classes.append(self.class_fact(node, scope))
        if top:
            inner = Scope(f"{scope.prefix}.{node.name}", dict(scope.routers))
            self.view_deps = self.class_view_deps(node, scope)
            for stmt in node.body:
                if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                    self.function(stmt, inner)
            self.view_deps = ()

    def class_view_deps(self, node: ast.ClassDef, scope: Scope) -> tuple[DepRef, ...]:
        """A class-based view (fastapi-utils' / fastapi-restful's `@cbv(router)`): each
        class attribute given `Depends(...)` (`user: User = Depends(get_current_user)`, or
        `Annotated[User, Depends(...)]`) is a dependency of every route among its methods."""
        out: list[DepRef] = []
        for stmt in node.body:
            if not isinstance(stmt, ast.Assign | ast.AnnAssign):
                continue
            annotation = stmt.annotation if isinstance(stmt, ast.AnnAssign) else None
            _, _, meta = self.unwrap_type(annotation, scope)
            for call in [*meta, stmt.value]:
                ref = self.dep_from_call(call, scope) if call is not None else None
                if ref is not None:
                    out.append(ref)
        return tuple(out)

    def constructed(self, tree: ast.Module) -> tuple[tuple[str, int, tuple[str, ...] | None], ...]:
        """Each call of what looks like a class. An instance kept in a variable counts the
        attributes then set on it (`row.created = now`) as given, and turns opaque when
        handed to another call (a helper may set any field)."""
        out: list[tuple[str, int, list[str] | None]] = []
        made: dict[int, int] = {}  # the call's node -> its index in out
        for node in nodes_of(tree, ast.Call):
            name = dotted(node.func)
            if name is None or not last_name(name)[:1].isupper() or len(out) >= 2000:
                continue
            callee = self.qualify(node.func)
            if callee is not None:
                opaque = bool(node.args) or any(k.arg is None for k in node.keywords)
                made[id(node)] = len(out)
                given = None if opaque else [str(k.arg) for k in node.keywords]
                out.append((callee, node.lineno, given))
        kept = [
            a
            for a in nodes_of(tree, ast.Assign)
            if id(a.value) in made and len(a.targets) == 1 and isinstance(a.targets[0], ast.Name)
        ]
        for fn in _holding_functions(tree, kept):
            self._follow_kept(fn, made, out)
        return tuple((c, line, tuple(g) if g is not None else None) for c, line, g in out)

    @staticmethod
    def _follow_kept(
        fn: ast.AST, made: dict[int, int], out: list[tuple[str, int, list[str] | None]]
    ) -> None:
        """Within one function: fields set on a kept instance, and calls it is handed to."""
        kept: dict[str, int] = {}  # variable -> index in out
        for node in walk_within(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if isinstance(node, ast.Call):
                name = last_name(dotted(node.func) or "")
                if name[:1].isupper() or name in _KEEPING_CALLS:
                    continue
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    if isinstance(arg, ast.Name) and arg.id in kept:
                        callee, line, _ = out[kept[arg.id]]
                        out[kept[arg.id]] = (callee, line, None)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                only = targets[0] if len(targets) == 1 else None
                if isinstance(only, ast.Name) and node.value is not None and id(node.value) in made:
                    kept[only.id] = made[id(node.value)]
                for target in targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id in kept
                    ):
                        given = out[kept[target.value.id]][2]
                        if given is not None:
                            given.append(target.attr)

    def facts(self, tree: ast.Module) -> ModuleFacts:
        self.collect_top_level(tree)
        self.self_changed = changed_self_attrs(tree)
        aware = aware_columns(tree)
        credentials = browser_credentials(tree)
        self.block(tree.body, Scope(self.module, {}), top=True)
        return ModuleFacts(
            path=self.path,
            module=self.module,
            imports=tuple(sorted(self.imports.items())),
            imported_modules=tuple(dict.fromkeys(self.imported_modules)),
            routers=tuple(self.routers),
            includes=tuple(self.includes),
            routes=tuple(self.routes),
            functions=tuple(self.functions),
            aliases=tuple(self.aliases),
            classes=tuple(self.classes),
            instances=tuple(self.instances),
            aware_columns=aware[0],
            naive_columns=aware[1],
            browser_credentials=credentials[0],
            cross_site_credentials=credentials[1],
            databases=database_kinds(tree),
            filtered=filtered_columns(tree),
            shared_params=shared_params(tree),
            constructed=self.constructed(tree),
        )


def extract(tree: ast.Module, path: str) -> ModuleFacts:
    """The facts of one parsed module at `path` (relative, `/`-separated)."""
    return _Extractor(path, module_name(path), path.endswith("__init__.py")).facts(tree)
