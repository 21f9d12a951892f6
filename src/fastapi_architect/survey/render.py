"""The survey as text (Rich), Markdown, Mermaid and JSON."""

from __future__ import annotations

import json
import re
from dataclasses import asdict

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from fastapi_architect.survey.model import Survey


def _ident(name: str) -> str:
    return re.sub(r"\W", "_", name) or "_"


def mermaid_er(survey: Survey) -> str:
    """The models and their foreign keys as a Mermaid `erDiagram`."""
    tables = {m.table: m for m in survey.models}
    by_name = {m.name.lower(): m for m in survey.models}
    lines = ["erDiagram"]
    for model in survey.models:
        lines.append(f"    {_ident(model.table)} {{")
        for col in model.columns:
            keys = ",".join(
                k for k, on in (("PK", col.primary_key), ("FK", bool(col.foreign_key))) if on
            )
            lines.append(
                f"        {_ident(col.type)} {_ident(col.name)}{' ' + keys if keys else ''}"
            )
        lines.append("    }")
    for model in survey.models:
        for col in model.columns:
            if not col.foreign_key:
                continue
            target_table = col.foreign_key.split(".")[0].strip("'\"")
            target = tables.get(target_table) or by_name.get(target_table.lower())
            if target is None:
                continue
            lines.append(f'    {_ident(target.table)} ||--o{{ {_ident(model.table)} : "{col.name}"')
    return "\n".join(lines) + "\n"


def render_json(survey: Survey) -> str:
    data = asdict(survey)
    data["layers"] = dict(survey.layers)
    data["mermaid"] = mermaid_er(survey)
    return json.dumps(data, indent=2)


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("|", "\\|")


def render_markdown(survey: Survey) -> str:
    out = [f"# Survey of `{survey.root}`", "", f"{survey.files} Python files.", ""]
    out += ["## Routes", "", "| Method | Path | Handler | Auth | Response | Status |"]
    out += ["| --- | --- | --- | --- | --- | --- |"]
    for r in survey.routes:
        out.append(
            f"| {r.method} | `{_cell(r.path)}` | {r.handler} ({r.location}) | "
            f"{_cell(r.auth) or '**none**'} | {_cell(r.response_model)} | {_cell(r.status_code)} |"
        )
    out += ["", "## Models", ""]
    for m in survey.models:
        out += [f"### {m.name} (`{m.table}`, {m.location})", ""]
        out += ["| Column | Type | Keys |", "| --- | --- | --- |"]
        for c in m.columns:
            keys = ", ".join(
                k
                for k, on in (
                    ("PK", c.primary_key),
                    (f"FK -> {c.foreign_key}", bool(c.foreign_key)),
                    ("index", c.index),
                    ("unique", c.unique),
                )
                if on
            )
            out.append(f"| {c.name} | {c.type} | {keys} |")
        for rel in m.relations:
            out.append(f"| {rel.name} | relation -> {rel.target}{'[]' if rel.many else ''} | |")
        out.append("")
    out += ["## ER diagram", "", "```mermaid", mermaid_er(survey).rstrip(), "```", ""]
    out += ["## Layering", "", "| Layer | Modules |", "| --- | --- |"]
    out += [f"| {layer} | {count} |" for layer, count in survey.layers]
    out += ["", "| From | Imports | Modules |", "| --- | --- | --- |"]
    out += [f"| {e.source} | {e.target} | {e.imports} |" for e in survey.edges]
    return "\n".join(out) + "\n"


def render_text(survey: Survey, console: Console) -> None:
    routes = Table(title=f"Routes ({len(survey.routes)})", expand=False)
    for col in ("Method", "Path", "Handler", "Auth", "Response", "Status"):
        routes.add_column(col)
    for r in survey.routes:
        routes.add_row(
            r.method,
            r.path,
            f"{r.handler}\n[dim]{r.location}[/dim]",
            r.auth or "[red]none[/red]",
            r.response_model or "",
            str(r.status_code or ""),
        )
    parts: list[Table | Text] = [routes]
    for m in survey.models:
        table = Table(title=f"{m.name} ({m.table}) [dim]{m.location}[/dim]")
        for col in ("Column", "Type", "Keys"):
            table.add_column(col)
        for c in m.columns:
            keys = " ".join(
                k
                for k, on in (
                    ("PK", c.primary_key),
                    (f"FK->{c.foreign_key}", bool(c.foreign_key)),
                    ("index", c.index),
                    ("unique", c.unique),
                )
                if on
            )
            table.add_row(c.name, c.type, keys)
        for rel in m.relations:
            table.add_row(rel.name, f"-> {rel.target}{'[]' if rel.many else ''}", "relation")
        parts.append(table)
    layers = Table(title="Layering")
    layers.add_column("Layer")
    layers.add_column("Modules")
    layers.add_column("Imports")
    for layer, count in survey.layers:
        targets = ", ".join(f"{e.target} ({e.imports})" for e in survey.edges if e.source == layer)
        layers.add_row(layer, str(count), targets)
    parts.append(layers)
    parts.append(Text("ER diagram (Mermaid):", style="bold"))
    parts.append(Text(mermaid_er(survey)))
    console.print(Group(*parts))
