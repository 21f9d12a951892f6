"""Where a value comes from: a small, local value tracker shared by the security rules.

`origin()` follows a value a few assignments back inside its function (and to module
level) and says what it can carry: nothing a client controls (`SAFE`: a constant, an
`int`, an allow-listed or quoted value), an identifier or SQL fragment built by the code
(`IDENTIFIER`), a plain value of unknown origin (`VALUE`), or data straight from a
request (`INPUT`: a `str` parameter of a route handler, `request.query_params[...]`,
`await request.json()`).
"""

from __future__ import annotations

import ast
import re
import weakref
from enum import IntEnum

from fastapi_architect.codebase.index import ProjectIndex
from fastapi_architect.codebase.syntax import dotted, last_name, walk, walk_within
from fastapi_architect.review.rule import FileContext
from fastapi_architect.review.rules._helpers import module_value

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


class Origin(IntEnum):
    SAFE = 0
    IDENTIFIER = 1
    VALUE = 2
    INPUT = 3


SAFE_TYPES = frozenset(
    {
        "int",
        "float",
        "bool",
        "complex",
        "Decimal",
        "UUID",
        "UUID1",
        "UUID4",
        "date",
        "datetime",
        "time",
        "timedelta",
        "PositiveInt",
        "NonNegativeInt",
        "NegativeInt",
        "conint",
        "confloat",
        "StrictInt",
        "StrictFloat",
        "StrictBool",
    }
)
SAFE_CALLS = frozenset(
    {
        "int",
        "float",
        "bool",
        "len",
        "round",
        "abs",
        "hash",
        "uuid4",
        "uuid1",
        "UUID",
        "count",
        "range",
        "quote_ident",
        "quote_identifier",
        "quote_name",
        "quote",
        "Identifier",
        "literal",
        "escape_identifier",
        "isoformat",
        "hexdigest",
        "monotonic",
        "time",
        "now",
    }
)
STRING_TYPES = frozenset({"str", "EmailStr", "constr", "StrictStr", "AnyStr", "Any"})
REQUEST_PARTS = frozenset(
    {"query_params", "path_params", "headers", "cookies", "form", "json", "body", "args"}
)
CHECKS = frozenset(
    {"isidentifier", "isdigit", "isdecimal", "isnumeric", "isalnum", "isalpha", "fullmatch"}
)
_UPPER = re.compile(r"^_*[A-Z][A-Z0-9_]*$")


def _annotation_names(node: ast.expr) -> list[str]:
    """The plain type names an annotation is made of (`int | None` -> int, None)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _annotation_names(node.left) + _annotation_names(node.right)
    if isinstance(node, ast.Constant):
        return ["None"] if node.value is None else [str(node.value)]
    if isinstance(node, ast.Subscript):
        outer = last_name(dotted(node.value) or "")
        inner = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if outer == "Literal":
            return ["Literal"]
        if outer == "Annotated":
            return _annotation_names(inner[0])
        if outer in {"Optional", "Union"}:
            return [n for i in inner for n in _annotation_names(i)]
        return [outer]
    return [last_name(dotted(node) or "")]


_ENUMS: weakref.WeakKeyDictionary[ProjectIndex, frozenset[str]] = weakref.WeakKeyDictionary()


def _enum_names(ctx: FileContext) -> frozenset[str]:
    """The project's Enum classes, by name."""
    cached = _ENUMS.get(ctx.index)
    if cached is None:
        cached = frozenset(
            cls.name
            for cls in ctx.index.classes.values()
            if any("Enum" in last_name(b) for b in cls.bases)
        )
        _ENUMS[ctx.index] = cached
    return cached


def annotation_origin(ctx: FileContext, annotation: ast.expr | None) -> Origin | None:
    """SAFE for a number, UUID, date, bool, Literal or Enum annotation, VALUE for a
    string one, None when the annotation says nothing."""
    if annotation is None:
        return None
    names = [n for n in _annotation_names(annotation) if n != "None"]
    if not names:
        return None
    enums = _enum_names(ctx)
    if all(n in SAFE_TYPES or n == "Literal" or n in enums for n in names):
        return Origin.SAFE
    if any(n in STRING_TYPES for n in names):
        return Origin.VALUE
    return None


def is_route_handler(ctx: FileContext, fn: ast.AST) -> bool:
    return isinstance(fn, FunctionNode) and any(
        r.fact.line == fn.lineno and r.fact.handler == fn.name for r in ctx.routes
    )


def _params(fn: FunctionNode) -> dict[str, ast.arg]:
    args = fn.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if args.vararg is not None:
        every.append(args.vararg)
    if args.kwarg is not None:
        every.append(args.kwarg)
    return {a.arg: a for a in every}


def _injected(fn: FunctionNode) -> set[str]:
    """Parameters whose default is `Depends(...)`/`Security(...)`: not client data."""
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    firsts = positional[len(positional) - len(args.defaults) :]
    pairs = list(zip(firsts, args.defaults, strict=True))
    pairs += [
        (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None
    ]
    return {
        a.arg
        for a, d in pairs
        if isinstance(d, ast.Call) and last_name(dotted(d.func) or "") in {"Depends", "Security"}
    }


def _local_nodes(fn: ast.AST) -> list[ast.AST]:
    return walk_within(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef))


