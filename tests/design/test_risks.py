"""Risks of the design document: each appears exactly when its trigger holds for the spec,
and says only what holds for it."""

from __future__ import annotations

from importlib.resources import files

import pytest

from fastapi_architect import check_text, load_spec
from fastapi_architect.design.model import Risk
from fastapi_architect.design.sections.prose import template_blocks
from fastapi_architect.design.sections.risks import TRIGGERS, risks
from fastapi_architect.spec.model import ResolvedSpec
from tests.conftest import EXAMPLES

HEAD = """
project: {name: demo}
"""
BUILTIN = HEAD + "auth: {mode: builtin, roles: [member, admin]}\n"
PUBLIC_API = HEAD + "auth: {mode: none}\n"
INTEGER_IDS = BUILTIN + "api: {ids: integer}\n"
JWKS = (
    HEAD
    + """
auth:
  mode: jwks
  jwks: {url: "https://id.example.com/jwks", issuer: "https://id.example.com", audience: demo}
"""
)


def spec_of(head: str, resources: str) -> ResolvedSpec:
    result = check_text(head.lstrip() + "resources:" + resources)
    assert result.spec is not None, result.problems
    assert not result.problems, result.problems
    return result.spec


def found(spec: ResolvedSpec) -> dict[str, Risk]:
    return {risk.title: risk for risk in risks(spec)}


def titled(spec: ResolvedSpec, start: str) -> list[Risk]:
    return [risk for risk in risks(spec) if risk.title.startswith(start)]


# A spec with as few risks as a spec can have: no search, links, cascades, audit or public
# reads; user ids are UUIDs.
PLAIN = """
  Note:
    fields: {text: string}
    access: {read: authenticated, create: member, update: member, delete: admin}
"""


# ---------------------------------------------------------------- each risk


def test_unindexed_search() -> None:
    shared = spec_of(
        BUILTIN,
        """
  Note:
    fields: {title: string, body: text}
    search: [title, body]
    access: {read: authenticated}
""",
    )
    (risk,) = titled(shared, "Unindexed text search")
    assert risk.title == "Unindexed text search on Note"
    assert risk.severity == "high"
    assert "`q` matches title and body" in risk.detail
    assert "every readable row of `notes`" in risk.detail
    private = spec_of(
        BUILTIN,
        """
  Note:
    owned: true
    fields: {title: string}
    search: [title]
""",
    )
    (risk,) = titled(private, "Unindexed text search")
    assert risk.severity == "medium"
    assert "each caller's own rows (the owner index narrows the scan)" in risk.detail
    assert not titled(spec_of(BUILTIN, PLAIN), "Unindexed text search")


def test_many_to_many_fan_out() -> None:
    linked = spec_of(
        BUILTIN,
        PLAIN
        + """
    relations:
      labels: {to: Label, kind: many_to_many}
  Label:
    fields: {name: string}
""",
    )
    (risk,) = titled(linked, "Many-to-many")
    assert risk.title == "Many-to-many fan-out: Note.labels"
    assert "through `note_labels`" in risk.detail
    # The inverse side of the relation is not declared: one risk, not two.
    many_to_one = spec_of(
        BUILTIN,
        PLAIN
        + """
    relations:
      label: {to: Label, required: false}
  Label:
    fields: {name: string}
""",
    )
    assert not titled(many_to_one, "Many-to-many")


def test_cascading_deletes() -> None:
    owned = spec_of(
        BUILTIN,
        """
  Note:
    owned: true
    fields: {text: string}
""",
    )
    risk = found(owned)["Cascading deletes"]
    assert "(notes.owner_id)" in risk.detail
    assert "deleting a busy user or parent" in risk.detail
    assert "deactivate users (`is_active`)" in risk.mitigation
    # Without auth there are no accounts to deactivate instead.
    parent = spec_of(
        PUBLIC_API,
        """
  Board:
    fields: {name: string}
  Thread:
    fields: {title: string}
    relations:
      board: {to: Board, on_delete: cascade}
""",
    )
    risk = found(parent)["Cascading deletes"]
    assert "(threads.board_id)" in risk.detail
    assert "user" not in risk.detail
    assert "is_active" not in risk.mitigation
    # Association rows cascade too, but they are links, not children.
    links = spec_of(
        PUBLIC_API,
        """
  Note:
    fields: {text: string}
    relations:
      labels: {to: Label, kind: many_to_many}
  Label:
    fields: {name: string}
""",
    )
    assert "Cascading deletes" not in found(links)


def test_restrict_refusals() -> None:
    resources = """
  Product:
    fields: {name: string}
    access: {read: authenticated, create: admin, update: admin, delete: admin}
  Line:
    fields: {quantity: integer}
    relations:
      product: {to: Product, on_delete: restrict}
    access: {read: authenticated, create: member, update: member, delete: member}
"""
    hard = spec_of(BUILTIN, resources)
    risk = found(hard)["Deletes refused by RESTRICT keys"]
    assert risk.detail.startswith("lines.product_id -> products: ")
    # A soft-deleted product stays in its table: nothing points at a missing row, and its
    # DELETE is never refused.
    soft = spec_of(
        BUILTIN, resources.replace("  Product:\n", "  Product:\n    soft_delete: true\n")
    )
    assert "Deletes refused by RESTRICT keys" not in found(soft)
    # The built-in users are never deleted through the API.
    to_users = spec_of(
        BUILTIN,
        """
  Review:
    fields: {text: string}
    relations:
      author: {to: User, on_delete: restrict}
""",
    )
    assert "Deletes refused by RESTRICT keys" not in found(to_users)


