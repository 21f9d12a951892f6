"""Small syntax-tree helpers shared by the rules."""

from __future__ import annotations

import ast
import re
import weakref
from collections.abc import Callable, Iterable

from fastapi_architect.codebase.facts import ClassFact
from fastapi_architect.codebase.index import ProjectIndex, Route
from fastapi_architect.codebase.syntax import dotted, last_name, walk, walk_within
from fastapi_architect.review.rule import FileContext

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
SQL_WORDS = re.compile(
    r"\b(select|insert|update|delete|from|where|join|values|order by|group by|create|drop|alter)\b",
    re.IGNORECASE,
)
# `scope` as in OAuth scopes, not a database session scope (`injectable_session_scope`)
PRIVILEGED = re.compile(
    r"(admin|superuser|super_user|staff|role|permission|(?<!session_)(?<!db_)scope|"
    r"(require|check|verify|ensure|assert)_\w*owner|owner_(only|required)|is_owner)",
    re.IGNORECASE,
)


def walk_body(node: ast.AST) -> list[ast.AST]:
    """Every node under `node`, not entering nested functions, lambdas or classes."""
    return walk_within(node, _SCOPES)


def unannotated(ctx: FileContext, annotation: ast.expr) -> ast.expr:
    """`X` of `Annotated[X, ...]`; any other annotation as it is."""
    if (
        isinstance(annotation, ast.Subscript)
        and last_name(ctx.qualify(annotation.value)) == "Annotated"
    ):
        elts = (
            annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
        )
        return elts[0]
    return annotation


def params_typed(
    ctx: FileContext, fn: FunctionNode, is_type: Callable[[ast.expr], bool]
) -> set[str]:
    """The parameters of `fn` whose annotation (inside any `Annotated`) is of a type."""
    args = fn.args
    return {
        a.arg
        for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]
        if a.annotation is not None and is_type(unannotated(ctx, a.annotation))
    }


def method_call(
    node: ast.AST, receivers: set[str], methods: Iterable[str]
) -> tuple[str, str] | None:
    """(receiver, method) when `node` calls one of `methods` on a name in `receivers`."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in receivers
        and node.func.attr in methods
    ):
        return node.func.value.id, node.func.attr
    return None


# Calls named for an authorization check: `authorize(user, UserPolicy.update)`.
AUTHZ_CALL = re.compile(
    r"(authori[sz]|permission|polic|require|ensure|check|verify|assert|can_|guard|allow|"
    r"admin|enforce)",
    re.IGNORECASE,
)


def authorizes(handler: ast.AST, users: list[str]) -> bool:
    """A call in the body named for an authorization check that receives the user:
    `authorize(user, UserPolicy.create)`, `verify_admin(user.is_admin)`; or a refusal
    decided on the user: `if structure.manager_id != user.id: raise HTTPException(403)`."""
    for node in walk_body(handler):
        if (
            isinstance(node, ast.Call)
            and AUTHZ_CALL.search(last_name(call_name(node)))
            and any(mentions(a, u) for a in [*node.args, *node.keywords] for u in users)
        ):
            return True
        if (
            isinstance(node, ast.If)
            and any(mentions(node.test, u) for u in users)
            and any(_forbids(stmt) for stmt in node.body)
        ):
            return True
    return False


def _forbids(stmt: ast.stmt) -> bool:
    """`raise HTTPException(status_code=403, ...)` (or 401, or `HTTP_403_FORBIDDEN`)."""
    if not isinstance(stmt, ast.Raise) or not isinstance(stmt.exc, ast.Call):
        return False
    given = [*stmt.exc.args, *(k.value for k in stmt.exc.keywords)]
    return any(
        (isinstance(a, ast.Constant) and a.value in (401, 403))
        or (
            isinstance(a, ast.Attribute | ast.Name)
            and re.search(r"40[13]|FORBIDDEN", dotted(a) or "")
        )
        for a in given
    )


def call_name(call: ast.Call) -> str:
    return dotted(call.func) or ""


def fetched_table(ctx: FileContext, call: ast.Call) -> ClassFact | None:
    """The table model a call loads by key: `session.get(Model, key)`, or `.where()` /
    `.filter()` / `.filter_by()` on `select(Model)` or `session.query(Model)`."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    if func.attr == "get" and len(call.args) >= 2:
        return ctx.index.table(ctx.qualify(call.args[0]))
    if func.attr in {"where", "filter", "filter_by"}:
        for inner in walk(func.value):
            if not isinstance(inner, ast.Call) or not inner.args:
                continue
            if last_name(call_name(inner)) in {"select", "query"}:
                return ctx.index.table(ctx.qualify(inner.args[0]))
    return None


