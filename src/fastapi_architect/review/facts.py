"""What one module declares, extracted from its syntax tree without importing it.

The facts of every module are combined by `index.ProjectIndex`; they are plain frozen
dataclasses so that they can be cached by content hash and sent between processes.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace"})
PARAM_FUNCS = frozenset(
    {"Depends", "Security", "Query", "Path", "Body", "Header", "Cookie", "Form", "File"}
)
BOUND_KEYWORDS = frozenset({"le", "lt", "max_length", "max_items", "max_digits"})
STRING_TYPES = frozenset({"String", "VARCHAR", "NVARCHAR", "Unicode", "CHAR", "AutoString"})
_STATUS_ATTR = re.compile(r"HTTP_(\d{3})")
_ROUTE_OWNER_HINT = re.compile(r"(router|app|api|route|bp|blueprint)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DepRef:
    """A dependency: the callable given to `Depends`/`Security`, as a dotted name."""

    target: str
    security: bool
    line: int


@dataclass(frozen=True, slots=True)
class ParamFact:
    """One parameter of a route handler or dependency function."""

    name: str
    annotation: str | None
    type_name: str | None
    is_list: bool
    dep: DepRef | None
    kind: str
    upper_bound: bool | None
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class RouteFact:
    """A path operation declared with a router or app decorator."""

    owner: str
    methods: tuple[str, ...]
    path: str
    handler: str
    qualname: str
    line: int
    col: int
    end_line: int
    end_col: int
    decorator_line: int
    decorator_col: int
    is_async: bool
    params: tuple[ParamFact, ...]
    deps: tuple[DepRef, ...]
    status_code: int | None
    response_model: str | None
    response_model_type: str | None
    response_model_is_list: bool
    response_model_none: bool
    return_annotation: str | None
    return_type: str | None
    return_is_list: bool
    response_class: str | None
    rate_limited: bool


@dataclass(frozen=True, slots=True)
class RouterFact:
    """A `FastAPI()` app or `APIRouter()` assigned to a name."""

    qualname: str
    kind: str
    prefix: str
    deps: tuple[DepRef, ...]
    line: int
    col: int
    prefix_dynamic: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IncludeFact:
    """`parent.include_router(child, prefix=..., dependencies=...)`."""

    parent: str
    child: str
    child_is_call: bool
    prefix: str
    deps: tuple[DepRef, ...]
    line: int
    prefix_dynamic: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FunctionFact:
    """Any function: used to resolve dependencies and what handlers call."""

    qualname: str
    name: str
    line: int
    is_async: bool
    params: tuple[ParamFact, ...]
    returns_router: str | None
    calls: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AliasFact:
    """`CurrentUser = Annotated[User, Depends(get_current_user)]`."""

    qualname: str
    type_name: str | None
    dep: DepRef | None


@dataclass(frozen=True, slots=True)
class ColumnFact:
    """A mapped column of a table model."""

    name: str
    type_name: str
    line: int
    col: int
    end_line: int
    end_col: int
    primary_key: bool
    foreign_key: str | None
    index: bool
    unique: bool
    is_string: bool
    has_length: bool


@dataclass(frozen=True, slots=True)
class RelationFact:
    """A `Relationship()`/`relationship()` attribute."""

    name: str
    target: str
    line: int
    many: bool
    eager: bool


@dataclass(frozen=True, slots=True)
class ClassFact:
    """A class: a table model, a schema, or anything else with fields."""

    qualname: str
    name: str
    line: int
    col: int
    bases: tuple[str, ...]
    is_table: bool
    tablename: str | None
    fields: tuple[str, ...]
    columns: tuple[ColumnFact, ...]
    relations: tuple[RelationFact, ...]
    indexed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    """Everything extracted from one module."""

    path: str
    module: str
    imports: tuple[tuple[str, str], ...]
    imported_modules: tuple[str, ...]
    routers: tuple[RouterFact, ...] = ()
    includes: tuple[IncludeFact, ...] = ()
    routes: tuple[RouteFact, ...] = ()
    functions: tuple[FunctionFact, ...] = ()
    aliases: tuple[AliasFact, ...] = ()
    classes: tuple[ClassFact, ...] = ()
    instances: tuple[tuple[str, str], ...] = field(default=())


def module_name(path: str) -> str:
    """`src/app/api/deps.py` -> `app.api.deps`; `app/__init__.py` -> `app`."""
    parts = path.removesuffix(".py").split("/")
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def dotted(node: ast.expr) -> str | None:
    """`a.b.c` as a string, or None when the expression is not a plain dotted name."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def last_name(name: str | None) -> str:
    return "" if name is None else name.rsplit(".", 1)[-1]


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def str_value(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def status_value(node: ast.expr | None) -> int | None:
    """`201`, `status.HTTP_201_CREATED` or `HTTPStatus.CREATED`-like names -> 201."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    name = dotted(node) if node is not None else None
    if name:
        match = _STATUS_ATTR.search(name)
        if match:
            return int(match.group(1))
    return None


def prefix_text(node: ast.expr | None, constants: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """A router prefix as text, and the parts of it known only at run time.

    `"/api/v1"` -> ("/api/v1", ()); `settings.api_prefix` -> ("{settings.api_prefix}",
    ("{settings.api_prefix}",)). A module-level string constant is resolved.
    """
    if node is None:
        return "", ()
    text = str_value(node)
    if text is not None:
        return text, ()
    if isinstance(node, ast.FormattedValue):
        node = node.value
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id], ()
    if isinstance(node, ast.JoinedStr):
        parts = [prefix_text(v, constants) for v in node.values]
        return "".join(t for t, _ in parts), tuple(d for _, ds in parts for d in ds)
    placeholder = "{" + ast.unparse(node) + "}"
    return placeholder, (placeholder,)


def string_type(node: ast.expr) -> tuple[str, bool, bool] | None:
    """(type name, is a string type, has a length) of a column type such as `String(64)`.

    None when the expression is not recognisably a type (a variable, a call result).
    """
    call = node if isinstance(node, ast.Call) else None
    name = last_name(dotted(call.func if call is not None else node))
    if not name or not name[0].isupper():
        return None
    if name not in STRING_TYPES:
        return name, False, False
    length = (call.args[0] if call.args else keyword(call, "length")) if call else None
    has_length = length is not None and not (
        isinstance(length, ast.Constant) and length.value is None
    )
    return name, True, has_length


class _Scope:
    def __init__(self, prefix: str, routers: dict[str, str]) -> None:
        self.prefix = prefix
        self.routers = routers


class _Extractor:
    def __init__(self, path: str, module: str, is_package: bool) -> None:
        self.path = path
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.imports: dict[str, str] = {}
        self.constants: dict[str, str] = {}
        self.imported_modules: list[str] = []
        self.defs: set[str] = set()
        self.routers: list[RouterFact] = []
        self.includes: list[IncludeFact] = []
        self.routes: list[RouteFact] = []
        self.functions: list[FunctionFact] = []
        self.aliases: list[AliasFact] = []
        self.classes: list[ClassFact] = []
        self.instances: list[tuple[str, str]] = []

    # -- names ---------------------------------------------------------------------------
    def qualify(self, node: ast.expr | None, scope: _Scope | None = None) -> str | None:
        if node is None:
            return None
        if isinstance(node, ast.Call):
            return self.qualify(node.func, scope)
        if isinstance(node, ast.Subscript):
            return self.qualify(node.value, scope)
        name = dotted(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        if scope is not None and head in scope.routers:
            base = scope.routers[head]
        elif head in self.imports:
            base = self.imports[head]
        elif head in self.defs:
            base = f"{self.module}.{head}"
        else:
            base = head
        return f"{base}.{rest}" if rest else base

    def _absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        parts = self.package.split(".") if self.package else []
        if node.level > 1:
            parts = parts[: len(parts) - (node.level - 1)]
        if node.module:
            parts.append(node.module)
        return ".".join(p for p in parts if p)

    def collect_top_level(self, tree: ast.Module) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.partition(".")[0]
                    self.imports[local] = alias.name if alias.asname else local
                    self.imported_modules.append(alias.name)
            elif isinstance(node, ast.ImportFrom):
                base = self._absolute(node)
                self.imported_modules.append(base)
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    full = f"{base}.{alias.name}" if base else alias.name
                    self.imports[alias.asname or alias.name] = full
                    self.imported_modules.append(full)
        for stmt in tree.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                self.defs.add(stmt.name)
            elif isinstance(stmt, ast.Assign | ast.AnnAssign):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        self.defs.add(target.id)
                        text = str_value(stmt.value)
                        if text is not None:
                            self.constants[target.id] = text

    # -- walking -------------------------------------------------------------------------
    def block(self, stmts: list[ast.stmt], scope: _Scope, top: bool) -> None:
        for stmt in stmts:
            self.statement(stmt, scope, top)

    def statement(self, stmt: ast.stmt, scope: _Scope, top: bool) -> None:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            self.function(stmt, scope)
        elif isinstance(stmt, ast.ClassDef):
            self.klass(stmt, scope, top)
        elif isinstance(stmt, ast.Assign | ast.AnnAssign):
            self.assign(stmt, scope, top)
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

    def assign(self, stmt: ast.Assign | ast.AnnAssign, scope: _Scope, top: bool) -> None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        value = stmt.value
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if value is None or not names:
            return
        if isinstance(value, ast.Call):
            callee = self.qualify(value.func, scope) or ""
            kind = last_name(callee)
            if kind in {"FastAPI", "APIRouter"}:
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

    def call_statement(self, call: ast.Call, scope: _Scope) -> None:
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

    def dep_from_call(
        self, node: ast.expr, scope: _Scope, annotation: ast.expr | None = None
    ) -> DepRef | None:
        if not isinstance(node, ast.Call):
            return None
        func = last_name(dotted(node.func))
        if func not in {"Depends", "Security"}:
            return None
        target_node = node.args[0] if node.args else keyword(node, "dependency")
        if target_node is None:
            target_node = annotation
        target = self.qualify(target_node, scope) if target_node is not None else None
        return DepRef(target or "?", func == "Security", node.lineno)

    def dep_list(self, node: ast.expr | None, scope: _Scope) -> tuple[DepRef, ...]:
        if not isinstance(node, ast.List | ast.Tuple):
            return ()
        refs = [self.dep_from_call(elt, scope) for elt in node.elts]
        return tuple(r for r in refs if r is not None)

    def unwrap_type(
        self, node: ast.expr | None, scope: _Scope
    ) -> tuple[str | None, bool, list[ast.expr]]:
        """Return (qualified base type, is a list, Annotated metadata)."""
        meta: list[ast.expr] = []
        is_list = False
        for _ in range(6):
            if node is None:
                return None, is_list, meta
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                try:
                    node = ast.parse(text, mode="eval").body
                except SyntaxError:
                    return text, is_list, meta
                continue
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
                left_none = isinstance(node.left, ast.Constant) and node.left.value is None
                node = node.right if left_none else node.left
                continue
            if isinstance(node, ast.Subscript):
                head = last_name(dotted(node.value))
                elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
                if head == "Annotated":
                    meta.extend(elts[1:])
                    node = elts[0]
                    continue
                if head in {"Optional", "Union"}:
                    node = elts[0]
                    continue
                if head in {"list", "List", "Sequence", "set", "Set", "tuple", "Tuple", "Iterable"}:
                    is_list = True
                    node = elts[0]
                    continue
                if head in {"Mapped"}:
                    node = elts[0]
                    continue
                return self.qualify(node.value, scope), is_list, meta
            return self.qualify(node, scope), is_list, meta
        return None, is_list, meta

    def param(
        self, arg: ast.arg, default: ast.expr | None, scope: _Scope, path_params: set[str]
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
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: _Scope, path_params: set[str]
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

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: _Scope) -> None:
        qual = f"{scope.prefix}.{node.name}"
        inner = _Scope(qual, dict(scope.routers))
        for dec in node.decorator_list:
            self.route(dec, node, scope, qual)
        self.block(node.body, inner, top=False)
        returns_router = None
        calls: list[str] = []
        for sub in ast.walk(node):
            if isinstance(sub, ast.Return) and isinstance(sub.value, ast.Name):
                returns_router = inner.routers.get(sub.value.id, returns_router)
            elif isinstance(sub, ast.Call) and len(calls) < 200:
                callee = self.qualify(sub.func, inner)
                if callee:
                    calls.append(callee)
        self.functions.append(
            FunctionFact(
                qual,
                node.name,
                node.lineno,
                isinstance(node, ast.AsyncFunctionDef),
                self.params(node, scope, set()),
                returns_router,
                tuple(dict.fromkeys(calls)),
            )
        )

    def route(
        self,
        dec: ast.expr,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        scope: _Scope,
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
        elif isinstance(path_node, ast.JoinedStr):
            path = "".join(
                str(v.value) if isinstance(v, ast.Constant) else "{…}" for v in path_node.values
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
        path_params = set(re.findall(r"{(\w+)(?::\w+)?}", path))
        rm_node = keyword(dec, "response_model")
        rm_type, rm_list, _ = self.unwrap_type(rm_node, scope)
        ret_type, ret_list, _ = self.unwrap_type(node.returns, scope)
        decorator_text = " ".join(ast.unparse(d) for d in node.decorator_list).lower()
        deps = self.dep_list(keyword(dec, "dependencies"), scope)
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

    def klass(self, node: ast.ClassDef, scope: _Scope, top: bool) -> None:
        qual = f"{scope.prefix}.{node.name}"
        bases = tuple(b for b in (self.qualify(base, scope) for base in node.bases) if b)
        table_kw = is_true(keyword(_class_call(node), "table"))
        fields: list[str] = []
        columns: list[ColumnFact] = []
        relations: list[RelationFact] = []
        indexed: list[str] = []
        tablename: str | None = None
        explicit_column = False
        abstract = False
        annotation: ast.expr | None
        value: ast.expr | None
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if not isinstance(target, ast.Name):
                    continue
                name, annotation, value = target.id, None, stmt.value
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                name, annotation, value = stmt.target.id, stmt.annotation, stmt.value
            elif isinstance(stmt, ast.FunctionDef) and stmt.name == "__tablename__":
                tablename = stmt.name
                continue
            else:
                continue
            if name == "__tablename__":
                tablename = str_value(value) or "?"
                continue
            if name == "__abstract__":
                abstract = is_true(value)
                continue
            if name == "__table_args__":
                indexed.extend(_table_args_indexed(value))
                continue
            if name.startswith("__") or (
                annotation is not None and last_name(dotted(annotation)) == "ClassVar"
            ):
                continue
            fields.append(name)
            if isinstance(value, ast.Call) and last_name(dotted(value.func)) in {
                "Column",
                "mapped_column",
            }:
                explicit_column = True
            column_or_rel = self.column(name, annotation, value, stmt, scope, True)
            if isinstance(column_or_rel, ColumnFact):
                columns.append(column_or_rel)
            elif isinstance(column_or_rel, RelationFact):
                relations.append(column_or_rel)
        is_table = (table_kw or tablename is not None or explicit_column) and not abstract
        if not table_kw and tablename is None and node.name.endswith("Mixin"):
            is_table = False
        self.classes.append(
            ClassFact(
                qual,
                node.name,
                node.lineno,
                node.col_offset,
                bases,
                is_table,
                tablename,
                tuple(fields),
                tuple(columns),
                tuple(relations),
                tuple(indexed),
            )
        )
        if top:
            inner = _Scope(qual, dict(scope.routers))
            for stmt in node.body:
                if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                    self.function(stmt, inner)

    def column(
        self,
        name: str,
        annotation: ast.expr | None,
        value: ast.expr | None,
        stmt: ast.stmt,
        scope: _Scope,
        sqlmodel_table: bool,
    ) -> ColumnFact | RelationFact | None:
        call = value if isinstance(value, ast.Call) else None
        func = last_name(dotted(call.func)) if call is not None else ""
        ann_type, ann_list, _ = self.unwrap_type(annotation, scope)
        if func in {"Relationship", "relationship"}:
            assert call is not None
            target = str_value(call.args[0]) if call.args else None
            if target is None and call.args:
                target = last_name(dotted(call.args[0]))
            lazy = keyword(call, "lazy")
            extra = keyword(call, "sa_relationship_kwargs")
            if isinstance(extra, ast.Dict):
                for key, val in zip(extra.keys, extra.values, strict=True):
                    if str_value(key) == "lazy":
                        lazy = val
            eager = str_value(lazy) in {"selectin", "joined", "subquery", "immediate"}
            return RelationFact(name, target or last_name(ann_type), stmt.lineno, ann_list, eager)
        end = (stmt.end_lineno or stmt.lineno, stmt.end_col_offset or 0)
        if func in {"Column", "mapped_column"}:
            assert call is not None
            sa_type = "?"
            fk: str | None = None
            has_length = False
            is_string = False
            for arg in call.args:
                inner = arg.func if isinstance(arg, ast.Call) else arg
                inner_name = last_name(dotted(inner))
                if inner_name == "ForeignKey" and isinstance(arg, ast.Call) and arg.args:
                    fk = str_value(arg.args[0]) or ast.unparse(arg.args[0])
                    continue
                known = string_type(arg)
                if known is not None and sa_type == "?":
                    sa_type, is_string, has_length = known
            if sa_type == "?" and ann_type is not None:
                sa_type = last_name(ann_type)
                if sa_type == "str" and func == "mapped_column":
                    is_string, has_length = True, False
            return ColumnFact(
                name,
                sa_type,
                stmt.lineno,
                stmt.col_offset,
                *end,
                is_true(keyword(call, "primary_key")),
                fk,
                is_true(keyword(call, "index")),
                is_true(keyword(call, "unique")),
                is_string,
                has_length,
            )
        if not sqlmodel_table or annotation is None:
            return None
        field_call = call if func == "Field" else None
        if field_call is not None:
            sa_column = keyword(field_call, "sa_column")
            if isinstance(sa_column, ast.Call):
                return self.column(name, annotation, sa_column, stmt, scope, sqlmodel_table)
        type_name = last_name(ann_type) or "?"
        fk_node = keyword(field_call, "foreign_key") if field_call is not None else None
        is_string = type_name == "str"
        has_length = field_call is not None and keyword(field_call, "max_length") is not None
        sa_type_node = keyword(field_call, "sa_type") if field_call is not None else None
        if sa_type_node is not None:
            # An explicit `sa_type=` decides the column: Text, a TypeDecorator, `String(n)`.
            known = string_type(sa_type_node)
            if known is None:
                is_string = False
            else:
                type_name, is_string, sa_length = known
                has_length = has_length or sa_length
        return ColumnFact(
            name,
            type_name,
            stmt.lineno,
            stmt.col_offset,
            *end,
            field_call is not None and is_true(keyword(field_call, "primary_key")),
            (str_value(fk_node) or ast.unparse(fk_node)) if fk_node is not None else None,
            field_call is not None and is_true(keyword(field_call, "index")),
            field_call is not None and is_true(keyword(field_call, "unique")),
            is_string,
            has_length,
        )

    def facts(self, tree: ast.Module) -> ModuleFacts:
        self.collect_top_level(tree)
        self.block(tree.body, _Scope(self.module, {}), top=True)
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
        )


def _class_call(node: ast.ClassDef) -> ast.Call:
    """The class keywords (`table=True`) as a call so that `keyword()` can read them."""
    return ast.Call(func=ast.Name(id=node.name), args=[], keywords=node.keywords)


def _table_args_indexed(value: ast.expr | None) -> list[str]:
    """Columns that lead an `Index`/`UniqueConstraint`/`PrimaryKeyConstraint` in table args."""
    out: list[str] = []
    if value is None:
        return out
    for node in ast.walk(value):
        if not isinstance(node, ast.Call):
            continue
        func = last_name(dotted(node.func))
        args = node.args[1:] if func == "Index" else node.args
        if func in {"Index", "UniqueConstraint", "PrimaryKeyConstraint"} and args:
            first = args[0]
            name = str_value(first) or last_name(dotted(first))
            if name:
                out.append(name)
    return out


def extract(tree: ast.Module, path: str) -> ModuleFacts:
    """The facts of one parsed module at `path` (relative, `/`-separated)."""
    return _Extractor(path, module_name(path), path.endswith("__init__.py")).facts(tree)
