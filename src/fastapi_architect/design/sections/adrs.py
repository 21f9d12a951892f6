"""Architecture decision records: one template each under design/templates/adr, with the
values of the spec it needs."""

from __future__ import annotations

from fastapi_architect.design.model import Adr
from fastapi_architect.design.sections.prose import items, paragraph, render_parts
from fastapi_architect.spec.model import ResolvedSpec


def _values(spec: ResolvedSpec) -> dict[str, dict[str, object]]:
    """Per ADR slug, in order: the values its template needs."""
    out: dict[str, dict[str, object]] = {
        "authentication": {
            "auth": spec.auth,
            "jwks": spec.auth.jwks if spec.auth.mode == "jwks" else None,
        },
        "identifiers": {"integer": spec.api.ids == "integer"},
        "pagination": {
            "default_page_size": spec.api.default_page_size,
            "max_page_size": spec.api.max_page_size,
        },
        "soft-delete": {"soft": [r.name for r in spec.resources if r.soft_delete]},
        "database": {"engine": spec.database.engine, "pooler": spec.database.pooler},
    }
    # Last, so that specs without AI keep their ADRs and numbers.
    if spec.ai is not None:
        out["ai"] = {"ai": spec.ai}
    return out


def adrs(spec: ResolvedSpec) -> tuple[Adr, ...]:
    out = []
    for number, (slug, values) in enumerate(_values(spec).items(), 1):
        parts = render_parts(f"adr/{slug}.md.j2", values)
        out.append(
            Adr(
                number=number,
                slug=slug,
                title=paragraph(parts["title"]),
                context=paragraph(parts["context"]),
                decision=paragraph(parts["decision"]),
                consequences=items(parts["consequences"]),
            )
        )
    return tuple(out)
