"""Which parameters a function changes in place, and which it hands on to other calls."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

from fastapi_architect.codebase.syntax import walk

MUTATORS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "update",
        "setdefault",
        "add",
        "pop",
        "popitem",
        "clear",
        "remove",
        "discard",
        "sort",
        "reverse",
        "__setitem__",
        "__delitem__",
        "difference_update",
        "intersection_update",
        "symmetric_difference_update",
    }
)


@dataclass(frozen=True, slots=True)
class ParamUse:
    """What a function body does with its parameters."""

    mutated: tuple[str, ...]
    """Changed in place, or stored on an object that is changed."""
    returned: tuple[str, ...]
    """Returned or yielded: the caller gets the object itself."""
    forwards: tuple[tuple[str, str, str], ...]
    """(parameter, callee, keyword name or positional index) for each hand-on to a call."""


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    args = fn.args
    return [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]


def _name(node: ast.expr | None, names: dict[str, str]) -> str | None:
    """The parameter `node` (a plain name, possibly an alias) refers to."""
    if isinstance(node, ast.Name):
        return names.get(node.id)
    return None


def _target_param(target: ast.expr, names: dict[str, str]) -> str | None:
    """`p[k]` or `p.x` as a target: the parameter itself changed in place (not `p[k][j]`,
    which changes an item the caller put in)."""
    if isinstance(target, ast.Subscript | ast.Attribute):
        return _name(target.value, names)
    return None


def changed_self_attrs(tree: ast.AST) -> frozenset[str]:
    """Attributes `self.x` changed in place somewhere in the module (`self.x[k] = v`,
    `self.x.append(v)`, `self.x += v`)."""
    out: set[str] = set()

    def attr(node: ast.expr) -> str | None:
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        ):
            return node.attr
        return None

    for node in walk(tree):
        found: str | None = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in MUTATORS:
                found = attr(node.func.value)
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
            for target in targets:
                if isinstance(target, ast.Subscript | ast.Attribute):
                    found = found or attr(target.value)
                if isinstance(node, ast.AugAssign):
                    found = found or attr(target)
        if found is not None:
            out.add(found)
    return frozenset(out)


# The only kinds of node that bind, change, hand on or return a parameter.
_READ = frozenset(
    {
        ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr, ast.Delete, ast.For,
        ast.AsyncFor, ast.Call, ast.Return, ast.Yield, ast.YieldFrom,
    }
)  # fmt: skip


def param_use(
    fn: ast.FunctionDef | ast.AsyncFunctionDef,
    qualify: Callable[[ast.expr], str | None],
    only: set[str] | None = None,
    self_changed: frozenset[str] | None = None,
) -> ParamUse:
    """What `fn` does with its parameters (all of them, or those in `only`).

    Stored as `self.x`, a parameter counts as changed when the module changes `self.x` in
    place (all of `self_changed`, when given). A parameter rebound before a use
    (`p = dict(p)`, `p = [*p]`) no longer holds the caller's object, so changes after the
    rebinding do not count."""
    params = [p for p in _params(fn) if p not in {"self", "cls"} and (only is None or p in only)]
    if not params:
        return ParamUse((), (), ())
    names = {p: p for p in params}
    rebound: dict[str, int] = {}
    nodes = sorted(
        (n for n in walk(fn)[1:] if type(n) in _READ),
        key=attrgetter("lineno", "col_offset"),
    )
    # aliases (`x = p`) and rebindings (`p = p.copy()`)
    for node in nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                source = _name(node.value, names)
                if source is not None and target.id not in params:
                    names[target.id] = source
                elif target.id in params:
                    rebound.setdefault(target.id, node.lineno)
        elif (
            isinstance(node, ast.AnnAssign | ast.NamedExpr)
            and isinstance(node.target, ast.Name)
            and node.target.id in params
            and node.value is not None
        ):
            rebound.setdefault(node.target.id, node.lineno)

    def live(param: str | None, node: ast.AST) -> str | None:
        if param is None:
            return None
        line = rebound.get(param)
        return param if line is None or getattr(node, "lineno", 0) <= line else None

    # items rewritten while looping over the parameter itself: nothing to do on an empty one
    rewriting: set[int] = set()
    for node in nodes:
        if isinstance(node, ast.For | ast.AsyncFor):
            looped = {
                names[n.id] for n in walk(node.iter) if isinstance(n, ast.Name) and n.id in names
            }
            if looped:
                for sub in walk(node):
                    if isinstance(sub, ast.Assign) and all(
                        _target_param(t, names) in looped for t in sub.targets
                    ):
                        rewriting.add(id(sub))
    mutated: dict[str, None] = {}
    returned: dict[str, None] = {}
    forwards: dict[tuple[str, str, str], None] = {}
    for node in nodes:
        hit: str | None = None
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in MUTATORS:
                hit = live(_name(func.value, names), node)
            if len(forwards) < 100:
                callee = None
                for index, arg in enumerate(node.args):
                    if isinstance(arg, ast.Starred):
                        break
                    param = live(_name(arg, names), node)
                    if param is not None:
                        callee = callee or qualify(func) or ""
                        if callee:
                            forwards[(param, callee, str(index))] = None
                for kw in node.keywords:
                    param = live(_name(kw.value, names), node) if kw.arg else None
                    if param is not None and kw.arg is not None:
                        callee = callee or qualify(func) or ""
                        if callee:
                            forwards[(param, callee, kw.arg)] = None
        elif id(node) in rewriting:
            continue
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
            for target in targets:
                hit = hit or live(_target_param(target, names), node)
                if (
                    isinstance(node, ast.AugAssign)
                    and isinstance(target, ast.Name)
                    and isinstance(node.op, ast.Add | ast.BitOr | ast.Sub | ast.BitAnd)
                ):
                    hit = hit or live(names.get(target.id), node)
            value = getattr(node, "value", None)
            if hit is None and isinstance(node, ast.Assign | ast.AnnAssign):
                stored = [
                    t
                    for t in targets
                    if isinstance(t, ast.Attribute)
                    and not (
                        self_changed is not None
                        and isinstance(t, ast.Attribute)
                        and isinstance(t.value, ast.Name)
                        and t.value.id == "self"
                        and t.attr not in self_changed
                    )
                ]
                if stored:
                    hit = live(_name(value, names), node)
        elif isinstance(node, ast.Return | ast.Yield | ast.YieldFrom):
            escaped = live(_name(node.value, names), node)
            if escaped is not None:
                returned[escaped] = None
        if hit is not None:
            mutated[hit] = None
    return ParamUse(tuple(mutated), tuple(returned), tuple(forwards))
