"""Prose shared by the sections: lists of names in words, and the Jinja templates under
design/templates that hold the text of risks and ADRs.

A template holds one `{% block %}` per part of its text (title, detail, ...). Each part is
rendered alone and its whitespace collapsed, so the templates can wrap their prose freely;
a block of `- ` items is read as a list."""

from __future__ import annotations

from collections.abc import Iterable
from importlib.resources import files

import jinja2

TEMPLATES = files("fastapi_architect.design") / "templates"


def names(items: Iterable[str]) -> str:
    """`a`, `a and b`, `a, b and c`; `none` for no items."""
    found = list(items)
    if not found:
        return "none"
    if len(found) == 1:
        return found[0]
    return ", ".join(found[:-1]) + " and " + found[-1]


def _load(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["names"] = names
    return environment


_ENVIRONMENT = _environment()


def render_parts(template: str, values: dict[str, object]) -> dict[str, str]:
    """Each block of `template`, rendered with `values`: {block name: text}."""
    found = _ENVIRONMENT.get_template(template)
    context = found.new_context(values)
    return {name: "".join(block(context)) for name, block in found.blocks.items()}


def template_blocks(template: str) -> frozenset[str]:
    """The names of the blocks of `template`."""
    return frozenset(_ENVIRONMENT.get_template(template).blocks)


def paragraph(text: str) -> str:
    """The text on one line, every run of whitespace a single space."""
    return " ".join(text.split())


def items(text: str) -> tuple[str, ...]:
    """The `- ` items of a Markdown list, each on one line."""
    out: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("- "):
            out.append(stripped[2:])
        elif stripped:
            if not out:
                raise ValueError(f"text before the first item of a list: {stripped!r}")
            out[-1] += " " + stripped
    return tuple(paragraph(item) for item in out)
