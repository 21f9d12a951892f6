"""The project-wide index: apps, routers and their include chains, routes with full paths
and effective dependencies, table models, and which names resolve to which definitions."""

from __future__ import annotations

import functools
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from fastapi_architect.codebase.facts import (
    AliasFact,
    ClassFact,
    ColumnFact,
    DepRef,
    FunctionFact,
    IncludeFact,
    ModuleFacts,
    ParamFact,
    RelationFact,
    RouteFact,
    RouterFact,
)
from fastapi_architect.codebase.layers import layer_containers, layer_of
from fastapi_architect.codebase.syntax import last_name

T = TypeVar("T")

AUTH_NAME = re.compile(
    r"(auth|current_?(active_?)?(super)?user|get_?user|user_?required|verif|token|jwt|require|"
    r"permission|admin|principal|api_?key|oauth|credential|bearer|logged_?in|scope|role|guard|"
    r"protect|signature|secur|check_user|superuser|valid_user|is_user|has_access|access_check|"
    r"identity|claims)",
    re.IGNORECASE,
)
AUTH_CALL = re.compile(
    r"(jwt\.decode|decode_token|decode_access|verify_token|verify_jwt|authenticate|"
    r"check_auth|get_current_user|require_|verify_api_key|validate_token|verify_signature)",
    re.IGNORECASE,
)
AUTH_CLASS = re.compile(
    r"(OAuth2|HTTPBearer|HTTPBasic|HTTPDigest|APIKey|OpenIdConnect|Auth|Bearer|Security|"
    r"Permission|JWT|Token)",
)
SENSITIVE_FIELD = re.compile(
    r"^(password|passwd|pwd|hashed_password|password_hash|pass_hash|secret|\w*_secret|secret_\w+|"
    r"\w*api_?key|private_key|\w*_token|token|salt|otp_secret|totp_secret|mfa_secret)$",
    re.IGNORECASE,
)
OWNER_COLUMN = re.compile(r"^(user_id|owner_id|created_by(_id)?|author_id|account_id|tenant_id)$")


@dataclass(frozen=True, slots=True)
class Mount:
    """Where a router ends up: its full prefix and the dependencies applied above it.

    `dynamic` holds the parts of the prefix computed at run time (`settings.prefix`), as
    they appear in `prefix`: their source text in braces.
    """

    prefix: str
    deps: tuple[DepRef, ...]
    mounted: bool
    dynamic: tuple[str, ...] = ()
    app: str | None = None
    """The `FastAPI()` application the router ends up in, when it is reached from one."""


@dataclass(frozen=True, slots=True)
class Route:
    """A route with everything the index could resolve about it."""

    fact: RouteFact
    path: str
    module: str
    full_paths: tuple[str, ...]
    deps: tuple[DepRef, ...]
    auth: bool
    auth_via: str | None
    auth_in_body: bool
    mounted: bool
    router: str
    dynamic_prefix: tuple[str, ...] = ()
    apps: tuple[str, ...] = ()
    """The `FastAPI()` applications serving the route; separate apps (one mounted in
    another with `app.mount`) have separate route tables."""

    @property
    def full_path(self) -> str:
        return self.full_paths[0]


