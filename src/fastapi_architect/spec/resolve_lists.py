"""Resolving what a resource's list endpoint and rules need: unique and index lists,
filters, sort keys, search and access per action, and the questions about filter indexes."""

from __future__ import annotations

from fastapi_architect.spec.model import (
    ACTIONS,
    Access,
    Action,
    Api,
    Auth,
    ResolvedField,
    ResolvedFilter,
    ResolvedRelation,
    Resource,
    SortKey,
    Table,
)
from fastapi_architect.spec.names import singularize
from fastapi_architect.spec.problems import did_you_mean, one_of
from fastapi_architect.spec.resolve_base import PRINCIPALS, USER, Draft, ResolverBase
from fastapi_architect.spec.source import DocPath
from fastapi_architect.spec.types import FIELD_TYPES
from fastapi_architect.spec.values import UNIQUE_ROWS, unique_keys

# Query parameters every list endpoint already takes.
LIST_PARAMS = frozenset({"limit", "cursor", "sort", "q", "include_deleted"})


class ListResolver(ResolverBase):
    """The finished resource: its unique and index lists, list options and access."""

    def finish(self, draft: Draft, auth: Auth, api: Api) -> Resource:
        spec = draft.spec
        fields = {item.name: item for item in draft.fields}
        relations = {item.name: item for item in draft.relations}
        unique = tuple(
            self.column_list(draft, names, (*draft.path, "unique", index), "unique")
            for index, names in enumerate(spec.unique)
        )
        for index, (names, columns) in enumerate(zip(spec.unique, unique, strict=True)):
            if columns and len(columns) == len(names):
                self.unique_rows(draft, auth, names, columns, (*draft.path, "unique", index))
        indexes = tuple(
            self.column_list(draft, names, (*draft.path, "indexes", index), "index")
            for index, names in enumerate(spec.indexes)
        )
        filters = self.filters(draft, fields, relations)
        sort, default_sort, descending = self.sort(draft, fields)
        search = self.search(draft, fields)
        access = self.access(draft, auth)
        return Resource(
            name=draft.name,
            description=spec.description,
            singular=draft.singular,
            plural=draft.plural,
            table=draft.table,
            path=f"/{draft.plural.replace('_', '-')}",
            owned=spec.owned,
            soft_delete=spec.soft_delete,
            audit=spec.audit,
            builtin=draft.builtin,
            fields=tuple(draft.fields),
            relations=tuple(draft.relations),
            unique=unique,
            indexes=indexes,
            filters=filters,
            sort=sort,
            default_sort=default_sort,
            default_sort_descending=descending,
            search=search,
            access=access,
            renamed_from=spec.renamed_from,
            mcp=self.doc.mcp and spec.mcp and not draft.builtin,
        )

    def column_list(
        self, draft: Draft, names: list[str], path: DocPath, what: str
    ) -> tuple[str, ...]:
        """Names in a unique/index list, resolved to column names."""
        if not names:
            self.error(
                path, "empty", f"an empty {what} list on {draft.name}", "list at least one field"
            )
            return ()
        columns: list[str] = []
        fields = draft.field_names()
        relations = {item.name: item for item in draft.relations}
        for index, name in enumerate(names):
            where = (*path, index)
            if name == "owner" and draft.spec.owned:
                column = "owner_id"
            elif name in fields:
                column = name
            elif name in relations and relations[name].kind == "many_to_one":
                column = relations[name].column or name
            else:
                choices = sorted(
                    fields
                    | {r.name for r in draft.relations if r.kind == "many_to_one"}
                    | ({"owner"} if draft.spec.owned else set())
                )
                self.error(
                    where,
                    "unknown-field",
                    f"{what} on {draft.name} names {name!r}, which is not a field or many_to_one "
                    "relation" + (" (and the resource is not owned)" if name == "owner" else ""),
                    did_you_mean(name, choices) or f"use one of {one_of(choices)}",
                )
                continue
            if column in columns:
                self.error(where, "duplicate", f"{name!r} appears twice in this {what} list")
                continue
            columns.append(column)
        return tuple(columns)

    def unique_rows(
        self,
        draft: Draft,
        auth: Auth,
        names: list[str],
        columns: tuple[str, ...],
        path: DocPath,
    ) -> None:
        """A unique combination must hold the rows the generated tests make: several per
        user, numbered 1, 2, ... (see `values.unique_keys`)."""
        if columns == ("owner_id",):
            self.error(
                path,
                "unique-owner",
                f"unique: [owner] allows one {draft.name} per user, but the generated tests "
                "(and most clients) make several rows as one user",
                "to keep one per user, put its fields on User; otherwise add another column to "
                "the combination",
            )
            return
        fields = {item.name: item for item in draft.fields}
        relations = {r.column: r for r in draft.relations if r.kind == "many_to_one"}
        taken: list[tuple[str, ...]] = []
        counts: list[str] = []
        for name, column in zip(names, columns, strict=True):
            keys = _test_keys(column, fields, relations, auth)
            if keys is None:
                return  # a column that never repeats: the combination never does either
            taken.append(keys)
            counts.append(f"{name}: {len(set(keys))} distinct")
        distinct = len(set(zip(*taken, strict=True)))
        if distinct < UNIQUE_ROWS:
            self.error(
                path,
                "unique-few-values",
                f"unique combination ({', '.join(names)}) of {draft.name}: the generated tests "
                f"make up to {UNIQUE_ROWS} rows{' as one user' if auth.enabled else ''}, and "
                "their values in its columns "
                f"({', '.join(counts)}) form only {distinct} distinct "
                f"combination{'s' if distinct != 1 else ''}",
                "add a column that takes many values (a text field, say) to the combination, "
                "loosen its columns' constraints, or drop the combination",
            )

    def filters(
        self,
        draft: Draft,
        fields: dict[str, ResolvedField],
        relations: dict[str, ResolvedRelation],
    ) -> tuple[ResolvedFilter, ...]:
        result: list[ResolvedFilter] = []
        params: dict[str, str] = {}
        for index, name in enumerate(draft.spec.filters):
            path = (*draft.path, "filters", index)
            found: ResolvedFilter | None = None
            if name in fields:
                item = fields[name]
                if item.sensitive:
                    self.error(
                        path,
                        "sensitive-filter",
                        f"filter on sensitive field {draft.name}.{name}: filtering would reveal "
                        "its value",
                        "remove it from filters",
                    )
                    continue
                kind = FIELD_TYPES[item.type]
                if kind.filter is None:
                    self.error(
                        path,
                        "bad-filter",
                        f"cannot filter on {item.type} field {draft.name}.{name}",
                        "add it to search instead" if kind.searchable else "remove it from filters",
                    )
                    continue
                if kind.filter == "range":
                    found = ResolvedFilter(
                        name=name,
                        kind="range",
                        column=name,
                        params=(name, f"{name}_min", f"{name}_max"),
                    )
                else:
                    found = ResolvedFilter(name=name, kind="exact", column=name, params=(name,))
            elif name in relations and relations[name].kind == "many_to_one":
                column = relations[name].column or name
                found = ResolvedFilter(name=name, kind="relation", column=column, params=(column,))
            elif name in relations and relations[name].kind == "many_to_many":
                param = f"{singularize(name)}_id"
                found = ResolvedFilter(name=name, kind="many", column=param, params=(param,))
            elif name in relations:
                self.error(
                    path,
                    "bad-filter",
                    f"cannot filter {draft.name} by its one_to_many relation {name!r}",
                    f"filter the {relations[name].target} list by its many_to_one instead",
                )
                continue
            else:
                choices = sorted(set(fields) | set(relations))
                self.error(
                    path,
                    "unknown-field",
                    f"filter {name!r} is not a field or relation of {draft.name}",
                    did_you_mean(name, choices) or f"use one of {one_of(choices)}",
                )
                continue
            if any(existing.name == name for existing in result):
                self.error(path, "duplicate", f"filter {name!r} is listed twice")
                continue
            clash = next((p for p in found.params if p in LIST_PARAMS or p in params), None)
            if clash is not None:
                other = params.get(clash, "the list endpoint itself")
                self.error(
                    path,
                    "name-clash",
                    f"filter {name!r} needs the query parameter {clash!r}, already used by {other}",
                    "rename the field, or drop one of the filters",
                )
                continue
            params.update(dict.fromkeys(found.params, f"filter {name!r}"))
            result.append(found)
        return tuple(result)

    def sort(
        self, draft: Draft, fields: dict[str, ResolvedField]
    ) -> tuple[tuple[SortKey, ...], str, bool]:
        spec = draft.spec
        names = spec.sort if spec.sort is not None else ["created_at"]
        keys: list[SortKey] = []
        path = (*draft.path, "sort")
        if spec.sort is not None and not spec.sort:
            self.error(
                path,
                "empty",
                f"{draft.name}.sort is empty",
                "list at least one field, e.g. created_at",
            )
        for index, name in enumerate(names):
            where = (*path, index)
            item = fields.get(name)
            if item is None:
                choices = sorted(fields)
                self.error(
                    where,
                    "unknown-field",
                    f"sort key {name!r} is not a field of {draft.name}",
                    did_you_mean(name.lstrip("-"), choices) or f"use one of {one_of(choices)}",
                )
                continue
            if item.sensitive or not FIELD_TYPES[item.type].sortable:
                why = "it is sensitive" if item.sensitive else f"it is {item.type}"
                self.error(where, "bad-sort", f"cannot sort {draft.name} by {name!r}: {why}")
                continue
            if any(key.name == name for key in keys):
                self.error(where, "duplicate", f"sort key {name!r} is listed twice")
                continue
            if not item.required:
                self.question(
                    where,
                    f"{draft.name}.{name}",
                    "optional sort key: rows without a value sort last",
                )
            keys.append(SortKey(name=name, column=name, nullable=not item.required))
        default = spec.default_sort
        if default is None:
            key_names = [key.name for key in keys]
            if "created_at" in key_names:
                return tuple(keys), "created_at", True
            return tuple(keys), (key_names[0] if key_names else "created_at"), False
        descending = default.startswith("-")
        name = default.lstrip("-")
        if name not in {key.name for key in keys}:
            self.error(
                (*draft.path, "default_sort"),
                "unknown-field",
                f"default_sort {default!r} is not one of {draft.name}'s sort keys",
                did_you_mean(name, [k.name for k in keys]) or "add it to sort",
            )
        return tuple(keys), name, descending

    def search(self, draft: Draft, fields: dict[str, ResolvedField]) -> tuple[str, ...]:
        result: list[str] = []
        for index, name in enumerate(draft.spec.search):
            where = (*draft.path, "search", index)
            item = fields.get(name)
            if item is None:
                choices = sorted(n for n, f in fields.items() if FIELD_TYPES[f.type].searchable)
                self.error(
                    where,
                    "unknown-field",
                    f"search field {name!r} is not a field of {draft.name}",
                    did_you_mean(name, choices)
                    or (f"use one of {one_of(choices)}" if choices else None),
                )
            elif not FIELD_TYPES[item.type].searchable:
                self.error(
                    where,
                    "bad-search",
                    f"search field {draft.name}.{name} is {item.type}, not text",
                    "filter on it instead",
                )
            elif item.sensitive:
                self.error(
                    where,
                    "sensitive-filter",
                    f"search on sensitive field {draft.name}.{name} would reveal it",
                )
            elif item.read_only and item.default is None and item.default_factory is None:
                self.error(
                    where,
                    "bad-search",
                    f"search field {draft.name}.{name} is read_only without a default: no row "
                    "ever has a value in it to find",
                    "remove it from search, or give it a default",
                )
            elif name in result:
                self.error(where, "duplicate", f"search field {name!r} is listed twice")
            else:
                result.append(name)
        if result:
            self.question(
                (*draft.path, "search"),
                f"{draft.name}.search",
                "case-insensitive substring match (ILIKE); no text index is created, so each "
                "search scans the rows the caller may read",
            )
        return tuple(result)

    def access(self, draft: Draft, auth: Auth) -> Access:
        spec = draft.spec.access
        roles = auth.roles
        chosen: dict[Action, tuple[str, ...]] = {}
        if draft.builtin:
            admin = (auth.admin_role,) if auth.admin_role else ()
            return Access(read=admin, create=admin, update=admin, delete=admin)
        defaulted: list[Action] = []
        for action in ACTIONS:
            given: list[str] | None = getattr(spec, action)
            path = (*draft.path, "access", action)
            if given is None:
                defaulted.append(action)
                chosen[action] = self.default_access(draft, auth, action)
                continue
            if not given:
                self.error(
                    path,
                    "empty",
                    f"access.{action} of {draft.name} is empty",
                    "name who may do it, e.g. owner",
                )
                continue
            result: list[str] = []
            for index, principal in enumerate(given):
                where = (*path, index)
                if principal not in (*PRINCIPALS, *roles):
                    self.error(
                        where,
                        "unknown-role",
                        f"access.{action} of {draft.name} names {principal!r}, which is not "
                        "public, authenticated, owner or a declared role",
                        did_you_mean(principal, (*PRINCIPALS, *roles))
                        or f"add {principal!r} to auth.roles",
                    )
                    continue
                if not auth.enabled and principal != "public":
                    self.error(
                        where,
                        "needs-auth",
                        f"access.{action} of {draft.name} names {principal!r}, "
                        "but auth.mode is 'none'",
                        "use public, or turn auth on",
                    )
                    continue
                if principal == "owner" and not draft.spec.owned:
                    self.error(
                        where,
                        "not-owned",
                        f"access.{action} of {draft.name} names 'owner', "
                        f"but {draft.name} is not owned",
                        "set owned: true, or use authenticated or a role",
                    )
                    continue
                if principal == "public" and draft.spec.owned and action != "read":
                    self.error(
                        where,
                        "public-write",
                        f"{draft.name} is owned, so anonymous callers cannot {action} it",
                        "use owner or authenticated",
                    )
                    continue
                if principal not in result:
                    result.append(principal)
            chosen[action] = tuple(result)
        nobody = [action for action in defaulted if not chosen[action]]
        if nobody:
            listed = ", ".join(nobody)
            self.error(
                draft.path,
                "no-admin",
                f"{draft.name} is not owned and has no access rule for {listed}; the default "
                "is the admin role, but auth.roles declares none",
                f"add access: {{{nobody[0]}: [...]}} for each of {listed}, or an 'admin' role",
                key=True,
            )
        elif defaulted and not draft.spec.owned and auth.enabled:
            described = ", ".join(f"{a} {'/'.join(chosen[a])}" for a in defaulted)
            self.question(
                draft.path,
                f"{draft.name}.access",
                f"defaults taken: {described}",
            )
        if auth.enabled:
            self.writers_read(draft, chosen, defaulted)
        return Access(
            read=chosen.get("read", ()),
            create=chosen.get("create", ()),
            update=chosen.get("update", ()),
            delete=chosen.get("delete", ()),
        )

    def writers_read(
        self, draft: Draft, chosen: dict[Action, tuple[str, ...]], defaulted: list[Action]
    ) -> None:
        """Who may update or delete rows may read them: the backend looks a row up through
        the read rule first (as the generated access policy grants it). Create needs no
        read: a drop box is a rule."""
        read = chosen.get("read", ())
        if not read or "public" in read:
            return
        unread: dict[str, list[Action]] = {}  # defaulted actions, by principal
        for action in ("update", "delete"):
            for principal in chosen.get(action, ()):
                if principal in read or ("authenticated" in read and principal != "public"):
                    continue
                if action in defaulted:
                    unread.setdefault(principal, []).append(action)
                    continue
                given: list[str] = getattr(draft.spec.access, action) or []
                self.error(
                    (*draft.path, "access", action, given.index(principal)),
                    "write-without-read",
                    f"access.{action} of {draft.name} names {principal!r}, who "
                    f"{_cannot_read(principal, read)}",
                    f"add {principal!r} to access.read, or remove it from access.{action}",
                )
        for principal, actions in unread.items():
            # A default is never at odds with a defaulted read rule: the given read rule is.
            keys = " and ".join(f"access.{action}" for action in actions)
            self.error(
                (*draft.path, "access", "read"),
                "write-without-read",
                f"{keys} of {draft.name} default{'s' if len(actions) == 1 else ''} to "
                f"{principal!r}, who {_cannot_read(principal, read)}",
                f"add {principal!r} to access.read, or set {keys}",
            )

    def default_access(self, draft: Draft, auth: Auth, action: Action) -> tuple[str, ...]:
        if not auth.enabled:
            return ("public",)
        if draft.spec.owned:
            return ("owner",)
        if action == "read":
            return ("authenticated",)
        return (auth.admin_role,) if auth.admin_role else ()

    def filter_index_questions(self, resources: list[Resource], tables: list[Table]) -> None:
        by_table = {table.name: table for table in tables}
        for resource in resources:
            table = by_table[resource.table]
            for item in resource.filters:
                declared = (item.column,) in resource.unique or any(
                    f.name == item.name and (f.index or f.unique) for f in resource.fields
                )
                if item.kind == "many" or declared:
                    continue
                leading = ("owner_id", item.column) if resource.owner_scoped else (item.column,)
                index = next(
                    (i for i in table.indexes if i.columns[: len(leading)] == leading), None
                )
                if index is not None:
                    position = self.drafts[resource.name].spec.filters.index(item.name)
                    self.question(
                        (*self.drafts[resource.name].path, "filters", position),
                        f"{resource.name}.{item.name}",
                        f"filter with no index declared: served by {index.name} "
                        f"({', '.join(index.columns)})",
                    )

    def table_clashes(self, tables: list[Table]) -> None:
        seen: dict[str, Table] = {}
        for table in tables:
            if table.name in seen:
                self.error(
                    ("resources", table.resource or ""),
                    "name-clash",
                    f"table {table.name!r} ({table.kind} of {table.resource}) clashes with the "
                    f"{seen[table.name].kind} table of {seen[table.name].resource}",
                    "rename a relation or set table: on a resource",
                    key=True,
                )
            seen[table.name] = table