def mentions(node: ast.AST, name: str) -> bool:
    """True when a `Name` with this id appears under `node` (or is `node`)."""
    return any(isinstance(n, ast.Name) and n.id == name for n in walk(node))


def assignments(fn: ast.AST) -> dict[str, ast.expr]:
    """The last value assigned to each plain name in a function body."""
    out: dict[str, ast.expr] = {}
    for node in walk_body(fn):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = node.value
        elif (
            isinstance(node, ast.AnnAssign | ast.AugAssign)
            and isinstance(node.target, ast.Name)
            and node.value is not None
        ):
            out[node.target.id] = node.value
    return out


def string_parts(node: ast.expr) -> str:
    """The constant text of a built string (to check that it looks like SQL)."""
    return " ".join(
        n.value for n in walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    )


def is_built_string(node: ast.expr, assigned: dict[str, ast.expr], depth: int = 0) -> bool:
    """An f-string with a placeholder, `"..." % x`, `"..." + x` or `"...".format(x)`."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        sides = (node.left, node.right)
        has_text = any(
            (isinstance(s, ast.Constant) and isinstance(s.value, str))
            or isinstance(s, ast.JoinedStr | ast.BinOp)
            for s in sides
        )
        has_value = any(not isinstance(s, ast.Constant) for s in sides)
        return has_text and has_value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
    ):
        return bool(node.args or node.keywords)
    if isinstance(node, ast.Name) and depth < 3 and node.id in assigned:
        return is_built_string(assigned[node.id], assigned, depth + 1)
    return False


def auth_params(ctx: FileContext, route: Route) -> list[str]:
    """Handler parameters that receive the authenticated principal."""
    out = []
    for param in route.fact.params:
        dep = param.dep
        if dep is None:
            alias = ctx.index.alias(param.type_name)
            dep = alias.dep if alias is not None else None
        if dep is not None and ctx.index.is_auth_dep(dep):
            out.append(param.name)
    return out


# `Depends(is_user_allowed_to([...]))`, `Depends(has_access(group=...))`: a dependency
# made for the route from what the caller must be or hold
GRANTING_FACTORY = re.compile(
    r"(allowed|access|permi|privilege|group|member|role|can_|is_user_in)", re.I
)


def is_privileged(route: Route) -> bool:
    """A route guarded by an admin/role/scope dependency may act on any user's data:
    named so, or made by a factory given the group, role or permission to hold."""
    return any(
        PRIVILEGED.search(last_name(d.target))
        or (
            d.arguments
            and (PRIVILEGED.search(d.arguments) or GRANTING_FACTORY.search(last_name(d.target)))
        )
        for d in route.deps
    )


def awaited(fn: ast.AST) -> set[int]:
    """ids of the calls that are awaited (directly) in a function body."""
    return {
        id(node.value)
        for node in walk_body(fn)
        if isinstance(node, ast.Await) and isinstance(node.value, ast.Call)
    }


def imported_name(ctx: FileContext, node: ast.expr, library: str) -> str | None:
    """The qualified name of `node` when its first part was imported from `library`
    (`requests.get`, `passlib.context.CryptContext`): a name that was never imported, or
    that comes from the project's own modules, is not the library."""
    name = dotted(node.func if isinstance(node, ast.Call) else node)
    if name is None or name.partition(".")[0] not in ctx.imports:
        return None
    qualified = ctx.qualify(node)
    if qualified != library and not qualified.startswith(library + "."):
        return None
    if library.partition(".")[0] in ctx.index.by_module:
        return None
    return qualified


def value_of(ctx: FileContext, node: ast.expr, at: ast.AST) -> ast.expr:
    """`node`, or when it is a plain name, the value last assigned to it in the function
    holding `at` or else at module level: a value followed one assignment back."""
    if not isinstance(node, ast.Name):
        return node
    scope = ctx.scope_of(at)
    if scope is not ctx.tree:
        local = assignments(scope).get(node.id)
        if local is not None:
            return local
    value = module_value(ctx, node.id)
    return value if value is not None else node