class ProjectIndex:
    """All module facts combined, with cross-file name resolution."""

    def __init__(self, modules: Iterable[ModuleFacts]) -> None:
        self.modules: dict[str, ModuleFacts] = {m.path: m for m in modules}
        self.by_module: dict[str, ModuleFacts] = {}
        self.functions: dict[str, FunctionFact] = {}
        self.classes: dict[str, ClassFact] = {}
        self.class_paths: dict[str, str] = {}
        self.routers: dict[str, RouterFact] = {}
        self.aliases: dict[str, AliasFact] = {}
        self.instances: dict[str, str] = {}
        self._by_last: dict[str, list[str]] = defaultdict(list)
        self._module_suffix: dict[str, list[str]] = defaultdict(list)
        for facts in self.modules.values():
            self.by_module.setdefault(facts.module, facts)
            parts = facts.module.split(".")
            for i in range(len(parts)):
                self._module_suffix[".".join(parts[i:])].append(facts.module)
            for fn in facts.functions:
                self.functions[fn.qualname] = fn
            for cls in facts.classes:
                self.classes[cls.qualname] = cls
                self.class_paths[cls.qualname] = facts.path
            for router in facts.routers:
                self.routers[router.qualname] = router
            for alias in facts.aliases:
                self.aliases[alias.qualname] = alias
            for qual, callee in facts.instances:
                self.instances[qual] = callee
        self._outer = self._outer_packages()
        self._outer_longest_first = sorted(self._outer, key=lambda o: (-len(o), o))
        names: list[Iterable[str]] = [
            self.functions,
            self.classes,
            self.routers,
            self.aliases,
            self.instances,
        ]
        for defined in names:
            for qual in defined:
                self._by_last[last_name(qual)].append(qual)
        self._auth_memo: dict[str, bool] = {}
        self._ancestors: dict[tuple[str, int], list[ClassFact]] = {}
        self._mutates_memo: dict[tuple[str, str], bool] = {}
        self._fed_by: dict[tuple[str, str], list[tuple[str, str]]] | None = None
        self._constructions: dict[str, list[tuple[str, int, tuple[str, ...] | None]]] | None = None
        self._request_text: set[tuple[str, str]] = set()
        self._used_names: frozenset[str] | None = None
        self._nested: dict[str, list[str]] = defaultdict(list)
        """Functions defined inside a function, by the outer one's name."""
        for qual in self.functions:
            outer = qual.rpartition(".")[0]
            if outer in self.functions:
                self._nested[outer].append(qual)
        self.aware_columns: frozenset[str] = frozenset(
            name for m in self.modules.values() for name in m.aware_columns
        ) - {name for m in self.modules.values() for name in m.naive_columns}
        """Columns some model declares timezone-aware, by attribute name (but no model
        declares one of that name naive, or fills it with a naive clock by its own default:
        then the name does not tell which column a value goes to)."""
        self.browser_credentials = any(m.browser_credentials for m in self.modules.values())
        """Somewhere the project handles cookies, sessions or HTTP Basic."""
        self.cross_site_credentials = any(m.cross_site_credentials for m in self.modules.values())
        """Somewhere the project sets `samesite="none"` cookies or takes HTTP Basic."""
        databases = {d for m in self.modules.values() for d in m.databases}
        self.sqlite_only = databases == {"sqlite"}
        """The only database URLs the project writes are SQLite's: a local, in-process
        database."""
        self.filtered: frozenset[str] = frozenset(
            name for m in self.modules.values() for name in m.filtered
        )
        """`Model.column` (or `*.column`) that some query filters on."""
        self._includes: dict[str, list[IncludeFact]] = defaultdict(list)
        for facts in self.modules.values():
            for inc in facts.includes:
                child = self._include_child(inc)
                if child is not None:
                    self._includes[child].append(inc)
        self.tables: tuple[ClassFact, ...] = tuple(c for c in self.classes.values() if c.is_table)
        self._table_parts: set[str] = set()
        for table in self.tables:
            self._table_parts.update(c.qualname for c in self.ancestors(table))
        self.relation_names: frozenset[str] = frozenset(
            r.name for t in self.tables for r in self.all_relations(t) if not r.eager
        )
        self.routes: tuple[Route, ...] = tuple(
            self._route(facts, fact) for facts in self.modules.values() for fact in facts.routes
        )
        self._routes_by_path: dict[str, list[Route]] = defaultdict(list)
        for route in self.routes:
            self._routes_by_path[route.path].append(route)
        containers = layer_containers(self.modules)
        self.layers: dict[str, str | None] = {p: layer_of(p, containers) for p in self.modules}

    # -- name resolution -----------------------------------------------------------------
    def _outer_packages(self) -> frozenset[str]:
        """The dotted name of the reviewed folder itself, when it is a package that the
        code imports itself by (`from app.schemas import X` with `app/` the root, or
        `mlrun.api.db` with `mlrun/api/` the root): a prefix that names no module of the
        project, after which the rest does."""
        if "__init__" not in self.by_module:
            return frozenset()
        tops = {m.partition(".")[0] for m in self.by_module}
        found: Counter[str] = Counter()
        missed: Counter[str] = Counter()
        for facts in self.modules.values():
            for target in (*facts.imported_modules, *(t for _, t in facts.imports)):
                parts = target.split(".")
                if parts[0] in tops or parts[0] in sys.stdlib_module_names:
                    continue
                for k in range(1, min(len(parts), 4)):
                    head, rest = ".".join(parts[:k]), ".".join(parts[k:])
                    if parts[k] in tops and (
                        rest in self.by_module or rest.rpartition(".")[0] in self.by_module
                    ):
                        found[head] += 1
                        break
                    missed[head] += 1
        # A library whose submodules share a name with the project's (`strawberry.types`
        # and the project's `types.py`) also imports what the project does not have.
        return frozenset(h for h, n in found.items() if n >= 2 and missed[h] * 4 <= n)

    def _inner(self, qualname: str) -> str:
        """`app.schemas.X` -> `schemas.X` when `app` is the reviewed package itself."""
        for outer in self._outer_longest_first:
            if qualname.startswith(outer + ".") and len(qualname) > len(outer) + 1:
                return qualname[len(outer) + 1 :]
        return qualname

    def _lookup(self, qualname: str, table: dict[str, T], depth: int = 0) -> T | None:
        if qualname in table:
            return table[qualname]
        qualname = self._inner(qualname)
        if qualname in table:
            return table[qualname]
        if depth > 4:
            return None
        last = last_name(qualname)
        candidates = [c for c in self._by_last.get(last, ()) if c in table]
        for cand in candidates if "." in qualname else ():
            # a bare name (a function's parameter, a local) would match any `x.name`
            if cand.endswith("." + qualname) or qualname.endswith("." + cand):
                return table[cand]
        module_part, _, name = qualname.rpartition(".")
        if module_part:
            for mod in self._module_suffix.get(module_part, ()):
                imports = dict(self.by_module[mod].imports)
                if name in imports and imports[name] != qualname:
                    return self._lookup(imports[name], table, depth + 1)
                # `from .models_mysql import *` re-exports what that module defines
                imported = self.by_module[mod].imported_modules
                for cand in candidates:
                    if cand.rpartition(".")[0] in imported:
                        return table[cand]
            # `pkg.module.Name` where the import only named a prefix of the module path
            for cand in candidates:
                cand_module = cand.rpartition(".")[0]
                if cand_module.endswith(module_part) or module_part.endswith(cand_module):
                    return table[cand]
        elif len(candidates) == 1:
            return table[candidates[0]]
        return None

    def function(self, qualname: str) -> FunctionFact | None:
        return self._lookup(qualname, self.functions)

    def callee(self, qualname: str) -> FunctionFact | None:
        """The function a call runs: a function, or the `__init__` of a class."""
        fn = self.function(qualname)
        if fn is None and self.klass(qualname) is not None:
            fn = self.function(f"{qualname}.__init__")
        return fn

    def mutates(self, fn: FunctionFact, key: str, depth: int = 0) -> bool:
        """Whether `fn` changes (or keeps or returns) the argument given as `key`, a
        parameter name or a positional index, itself or through the calls it hands it to."""
        if key.isdigit():
            index = int(key)
            if index >= len(fn.params):
                return False
            key = fn.params[index].name
        memo = (fn.qualname, key)
        if memo in self._mutates_memo:
            return self._mutates_memo[memo]
        self._mutates_memo[memo] = False
        result = key in fn.mutates
        if not result and depth < 6:
            for param, callee, arg in fn.forwards:
                target = self.callee(callee) if param == key else None
                if target is not None and target is not fn and self.mutates(target, arg, depth + 1):
                    result = True
                    break
        self._mutates_memo[memo] = result
        return result

    def request_fed(self, qualname: str, param: str) -> bool:
        """Whether a route handler hands text from the request (a `str` parameter that is
        not a dependency) to parameter `param` of function `qualname`, itself or through
        up to two functions between them."""
        if self._fed_by is None:
            self._fed_by = defaultdict(list)
            for fn in self.functions.values():
                for given, callee, arg in fn.forwards:
                    target = self.callee(callee)
                    if target is None or target is fn:
                        continue
                    if arg.isdigit():
                        if int(arg) >= len(target.params):
                            continue
                        arg = target.params[int(arg)].name
                    self._fed_by[(target.qualname, arg)].append((fn.qualname, given))
            for route in self.routes:
                for p in route.fact.params:
                    if p.kind != "depends" and last_name(p.type_name or "str") == "str":
                        self._request_text.add((route.fact.qualname, p.name))
        todo, seen = [(qualname, param, 0)], set()
        while todo:
            current, name, depth = todo.pop()
            for caller, given in self._fed_by.get((current, name), ()):
                if (caller, given) in self._request_text:
                    return True
                if depth < 2 and (caller, given) not in seen:
                    seen.add((caller, given))
                    todo.append((caller, given, depth + 1))
        return False

    def used(self, fn: FunctionFact) -> bool:
        """Whether anything in the project calls `fn` or hands it to FastAPI as a
        dependency, by its name (a method, or a function someone may pass around as a
        value, counts as used)."""
        if self._used_names is None:
            names = {last_name(c) for f in self.functions.values() for c in f.calls}
            names.update(last_name(d.target) for r in self.routes for d in r.deps)
            names.update(
                last_name(p.dep.target)
                for f in self.functions.values()
                for p in f.params
                if p.dep is not None
            )
            names.update(r.fact.handler for r in self.routes)
            self._used_names = frozenset(names)
        module_level = fn.qualname.count(".") == 0 or (
            fn.qualname.rpartition(".")[0] in self.by_module
        )
        return not module_level or fn.name in self._used_names

    def constructions(self, cls: ClassFact) -> list[tuple[str, int, tuple[str, ...] | None]]:
        """Where the project creates instances of `cls` or of a class built on it: (path,
        line, keywords given, or None when they cannot be told)."""
        if self._constructions is None:
            self._constructions = defaultdict(list)
            for facts in self.modules.values():
                for callee, line, given in facts.constructed:
                    target = self.klass(callee)
                    for twin in self._twins(target) if target is not None else ():
                        for part in self.ancestors(twin):
                            self._constructions[part.qualname].append((facts.path, line, given))
        return self._constructions.get(cls.qualname, [])

    def _twins(self, cls: ClassFact) -> list[ClassFact]:
        """The class and its like-named siblings with the same fields (one model per
        database dialect, picked by a conditional `import *`)."""
        package = cls.qualname.rpartition(".")[0].rpartition(".")[0]
        return [cls] + [
            other
            for qual in self._by_last.get(cls.name, ())
            if (other := self.classes.get(qual)) is not None
            and other is not cls
            and other.fields == cls.fields
            and qual.rpartition(".")[0].rpartition(".")[0] == package
        ]

    def klass(self, qualname: str | None) -> ClassFact | None:
        return None if qualname is None else self._lookup(qualname, self.classes)

    def router(self, qualname: str) -> RouterFact | None:
        return self._lookup(qualname, self.routers)

    def alias(self, qualname: str | None) -> AliasFact | None:
        return None if qualname is None else self._lookup(qualname, self.aliases)

    def param_dep(self, param: ParamFact) -> DepRef | None:
        """The dependency a parameter receives: `Depends(...)` or an `Annotated` alias."""
        if param.dep is not None:
            return param.dep
        alias = self.alias(param.type_name) if param.type_name else None
        return alias.dep if alias is not None else None

    def shared_param(self, qualname: str) -> tuple[bool, bool] | None:
        """What a parameter declaration kept in a module name (`common.LimitParam`) says:
        (has an upper bound, its default is None)."""
        module, _, name = qualname.rpartition(".")
        facts = self.module_for(module) if module else None
        for shared, bounded, none in facts.shared_params if facts is not None else ():
            if shared == name:
                return bounded, none
        return None

    def module_for(self, name: str) -> ModuleFacts | None:
        inner = self._inner(name)
        if inner != name and inner in self.by_module:
            return self.by_module[inner]
        if name not in self.by_module and name.partition(".")[0] in sys.stdlib_module_names:
            # `import collections` is the standard library, not the project's
            # `api/collections.py` that only shares its last name
            return None
        mods = self._module_suffix.get(name)
        return self.by_module[mods[0]] if mods else None

    # -- models --------------------------------------------------------------------------
    def ancestors(self, cls: ClassFact) -> list[ClassFact]:
        """The class and its resolvable base classes, nearest first (not to be changed:
        every caller shares the list)."""
        key = (cls.qualname, cls.line)
        known = self._ancestors.get(key)
        if known is not None:
            return known
        out: list[ClassFact] = []
        seen: set[tuple[str, int]] = set()
        todo = [cls]
        while todo and len(out) < 30:
            current = todo.pop(0)
            if (current.qualname, current.line) in seen:
                continue
            seen.add((current.qualname, current.line))
            out.append(current)
            todo.extend(b for b in (self.klass(base) for base in current.bases) if b is not None)
        self._ancestors[key] = out
        return out

    def is_table_part(self, cls: ClassFact) -> bool:
        """True for table models and the classes they inherit columns from."""
        return cls.qualname in self._table_parts

    def all_fields(self, cls: ClassFact) -> list[str]:
        return list(dict.fromkeys(f for c in self.ancestors(cls) for f in c.fields))

    def all_columns(self, cls: ClassFact) -> list[ColumnFact]:
        seen: dict[str, ColumnFact] = {}
        for c in self.ancestors(cls):
            for col in c.columns:
                seen.setdefault(col.name, col)
        return list(seen.values())

    def all_relations(self, cls: ClassFact) -> list[RelationFact]:
        return [r for c in self.ancestors(cls) for r in c.relations]

    def sensitive_fields(self, cls: ClassFact) -> list[str]:
        return [f for f in self.all_fields(cls) if SENSITIVE_FIELD.match(f)]

    def owner_column(self, cls: ClassFact) -> str | None:
        for name in self.all_fields(cls):
            if OWNER_COLUMN.match(name):
                return name
        return None

    def table(self, qualname: str | None) -> ClassFact | None:
        cls = self.klass(qualname)
        return cls if cls is not None and cls.is_table else None

    # -- routers and routes --------------------------------------------------------------
    def _include_child(self, inc: IncludeFact) -> str | None:
        if inc.child_is_call:
            fn = self.function(inc.child)
            return fn.returns_router if fn is not None else None
        router = self.router(inc.child)
        return router.qualname if router is not None else None

    def mounts(self, router_qual: str, seen: frozenset[str] = frozenset()) -> list[Mount]:
        router = self.routers.get(router_qual)
        if router is None:
            return [Mount("", (), False)]
        if router.kind == "app":
            return [Mount(router.prefix, router.deps, True, router.prefix_dynamic, router_qual)]
        includes = self._includes.get(router_qual, [])
        if not includes or router_qual in seen:
            return [Mount(router.prefix, router.deps, False, router.prefix_dynamic)]
        out: list[Mount] = []
        for inc in includes:
            parent = self.router(inc.parent)
            parents = (
                self.mounts(parent.qualname, seen | {router_qual})
                if parent is not None
                else [Mount("", (), False)]
            )
            for m in parents:
                mount = Mount(
                    m.prefix + inc.prefix + router.prefix,
                    m.deps + inc.deps + router.deps,
                    m.mounted,
                    m.dynamic + inc.prefix_dynamic + router.prefix_dynamic,
                    m.app,
                )
                if mount not in out:
                    out.append(mount)
        return out[:20]

    def _route(self, facts: ModuleFacts, fact: RouteFact) -> Route:
        router = self.router(fact.owner)
        router_qual = router.qualname if router is not None else fact.owner
        mounts = self.mounts(router.qualname) if router is not None else [Mount("", (), False)]
        deps: list[DepRef] = list(fact.deps)
        for param in fact.params:
            dep = self.param_dep(param)
            if dep is not None:
                deps.append(dep)
        for mount in mounts:
            deps.extend(d for d in mount.deps if d not in deps)
        auth_via = next((d.target for d in deps if self.is_auth_dep(d)), None)
        handler = self.functions.get(fact.qualname)
        in_body = handler is not None and any(AUTH_CALL.search(c) for c in handler.calls)
        full_paths = tuple(dict.fromkeys(m.prefix + fact.path for m in mounts))
        return Route(
            fact=fact,
            path=facts.path,
            module=facts.module,
            full_paths=full_paths or (fact.path,),
            deps=tuple(deps),
            auth=auth_via is not None,
            auth_via=auth_via,
            auth_in_body=in_body,
            mounted=any(m.mounted for m in mounts),
            router=router_qual,
            dynamic_prefix=tuple(dict.fromkeys(d for m in mounts for d in m.dynamic)),
            apps=tuple(dict.fromkeys(m.app for m in mounts if m.app is not None)),
        )

    def routes_in(self, path: str) -> list[Route]:
        return self._routes_by_path.get(path, [])

    def is_auth_dep(self, dep: DepRef) -> bool:
        return dep.security or self._is_auth(dep.target, 0)

    def _is_auth(self, target: str, depth: int) -> bool:
        if target in self._auth_memo:
            return self._auth_memo[target]
        self._auth_memo[target] = False
        result = bool(AUTH_NAME.search(last_name(target)))
        if not result and depth < 6:
            fn = self.function(target)
            if fn is not None:
                deps = (self.param_dep(p) for p in fn.params)
                result = any(
                    d is not None and (d.security or self._is_auth(d.target, depth + 1))
                    for d in deps
                ) or any(AUTH_CALL.search(c) for c in fn.calls)
                # a factory (`has_access(group=...)`) returns the dependency it defines
                result = result or any(
                    self._is_auth(inner, depth + 1) for inner in self._nested.get(fn.qualname, ())
                )
            callee = self._lookup(target, self.instances)
            if callee is not None and AUTH_CLASS.search(last_name(callee)):
                result = True
            cls = self.klass(target)
            if cls is not None and AUTH_CLASS.search(cls.name):
                result = True
        self._auth_memo[target] = result
        return result

    @functools.cached_property
    def imported_modules(self) -> frozenset[str]:
        """Every module name imported anywhere in the project."""
        return frozenset(m for f in self.modules.values() for m in f.imported_modules)

    def has_layer(self, layer: str) -> bool:
        return layer in self.layers.values()
