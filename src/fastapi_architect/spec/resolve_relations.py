"""Resolving relations: targets, foreign keys and on-delete rules, and pairing each relation
with its other side (deriving inverses and association tables)."""

from __future__ import annotations

from collections import deque

from fastapi_architect.spec.document import RelationSpec, ResourceSpec
from fastapi_architect.spec.model import Auth, ForeignKeyAction, ResolvedRelation
from fastapi_architect.spec.names import singularize, snake_case
from fastapi_architect.spec.problems import did_you_mean, one_of
from fastapi_architect.spec.resolve_base import IMPLICIT_COLUMNS, USER, Draft, ResolverBase
from fastapi_architect.spec.source import DocPath

ON_DELETE_SQL: dict[str, ForeignKeyAction] = {
    "cascade": "CASCADE",
    "set_null": "SET NULL",
    "restrict": "RESTRICT",
}


class RelationResolver(ResolverBase):
    """The relations of each resource, then each paired with its other side."""

    def relations(self, draft: Draft, auth: Auth) -> None:
        names = draft.field_names()
        for name, spec in draft.spec.relations.items():
            path = (*draft.path, "relations", name)
            subject = f"{draft.name}.{name}"
            # A relation names a Python attribute; its column (`<name>_id`) is never a keyword.
            if not self.check_member_name(
                draft, path, name, f"a relation of {draft.name}", column=False
            ):
                continue
            if name in names:
                self.error(
                    path,
                    "name-clash",
                    f"relation {subject} has the same name as a field",
                    "rename one of them",
                    key=True,
                )
                continue
            target = self.drafts.get(spec.to)
            if target is None:
                choices = list(self.drafts)
                hint = did_you_mean(spec.to, choices)
                if spec.to == USER and not auth.enabled:
                    hint = "there is no User when auth.mode is 'none'"
                self.error(
                    (*path, "to") if isinstance(draft.spec.relations[name], RelationSpec) else path,
                    "unknown-resource",
                    f"relation {subject} points to unknown resource {spec.to!r}",
                    hint or f"declare it under resources, or use one of {one_of(choices)}",
                )
                continue
            resolved = self.relation(draft, target, name, spec, path, names)
            if resolved is not None:
                draft.relations.append(resolved)
                names.add(name)
                if resolved.column:
                    names.add(resolved.column)

    def relation(
        self,
        draft: Draft,
        target: Draft,
        name: str,
        spec: RelationSpec,
        path: DocPath,
        taken: set[str],
    ) -> ResolvedRelation | None:
        subject = f"{draft.name}.{name}"
        given = spec.model_fields_set
        if spec.kind != "many_to_one":
            for key in ("required", "on_delete"):
                if key in given:
                    self.error(
                        (*path, key),
                        "not-applicable",
                        f"{key} applies to many_to_one relations; {subject} is {spec.kind}",
                        "set it on the many_to_one side"
                        if spec.kind == "one_to_many"
                        else "remove it",
                        key=True,
                    )
                    return None
        same_owner = draft.spec.owned and target.spec.owned and _owner_only_read(target.spec)
        declared = ResolvedRelation(
            name=name,
            kind=spec.kind,
            target=target.name,
            required=False,
            on_delete=None,
            inverse=spec.inverse,
            column=None,
            association_table=None,
            association_columns=None,
            same_owner=False,
            declared=True,
            description=spec.description,
        )
        if spec.kind == "one_to_many":
            return declared
        if spec.kind == "many_to_many":
            return declared.model_copy(update={"same_owner": same_owner})
        required = True if spec.required is None else spec.required
        column = f"{name}_id"
        if column in taken:
            self.error(
                path,
                "name-clash",
                f"relation {subject} needs the column {column!r}, which is already a field",
                "rename the field or the relation",
                key=True,
            )
            return None
        on_delete = spec.on_delete
        if on_delete is None:
            on_delete = "restrict" if required else "set_null"
            self.question(
                path,
                subject,
                f"on_delete not set: {on_delete} (the relation is "
                f"{'required' if required else 'optional'})",
            )
        elif on_delete == "set_null" and required:
            self.error(
                (*path, "on_delete"),
                "conflict",
                f"{subject} is required, so deleting a {target.name} cannot set it to null",
                "set required: false, or use on_delete: cascade or restrict",
            )
            return None
        return declared.model_copy(
            update={
                "required": required,
                "on_delete": ON_DELETE_SQL[on_delete],
                "column": column,
                "same_owner": same_owner,
            }
        )

    def pair_inverses(self) -> None:
        """Pair each relation with its other side, adding derived inverses and association
        tables."""
        for draft in list(self.drafts.values()):
            for index, relation in enumerate(list(draft.relations)):
                if not relation.declared or relation.kind == "one_to_many":
                    continue
                target = self.drafts[relation.target]
                path = (*draft.path, "relations", relation.name)
                if relation.kind == "many_to_one":
                    draft.relations[index] = self.pair_many_to_one(draft, target, relation, path)
                else:
                    draft.relations[index] = self.pair_many_to_many(draft, target, relation, path)
        for draft in self.drafts.values():
            for relation in draft.relations:
                unpaired = relation.inverse is None or (
                    relation.inverse not in self.drafts[relation.target].relation_names()
                )
                if (
                    relation.kind == "one_to_many"
                    and relation.declared
                    and relation.column is None
                    and unpaired
                ):
                    self.error(
                        (*draft.path, "relations", relation.name),
                        "unpaired-relation",
                        f"one_to_many {draft.name}.{relation.name} has no many_to_one on "
                        f"{relation.target} pointing back at {draft.name}",
                        f"declare it on {relation.target}, e.g. {snake_case(draft.name)}: "
                        f"{{to: {draft.name}}}; the one_to_many side is then derived",
                        key=True,
                    )

    def required_cycles(self) -> None:
        """Required many_to_one relations must not lead back where they start: no first row
        of a resource on such a cycle could be created (each needs a row of the next). One
        cycle is reported for each group of resources that reach each other."""
        links = {
            name: [
                relation
                for relation in draft.relations
                if relation.kind == "many_to_one" and relation.declared and relation.required
            ]
            for name, draft in self.drafts.items()
        }
        done: set[str] = set()
        for start in self.drafts:
            if start in done:
                continue
            cycle = _cycle_from(start, links)
            if cycle is None:
                continue
            done |= _group(start, links)
            first = cycle[0]
            path = (*self.drafts[start].path, "relations", first.name)
            if len(cycle) == 1:
                self.error(
                    path,
                    "required-cycle",
                    f"{start}.{first.name} is a required relation of {start} to itself: no "
                    f"first {start} can be created (it needs an existing {start} to point at)",
                    "make it optional (`required: false`)",
                    key=True,
                )
                continue
            steps, source = [], start
            for relation in cycle:
                steps.append(f"{source}.{relation.name} -> {relation.target}")
                source = relation.target
            self.error(
                path,
                "required-cycle",
                f"required relations form a cycle ({', '.join(steps)}): no first row of any of "
                "them can be created (each needs an existing row of the next)",
                "make one of them optional (`required: false`)",
                key=True,
            )

    def pair_many_to_one(
        self, draft: Draft, target: Draft, relation: ResolvedRelation, path: DocPath
    ) -> ResolvedRelation:
        # An explicit one_to_many on the target that names this relation, or points here.
        for index, other in enumerate(target.relations):
            if (
                other.kind == "one_to_many"
                and other.declared
                and other.target == draft.name
                and other.column is None
                and (relation.inverse in (None, other.name))
                and other.inverse in (None, relation.name)
            ):
                # `column` marks the one_to_many as paired (the foreign key it reads).
                target.relations[index] = other.model_copy(
                    update={"inverse": relation.name, "column": relation.column}
                )
                return relation.model_copy(update={"inverse": other.name})
        if target.builtin and relation.inverse is None:
            # The built-in User stays lean: no derived collections on it.
            return relation
        inverse = relation.inverse or draft.plural
        if draft is target and relation.inverse is None:
            inverse = (
                f"{draft.plural}_of_{relation.name}"
                if draft.plural == relation.name
                else draft.plural
            )
        if not self.free_member(target, inverse, path, relation, draft):
            return relation
        target.relations.append(
            ResolvedRelation(
                name=inverse,
                kind="one_to_many",
                target=draft.name,
                required=False,
                on_delete=None,
                inverse=relation.name,
                column=relation.column,
                association_table=None,
                association_columns=None,
                same_owner=False,
                declared=False,
                description=f"{draft.name} rows whose {relation.name} is this {target.name}.",
            )
        )
        return relation.model_copy(update={"inverse": inverse})

    def pair_many_to_many(
        self, draft: Draft, target: Draft, relation: ResolvedRelation, path: DocPath
    ) -> ResolvedRelation:
        if relation.association_table is not None:
            return relation  # already paired from the other side
        left = f"{draft.singular}_id"
        right = f"{target.singular}_id"
        if left == right:
            right = f"{singularize(relation.name)}_id"
            if right == left:
                right = f"related_{right}"
        association = f"{draft.singular}_{relation.name}"
        columns = (left, right)
        for index, other in enumerate(target.relations):
            if (
                other is not relation
                and other.kind == "many_to_many"
                and other.declared
                and other.target == draft.name
                and other.association_table is None
                and relation.inverse in (None, other.name)
                and other.inverse in (None, relation.name)
            ):
                target.relations[index] = other.model_copy(
                    update={
                        "inverse": relation.name,
                        "association_table": association,
                        "association_columns": (right, left),
                    }
                )
                return relation.model_copy(
                    update={
                        "inverse": other.name,
                        "association_table": association,
                        "association_columns": columns,
                    }
                )
        paired = relation.model_copy(
            update={"association_table": association, "association_columns": columns}
        )
        if (target.builtin and relation.inverse is None) or draft is target:
            return paired
        inverse = relation.inverse or draft.plural
        if not self.free_member(target, inverse, path, relation, draft):
            return paired
        target.relations.append(
            ResolvedRelation(
                name=inverse,
                kind="many_to_many",
                target=draft.name,
                required=False,
                on_delete=None,
                inverse=relation.name,
                column=None,
                association_table=association,
                association_columns=(right, left),
                same_owner=False,
                declared=False,
                description=f"{draft.name} rows linked to this {target.name} by {relation.name}.",
            )
        )
        return paired.model_copy(update={"inverse": inverse})

    def free_member(
        self, target: Draft, name: str, path: DocPath, relation: ResolvedRelation, draft: Draft
    ) -> bool:
        taken = target.field_names() | target.relation_names()
        if name in taken or name in IMPLICIT_COLUMNS:
            self.error(
                path,
                "name-clash",
                f"the inverse of {draft.name}.{relation.name} would be {target.name}.{name}, "
                "which already exists",
                f"set inverse: to a free name on {target.name}",
                key=True,
            )
            return False
        return self.check_identifier(
            (*path, "inverse") if relation.inverse else path,
            name,
            f"the inverse relation on {target.name}",
            key=relation.inverse is None,
        )