def test_hot_rows() -> None:
    counters = spec_of(
        INTEGER_IDS,
        """
  Board:
    fields:
      name: string
      thread_count: {type: integer, default: 0, read_only: true}
      rating: {type: decimal, precision: 4, scale: 2, required: false, read_only: true}
      closed_at: {type: datetime, required: false, read_only: true}
      views: {type: integer, default: 0}
  Thread:
    owned: true
    fields: {title: string}
    relations:
      board: {to: Board, on_delete: cascade}
""",
    )
    risk = found(counters)["Hot rows: server-maintained totals"]
    # Only the numbers the server maintains: not the ids and owner keys (also read-only and
    # numeric here), not a read-only date, not a number clients write.
    assert risk.detail.startswith("Board.thread_count and Board.rating are set by the server;")


def test_no_hot_rows_from_integer_ids_and_owner_keys() -> None:
    spec = spec_of(
        INTEGER_IDS,
        """
  Board:
    fields:
      name: string
      post_count: {type: integer, default: 0}
  Thread:
    owned: true
    fields:
      title: string
      views: {type: integer, default: 0}
      opened_at: {type: datetime, required: false, read_only: true}
    relations:
      board: {to: Board, on_delete: cascade}
""",
    )
    assert not titled(spec, "Hot rows")


def test_audit_log_growth() -> None:
    audited = spec_of(BUILTIN, PLAIN.replace("  Note:\n", "  Note:\n    audit: true\n"))
    assert found(audited)["Audit log growth"].severity == "low"
    assert "Audit log growth" not in found(spec_of(BUILTIN, PLAIN))


def test_public_listing() -> None:
    resources = """
  Post:
    soft_delete: true
    fields: {title: string}
    access: {read: public, create: member, update: member, delete: admin}
"""
    enumerable = found(spec_of(INTEGER_IDS, resources))["Public listing and scraping"]
    assert enumerable.severity == "medium"
    assert enumerable.detail == (
        "Post can be read without a token; integer ids are sequential, so rows can be "
        "enumerated and counted."
    )
    assert "soft-deleted rows are never public" in enumerable.mitigation
    assert "consider UUIDs" in enumerable.mitigation
    opaque = found(spec_of(BUILTIN, resources))["Public listing and scraping"]
    assert opaque.severity == "low"
    assert opaque.detail == "Post can be read without a token."
    assert opaque.mitigation.endswith("soft-deleted rows are never public.")
    # Without auth anyone may delete, so anyone may list the deleted rows too.
    anyone = resources.replace(
        "    access: {read: public, create: member, update: member, delete: admin}\n", ""
    )
    risk = found(spec_of(PUBLIC_API, anyone))["Public listing and scraping"]
    assert "soft-deleted" not in risk.mitigation
    assert "Public listing and scraping" not in found(spec_of(BUILTIN, PLAIN))


def test_rate_limits_per_process_hold_for_every_backend() -> None:
    # Every generated backend counts in memory unless REDIS_URL is set: no spec avoids it.
    for spec in (spec_of(BUILTIN, PLAIN), spec_of(PUBLIC_API, PLAIN.split("    access")[0])):
        assert found(spec)["Rate limits per process"].severity == "low"


def test_issuer_availability() -> None:
    external = spec_of(JWKS, PLAIN.split("    access")[0])
    assert found(external)["Issuer availability"].severity == "medium"
    assert "Issuer availability" not in found(spec_of(BUILTIN, PLAIN))


# ---------------------------------------------------------------- every risk


def test_a_plain_spec_has_only_the_risk_every_backend_has() -> None:
    assert [r.title for r in risks(spec_of(BUILTIN, PLAIN))] == ["Rate limits per process"]


def test_the_most_severe_come_first() -> None:
    order = {"high": 0, "medium": 1, "low": 2}
    for name in ("taskflow", "blog", "shop", "taskflow-jwks"):
        severities = [order[r.severity] for r in risks(load_spec(EXAMPLES / f"{name}.yaml"))]
        assert severities == sorted(severities), name


def test_every_risk_template_has_a_trigger_and_its_three_parts() -> None:
    names = {trigger.__name__ for trigger in TRIGGERS}
    templates = files("fastapi_architect.design") / "templates" / "risks"
    assert {t.name.removesuffix(".md.j2") for t in templates.iterdir()} == names
    for name in names:
        assert template_blocks(f"risks/{name}.md.j2") == {"title", "detail", "mitigation"}


@pytest.mark.parametrize(
    ("name", "absent"),
    [("shop", "Deletes refused by RESTRICT keys"), ("blog", "Hot rows: server-maintained totals")],
)
def test_examples_have_no_false_risks(name: str, absent: str) -> None:
    # Shop's products are soft deleted, so order items never block their DELETE; blog's only
    # read-only numbers are its ids and owner keys.
    assert absent not in found(load_spec(EXAMPLES / f"{name}.yaml"))
