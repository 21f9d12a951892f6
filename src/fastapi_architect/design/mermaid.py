"""Mermaid diagrams of a design: the schema as an `erDiagram`, one request as a flowchart."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi_architect.design.model import TableDesign


def _ident(name: str) -> str:
    """An entity or attribute name Mermaid accepts."""
    text = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return text if text and not text[0].isdigit() else f"_{text}"


def _attribute_type(name: str) -> str:
    """A column type as one Mermaid attribute word: `VARCHAR(200)`, `NUMERIC(10_2)`."""
    text = name.replace("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ").replace(", ", "_")
    text = re.sub(r"[^A-Za-z0-9_()\[\]]", "_", text)
    return text if text and (text[0].isalpha() or text[0] == "_") else f"_{text}"


def _label(text: str) -> str:
    """Text inside a quoted Mermaid label (no double quotes allowed there)."""
    return text.replace('"', "'")


def er_diagram(tables: Sequence[TableDesign]) -> str:
    """Every table with its columns and keys, and one line per foreign key."""
    lines = ["erDiagram"]
    for table in tables:
        lines.append(f"    {_ident(table.name)} {{")
        foreign = {key.column for key in table.foreign_keys}
        for column in table.columns:
            keys = [
                key
                for key, on in (
                    ("PK", column.primary_key),
                    ("FK", column.name in foreign),
                    ("UK", column.unique and not column.primary_key),
                )
                if on
            ]
            line = f"        {_attribute_type(column.type)} {_ident(column.name)}"
            if keys:
                line += " " + ", ".join(keys)
            if column.nullable:
                line += ' "nullable"'
            lines.append(line)
        lines.append("    }")
    names = {table.name for table in tables}
    for table in tables:
        nullable = {c.name for c in table.columns if c.nullable}
        for key in table.foreign_keys:
            if key.ref_table not in names:
                continue
            left = "|o" if key.column in nullable else "||"
            label = key.column + (f" ({key.on_delete})" if key.on_delete else "")
            lines.append(
                f'    {_ident(key.ref_table)} {left}--o{{ {_ident(table.name)} : "{_label(label)}"'
            )
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class FlowNode:
    """One box of a flowchart."""

    node: str
    title: str
    detail: str = ""
    shape: str = "box"


@dataclass(frozen=True)
class FlowEdge:
    source: str
    target: str
    label: str = ""
    # A dotted arrow: the answer going back.
    back: bool = False


def flowchart(nodes: Sequence[FlowNode], edges: Sequence[FlowEdge]) -> str:
    """A left-to-right flowchart of `nodes` joined by `edges`."""
    lines = ["flowchart LR"]
    for item in nodes:
        text = _label(item.title) + (f"<br/>{_label(item.detail)}" if item.detail else "")
        if item.shape == "database":
            lines.append(f'    {_ident(item.node)}[("{text}")]')
        elif item.shape == "client":
            lines.append(f'    {_ident(item.node)}(["{text}"])')
        else:
            lines.append(f'    {_ident(item.node)}["{text}"]')
    for edge in edges:
        arrow = "-.->" if edge.back else "-->"
        label = f'|"{_label(edge.label)}"|' if edge.label else ""
        lines.append(f"    {_ident(edge.source)} {arrow}{label} {_ident(edge.target)}")
    return "\n".join(lines) + "\n"
