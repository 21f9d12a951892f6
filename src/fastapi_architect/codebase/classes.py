"""What a class declares: its fields and, for a table model, its columns, relations and
indexes (SQLModel `Field`, SQLAlchemy `Column` and `mapped_column`)."""

from __future__ import annotations

import ast

from fastapi_architect.codebase.facts import ClassFact, ColumnFact, RelationFact
from fastapi_architect.codebase.names import NameResolver, Scope
from fastapi_architect.codebase.syntax import (
    dotted,
    is_true,
    keyword,
    last_name,
    str_value,
    string_type,
    walk,
)


class ClassReader(NameResolver):
    """Reads class definitions in the names of their module."""

    def class_fact(self, node: ast.ClassDef, scope: Scope) -> ClassFact:
        """A class with its fields; for a table model, its columns, relations and indexes."""
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
            elif isinstance(stmt, ast.FunctionDef) and stmt.name == "__table_args__":
                # `@declared_attr def __table_args__(cls): return (sa.Index(...), ...)`
                for ret in walk(stmt):
                    if isinstance(ret, ast.Return):
                        indexed.extend(_table_args_indexed(ret.value))
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
        return ClassFact(
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

    def column(
        self,
        name: str,
        annotation: ast.expr | None,
        value: ast.expr | None,
        stmt: ast.stmt,
        scope: Scope,
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
            # loaded with the parent, or never loaded on access (`raise`, `noload`): no N+1
            eager = str_value(lazy) in {
                "selectin",
                "joined",
                "subquery",
                "immediate",
                "raise",
                "raise_on_sql",
                "noload",
            }
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


def _class_call(node: ast.ClassDef) -> ast.Call:
    """The class keywords (`table=True`) as a call so that `keyword()` can read them."""
    return ast.Call(func=ast.Name(id=node.name), args=[], keywords=node.keywords)


def _table_args_indexed(value: ast.expr | None) -> list[str]:
    """Columns that lead an `Index`/`UniqueConstraint`/`PrimaryKeyConstraint` in table args."""
    out: list[str] = []
    if value is None:
        return out
    for node in walk(value):
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
