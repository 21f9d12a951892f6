"""Risks and mitigations. Each risk is a trigger here, a condition that must hold for the
spec at hand and the values its text needs, and a template under design/templates/risks
holding its title, detail and mitigation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from fastapi_architect.design.model import Risk
from fastapi_architect.design.sections.prose import paragraph, render_parts
from fastapi_architect.spec.model import ResolvedSpec
from fastapi_architect.spec.routes import MAX_RELATED_IDS, api_resources
from fastapi_architect.spec.types import FIELD_TYPES

Severity = Literal["high", "medium", "low"]
_ORDER: dict[Severity, int] = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class Found:
    """A risk that holds for a spec: its template and the values the template needs."""

    template: str
    severity: Severity
    values: dict[str, object]

    def risk(self) -> Risk:
        parts = render_parts(f"risks/{self.template}.md.j2", self.values)
        return Risk(
            title=paragraph(parts["title"]),
            severity=self.severity,
            detail=paragraph(parts["detail"]),
            mitigation=paragraph(parts["mitigation"]),
        )


def unindexed_search(spec: ResolvedSpec) -> Iterator[Found]:
    """A resource searched by `q`: ILIKE '%...%', which no B-tree index serves."""
    for resource in spec.resources:
        if resource.search:
            yield Found(
                "unindexed_search",
                "medium" if resource.owner_scoped else "high",
                {
                    "resource": resource.name,
                    "columns": resource.search,
                    "table": resource.table,
                    "owner_scoped": resource.owner_scoped,
                },
            )


def many_to_many_fan_out(spec: ResolvedSpec) -> Iterator[Found]:
    """A declared many-to-many relation: links of any number of rows."""
    for resource in spec.resources:
        for relation in resource.relations:
            if relation.kind == "many_to_many" and relation.declared:
                yield Found(
                    "many_to_many_fan_out",
                    "medium",
                    {
                        "resource": resource.name,
                        "relation": relation.name,
                        "target": relation.target,
                        "association_table": relation.association_table,
                        "max_ids": MAX_RELATED_IDS,
                    },
                )


def cascading_deletes(spec: ResolvedSpec) -> Iterator[Found]:
    """A resource table's key with ON DELETE CASCADE (association tables' link rows aside)."""
    keys = [
        (table.name, key)
        for table in spec.tables
        if table.kind == "resource"
        for key in table.foreign_keys
        if key.on_delete == "CASCADE"
    ]
    if keys:
        # Users can be deactivated instead of deleted only when they are the built-in users.
        users = spec.resource("User").table if spec.auth.enabled else None
        yield Found(
            "cascading_deletes",
            "medium",
            {
                "keys": [f"{table}.{key.column}" for table, key in keys],
                "users": any(key.ref_table == users for _, key in keys),
            },
        )


def restrict_refusals(spec: ResolvedSpec) -> Iterator[Found]:
    """An ON DELETE RESTRICT key to a table whose rows the API deletes for real: its DELETE
    is a 409 while rows point at it. Soft-deleted rows stay, so nothing is refused; the
    built-in users are never deleted through the API."""
    deleted = {
        resource.table
        for resource in api_resources(spec)
        if not resource.soft_delete and resource.access.delete
    }
    keys = [
        f"{table.name}.{key.column} -> {key.ref_table}"
        for table in spec.tables
        for key in table.foreign_keys
        if key.on_delete == "RESTRICT" and key.ref_table in deleted
    ]
    if keys:
        yield Found("restrict_refusals", "low", {"keys": keys})


def hot_rows(spec: ResolvedSpec) -> Iterator[Found]:
    """A numeric field the spec declares read_only: set by the server, so possibly a running
    total. Ids, owner keys and the other implicit columns are read-only too, but are
    written once on insert: they are not totals."""
    fields = [
        f"{resource.name}.{item.name}"
        for resource in spec.resources
        for item in resource.fields
        if item.read_only and not item.implicit and FIELD_TYPES[item.type].numeric
    ]
    if fields:
        yield Found("hot_rows", "medium", {"fields": fields})


def audit_log_growth(spec: ResolvedSpec) -> Iterator[Found]:
    """An audited resource: the audit log only grows."""
    if any(resource.audit for resource in spec.resources):
        yield Found("audit_log_growth", "low", {})


def public_listing(spec: ResolvedSpec) -> Iterator[Found]:
    """A resource anyone may read without a token."""
    public = [r for r in api_resources(spec) if "public" in r.access.read]
    if public:
        enumerable = spec.api.ids == "integer"
        yield Found(
            "public_listing",
            "medium" if enumerable else "low",
            {
                "resources": [r.name for r in public],
                "enumerable": enumerable,
                "rate_limit": spec.rate_limits.default,
                "max_page_size": spec.api.max_page_size,
                # The deleted list needs the right to delete: public when deleting is.
                "deleted_hidden": not any(
                    r.soft_delete and "public" in r.access.delete for r in public
                ),
            },
        )


def rate_limits_per_process(spec: ResolvedSpec) -> Iterator[Found]:
    """Every generated backend: its limiter counts in memory unless given Redis."""
    yield Found("rate_limits_per_process", "low", {})


def issuer_availability(spec: ResolvedSpec) -> Iterator[Found]:
    """Tokens from an external issuer: verification needs its keys."""
    if spec.auth.mode == "jwks":
        yield Found("issuer_availability", "medium", {})


TRIGGERS: tuple[Callable[[ResolvedSpec], Iterator[Found]], ...] = (
    unindexed_search,
    many_to_many_fan_out,
    cascading_deletes,
    restrict_refusals,
    hot_rows,
    audit_log_growth,
    public_listing,
    rate_limits_per_process,
    issuer_availability,
)


def risks(spec: ResolvedSpec) -> tuple[Risk, ...]:
    """Every risk that holds for `spec`, the most severe first."""
    found = [item for trigger in TRIGGERS for item in trigger(spec)]
    return tuple(item.risk() for item in sorted(found, key=lambda f: _ORDER[f.severity]))