def _owner_only_read(spec: ResourceSpec) -> bool:
    read = spec.access.read
    return read is None or not ({"public", "authenticated"} & set(read))


Links = dict[str, list[ResolvedRelation]]


def _cycle_from(start: str, links: Links) -> list[ResolvedRelation] | None:
    """A shortest cycle of links from `start` back to it, or None."""
    came: dict[str, tuple[str, ResolvedRelation]] = {}
    queue = deque([start])
    while queue:
        source = queue.popleft()
        for relation in links.get(source, []):
            if relation.target == start:
                cycle = [relation]
                while source != start:
                    source, step = came[source]
                    cycle.append(step)
                return cycle[::-1]
            if relation.target not in came:
                came[relation.target] = (source, relation)
                queue.append(relation.target)
    return None


def _closure(start: str, edges: dict[str, set[str]]) -> set[str]:
    """`start` and every name the edges lead to from it."""
    seen, stack = {start}, [start]
    while stack:
        for target in edges.get(stack.pop(), set()) - seen:
            seen.add(target)
            stack.append(target)
    return seen


def _group(start: str, links: Links) -> set[str]:
    """The resources that `start` reaches and that reach it (a strongly connected group)."""
    forward: dict[str, set[str]] = {}
    backward: dict[str, set[str]] = {}
    for source, relations in links.items():
        for relation in relations:
            forward.setdefault(source, set()).add(relation.target)
            backward.setdefault(relation.target, set()).add(source)
    return _closure(start, forward) & _closure(start, backward)