def module_value(ctx: FileContext, name: str) -> ast.expr | None:
    """The value last assigned to `name` at the top level of the module, if any."""
    value: ast.expr | None = None
    for stmt in ctx.tree.body:
        if isinstance(stmt, ast.Assign):
            targets, assigned = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, assigned = [stmt.target], stmt.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            value = assigned
    return value


def string_items(node: ast.expr) -> list[str] | None:
    """The strings of a list/tuple/set literal, or of a comma-separated string; None when
    the value is not written as literals."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [s.strip() for s in node.value.split(",") if s.strip()]
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        out = []
        for elt in node.elts:
            if not (isinstance(elt, ast.Constant) and isinstance(elt.value, str)):
                return None
            out.append(elt.value)
        return out
    return None


_REQUEST_PATH: weakref.WeakKeyDictionary[ProjectIndex, frozenset[str]] = weakref.WeakKeyDictionary()


def _request_path_names(index: ProjectIndex) -> frozenset[str]:
    """Qualified names of the functions a request runs: route handlers, the dependencies
    of routes, and the functions handlers and dependencies call directly."""
    cached = _REQUEST_PATH.get(index)
    if cached is not None:
        return cached
    entry: set[str] = set()
    for route in index.routes:
        entry.add(route.fact.qualname)
        for dep in route.deps:
            fn = index.function(dep.target)
            if fn is not None:
                entry.add(fn.qualname)
    out = set(entry)
    resolved: dict[str, str | None] = {}
    for qual in entry:
        fn = index.functions.get(qual)
        for callee in fn.calls if fn is not None else ():
            if callee not in resolved:
                target = index.function(callee)
                resolved[callee] = target.qualname if target is not None else None
            if resolved[callee] is not None:
                out.add(str(resolved[callee]))
    result = frozenset(out)
    _REQUEST_PATH[index] = result
    return result


def request_path_functions(ctx: FileContext) -> list[FunctionNode]:
    """The functions of this file that run while a request is served (see above)."""
    names = _request_path_names(ctx.index)
    nodes = ctx.functions()
    return [
        nodes[fn.line]
        for fn in ctx.facts.functions
        if fn.qualname in names and fn.line in nodes and nodes[fn.line].name == fn.name
    ]


_SCHEMA_SUFFIXES = re.compile(
    r"(Create|Update|Patch|Put|Edit|In|Input|Out|Output|Read|Public|Private|Detail|Details|"
    r"Response|Request|Body|Payload|Schema|Data|Base|Form|View|Item)+$"
)


def table_of_schema(ctx: FileContext, schema: ClassFact) -> ClassFact | None:
    """The table a schema stands for: itself, a table that shares one of its base classes
    (SQLModel's `TaskBase` -> `Task` and `TaskCreate`), or `Task` for `TaskCreate`,
    `TaskOut`, `TaskPublic`..."""
    if schema.is_table:
        return schema
    mine = {c.qualname for c in ctx.index.ancestors(schema)}
    sharing = [t for t in ctx.index.tables if mine & {c.qualname for c in ctx.index.ancestors(t)}]
    if len(sharing) == 1:  # a base shared by every table says nothing
        return sharing[0]
    stem = _SCHEMA_SUFFIXES.sub("", schema.name)
    if stem and stem != schema.name:
        for table in ctx.index.tables:
            if table.name == stem:
                return table
    return None


GROWS = frozenset(
    {
        "message", "event", "log", "run", "task", "job", "conversation", "chat", "history",
        "trace", "span", "audit", "notification", "comment", "post", "item", "record",
        "document", "metric", "execution", "transaction", "order", "payment", "activity",
        "feed", "entry", "alert", "session", "thread", "reply", "interaction", "result",
        "search",
    }
)  # fmt: skip
"""Nouns for data that grows with use, without bound."""


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def names_growing_data(text: str) -> bool:
    """Whether a name (`list_runs`, `/messages`, `WebhookLog`) names data that grows with
    use: any of its words, in snake, kebab or camel case, singular or plural."""
    words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", text)
    return any(_singular(w.lower()) in GROWS for w in words)


def lists_growing_data(route: Route) -> bool:
    """The route lists something that grows with use: its last literal path segment or
    its handler's name names it (`/agents/{id}/messages`, `list_runs`). Such a list is
    worth a page and a cap; tables of configuration (users, projects, tags, settings)
    stay small enough that a large page costs little."""
    segments = [s for s in route.full_path.split("/") if s and not s.startswith("{")]
    return names_growing_data(f"{segments[-1] if segments else ''} {route.fact.handler}")