def _is_checked(nodes: list[ast.AST], name: str) -> bool:
    """`name` is compared against an allow-list (`in`/`not in`), or checked with
    `.isidentifier()`, `.isdigit()`, `re.fullmatch(...)`, before it is used."""
    for node in nodes:
        if (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Name)
            and node.left.id == name
            and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops)
        ):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in CHECKS
                and isinstance(func.value, ast.Name)
                and func.value.id == name
            ):
                return True
            if last_name(dotted(func) or "") in {"fullmatch", "match"} and any(
                isinstance(a, ast.Name) and a.id == name for a in node.args[1:]
            ):
                return True
    return False


def _constant(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict):
        return all(_constant(e) for e in walk(node) if isinstance(e, ast.expr) and e is not node)
    if isinstance(node, ast.UnaryOp):
        return _constant(node.operand)
    return False


class Tracker:
    """What each value used in one function can carry."""

    def __init__(self, ctx: FileContext, scope: ast.AST, is_value_name: object) -> None:
        self.ctx = ctx
        self.scope = scope
        self.nodes = _local_nodes(scope) if scope is not ctx.tree else []
        self.params = _params(scope) if isinstance(scope, FunctionNode) else {}
        self.handler = is_route_handler(ctx, scope)
        self.injected = _injected(scope) if isinstance(scope, FunctionNode) else set()
        self.qualname = next(
            (
                fn.qualname
                for fn in ctx.facts.functions
                if isinstance(scope, FunctionNode) and fn.line == scope.lineno
            ),
            None,
        )
        self.by_name = is_value_name
        self.assigned: dict[str, list[ast.expr]] = {}
        for node in self.nodes:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    for name in walk(target):
                        if isinstance(name, ast.Name):
                            value = node.value if isinstance(target, ast.Name) else None
                            self.assigned.setdefault(name.id, []).append(
                                value if value is not None else ast.Constant(None)
                            )
            elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(
                node.target, ast.Name
            ):
                if node.value is not None:
                    self.assigned.setdefault(node.target.id, []).append(node.value)
            elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                for name in walk(node.target):
                    if isinstance(name, ast.Name):
                        self.assigned.setdefault(name.id, []).append(_Iterated(node.iter))

    def _named(self, name: str) -> Origin:
        fn = self.by_name
        return Origin.VALUE if callable(fn) and fn(name) else Origin.IDENTIFIER

    def origin(self, node: ast.expr, depth: int = 0) -> Origin:
        if depth > 4:
            return Origin.IDENTIFIER
        if isinstance(node, _Iterated):
            return self._iterated(node.iter, depth)
        if isinstance(node, ast.Constant) or _constant(node):
            return Origin.SAFE
        if isinstance(node, ast.Await):
            return self.origin(node.value, depth)
        if isinstance(node, ast.JoinedStr):
            return max(
                (
                    self.origin(v.value, depth + 1)
                    for v in node.values
                    if isinstance(v, ast.FormattedValue)
                ),
                default=Origin.SAFE,
            )
        if isinstance(node, ast.FormattedValue):
            return self.origin(node.value, depth)
        if isinstance(node, ast.BinOp):
            return max(self.origin(node.left, depth + 1), self.origin(node.right, depth + 1))
        if isinstance(node, ast.IfExp):
            return max(self.origin(node.body, depth + 1), self.origin(node.orelse, depth + 1))
        if isinstance(node, ast.Name):
            return self._name(node.id, depth)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, depth)
        if isinstance(node, ast.Subscript):
            base = node.value
            if self._request_data(base):
                return Origin.INPUT
            if isinstance(base, ast.Name) and base.id in self.params:
                inner = self._name(base.id, depth + 1)
                return Origin.INPUT if inner is Origin.INPUT else self._named(base.id)
            return min(self.origin(base, depth + 1), Origin.VALUE)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        return Origin.IDENTIFIER

    def _request_data(self, node: ast.expr) -> bool:
        """`request.query_params`, `request.headers`, `await request.json()`..."""
        if isinstance(node, ast.Await):
            node = node.value
        if isinstance(node, ast.Call):
            node = node.func
        if isinstance(node, ast.Attribute) and node.attr in REQUEST_PARTS:
            base = node.value
            if isinstance(base, ast.Name) and base.id in self.params:
                annotation = self.params[base.id].annotation
                kind = last_name(dotted(annotation) or "") if annotation is not None else ""
                return kind in {"Request", "WebSocket", "HTTPConnection"} or (
                    not kind and base.id in {"request", "req"}
                )
            return isinstance(base, ast.Name) and base.id in {"request", "req"}
        return False

    def _name(self, name: str, depth: int) -> Origin:
        if self.nodes and _is_checked(self.nodes, name):
            return Origin.SAFE
        if name in self.assigned:
            return max(self.origin(v, depth + 1) for v in self.assigned[name])
        if name in self.params:
            annotated = annotation_origin(self.ctx, self.params[name].annotation)
            if annotated is Origin.SAFE:
                return Origin.SAFE
            if (
                self.handler
                and name not in self.injected
                and (annotated is Origin.VALUE or self.params[name].annotation is None)
            ):
                return Origin.INPUT
            if (
                not self.handler
                and self.qualname is not None
                and self.ctx.index.request_fed(self.qualname, name)
            ):
                return Origin.INPUT
            return self._named(name)
        if _UPPER.match(name):
            return Origin.SAFE
        module = module_value(self.ctx, name)
        if module is not None:
            return Origin.SAFE if _constant(module) else Origin.IDENTIFIER
        return self._named(name)

    def _attribute(self, node: ast.Attribute, depth: int) -> Origin:
        if _UPPER.match(node.attr) or (
            node.attr in {"__tablename__", "__table__", "name"}
            and (isinstance(node.value, ast.Attribute) and node.value.attr == "__table__")
        ):
            return Origin.SAFE
        if node.attr in {"__tablename__", "fullname", "key"}:
            return Origin.IDENTIFIER
        if self._request_data(node):
            return Origin.INPUT
        if node.attr in {"value", "name"} and self._enum_member(node.value):
            return Origin.SAFE
        root = node.value
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in {"self", "cls", "settings", "config"}:
            return Origin.IDENTIFIER
        if isinstance(root, ast.Name) and root.id in self.params and self.handler:
            inner = self._name(root.id, depth + 1)
            if inner is Origin.SAFE:
                return Origin.SAFE
            annotated = annotation_origin(self.ctx, self.params[root.id].annotation)
            if annotated is None and node.attr in {"value"}:
                return Origin.IDENTIFIER
        return self._named(node.attr)

    def _enum_member(self, node: ast.expr) -> bool:
        """`Direction.ASC`, or a parameter annotated with an Enum (or Literal) type."""
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return node.value.id in _enum_names(self.ctx)
        return (
            isinstance(node, ast.Name)
            and node.id in self.params
            and annotation_origin(self.ctx, self.params[node.id].annotation) is Origin.SAFE
        )

    def _call(self, node: ast.Call, depth: int) -> Origin:
        name = last_name(dotted(node.func) or "")
        if self._request_data(node):
            return Origin.INPUT
        if name in SAFE_CALLS or "quote" in name.lower():
            return Origin.SAFE
        if name in {"str", "repr", "strip", "lower", "upper", "format_map"}:
            if isinstance(node.func, ast.Attribute):
                return self.origin(node.func.value, depth + 1)
            return max((self.origin(a, depth + 1) for a in node.args), default=Origin.SAFE)
        if name == "join" and node.args:
            return min(self.origin(node.args[0], depth + 1), Origin.IDENTIFIER)
        return Origin.IDENTIFIER

    def _iterated(self, node: ast.expr, depth: int) -> Origin:
        if isinstance(node, ast.Call) and last_name(dotted(node.func) or "") in {
            "enumerate",
            "sorted",
            "reversed",
            "list",
            "tuple",
            "zip",
        }:
            if not node.args:
                return Origin.IDENTIFIER
            return max(self._iterated(a, depth + 1) for a in node.args)
        if isinstance(node, ast.Call) and last_name(dotted(node.func) or "") == "range":
            return Origin.SAFE
        if isinstance(node, ast.Name):
            inner = self.origin(node, depth + 1)
            return min(inner, Origin.IDENTIFIER) if inner is not Origin.INPUT else inner
        return Origin.SAFE if _constant(node) else Origin.IDENTIFIER


class _Iterated(ast.expr):
    """The element of an iterated value: a `for` target's origin is its iterable's."""

    def __init__(self, iterable: ast.expr) -> None:
        super().__init__()
        self.iter = iterable


JWT_LIBRARIES = ("jwt", "jose.jwt", "jose.jws", "authlib.jose.jwt", "authlib.jose", "jwcrypto.jwt")


JWT_FUNCTIONS = frozenset({"encode", "decode"})  # what the rules ask about


def jwt_function(ctx: FileContext, call: ast.Call) -> str | None:
    """`encode`/`decode`... when `call` calls a JWT library (PyJWT `jwt`, python-jose
    `jose.jwt`, authlib) resolved through the imports; a project's own wrapper of the
    same name (`from app.security import jwt`, `JWT.decode`) is not the library."""
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if called not in JWT_FUNCTIONS:
        return None  # most calls: no need to spell out their names
    name = dotted(call.func)
    if name is None:
        return None
    head = name.partition(".")[0]
    if head not in ctx.imports:
        return None
    qualified = ctx.qualify(call.func)
    module, _, function = qualified.rpartition(".")
    if module not in JWT_LIBRARIES:
        return None
    if module.partition(".")[0] in ctx.index.by_module:
        return None
    return function