def _test_keys(
    column: str,
    fields: dict[str, ResolvedField],
    relations: dict[str | None, ResolvedRelation],
    auth: Auth,
) -> tuple[str, ...] | None:
    """What the generated tests' rows 1 to UNIQUE_ROWS hold in a column (as a unique index
    compares them), made as one user; None when the column never repeats (a new value per
    row, or null, which a unique index never compares equal)."""
    one = ("",) * UNIQUE_ROWS
    if column == "owner_id":
        return one  # the user making the rows
    relation = relations.get(column)
    if relation is not None:
        # The row factory makes a new parent row for each row (`next_n`), and points a
        # relation to User at the user making the rows; an optional relation stays null.
        if relation.required and relation.target == USER and auth.enabled:
            return one
        return None
    item = fields[column]
    if item.implicit:
        return None  # id and timestamps are new per row; deleted_at is null
    if item.read_only:
        # Never sent: the default, a factory's new value per row, or null.
        return one if item.default is not None and item.default_factory is None else None
    return unique_keys(item)


def _cannot_read(principal: str, read: tuple[str, ...]) -> str:
    """Why `principal` cannot do what a write rule allows (after 'who')."""
    whose = "may read only their own rows" if "owner" in read else "may not read the rows"
    return (
        f"{whose} (access.read: {', '.join(read)}); the backend looks a row up through the "
        "read rule first, so the change would be refused"
    )
