"""How one module's names resolve: its imports, top-level definitions and string constants,
and the qualified names of types and dependencies written in it."""

from __future__ import annotations

import ast

from fastapi_architect.codebase.facts import DepRef
from fastapi_architect.codebase.syntax import (
    dotted,
    keyword,
    last_name,
    str_value,
    walk,
)


class Scope:
    """Where a statement is: the qualified name it is in and the routers visible there."""

    def __init__(self, prefix: str, routers: dict[str, str]) -> None:
        self.prefix = prefix
        self.routers = routers


class NameResolver:
    """The names of one module, read before its statements are walked."""

    def __init__(self, path: str, module: str, is_package: bool) -> None:
        self.path = path
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.imports: dict[str, str] = {}
        self.constants: dict[str, str] = {}
        self.module_lists: dict[str, list[ast.List | ast.Tuple]] = {}
        """Lists assigned at module level (in any branch), by name."""
        self.imported_modules: list[str] = []
        self.defs: set[str] = set()

    def qualify(self, node: ast.expr | None, scope: Scope | None = None) -> str | None:
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
        for node in walk(tree):
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
        todo = list(tree.body)  # module-level statements, in any branch of an if/try/with
        while todo:
            stmt = todo.pop()
            if isinstance(stmt, ast.If | ast.Try | ast.With):
                todo.extend(stmt.body)
                todo.extend(getattr(stmt, "orelse", ()))
                for handler in getattr(stmt, "handlers", ()):
                    todo.extend(handler.body)
            elif (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and isinstance(stmt.value, ast.List | ast.Tuple)
            ):
                self.module_lists.setdefault(stmt.targets[0].id, []).insert(0, stmt.value)
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

    def dep_from_call(
        self, node: ast.expr, scope: Scope, annotation: ast.expr | None = None
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
        arguments = ""
        if isinstance(target_node, ast.Call):
            given = [*target_node.args, *(k.value for k in target_node.keywords)]
            arguments = ", ".join(ast.unparse(a) for a in given)[:200]
        return DepRef(target or "?", func == "Security", node.lineno, arguments)

    def dep_list(self, node: ast.expr | None, scope: Scope) -> tuple[DepRef, ...]:
        if isinstance(node, ast.Name) and node.id in self.module_lists:
            # `dependencies=login_dependencies`: a module-level list, maybe set in the two
            # branches of an `if` (a limiter only when configured): any of them may apply
            refs = [
                self.dep_from_call(elt, scope)
                for listed in self.module_lists[node.id]
                for elt in listed.elts
            ]
            return tuple(dict.fromkeys(r for r in refs if r is not None))
        if not isinstance(node, ast.List | ast.Tuple):
            return ()
        refs = [self.dep_from_call(elt, scope) for elt in node.elts]
        return tuple(r for r in refs if r is not None)

    def unwrap_type(
        self, node: ast.expr | None, scope: Scope
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
                if not elts:  # `tuple[()]`, the empty tuple's type
                    return None, is_list, meta
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
