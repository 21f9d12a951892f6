"""Starting a spec: `fastapi-architect init` writes a commented `architect.yaml` that passes
`check`, from answers given on a terminal, from flags, or from a shipped example, with the
spec's JSON Schema beside it for editor completion."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_architect._lazy import lazy_exports

_EXPORTS = {
    "AnswerError": "fastapi_architect.init.answers",
    "FieldAnswer": "fastapi_architect.init.answers",
    "Issuer": "fastapi_architect.init.answers",
    "ResourceAnswer": "fastapi_architect.init.answers",
    "SpecAnswers": "fastapi_architect.init.answers",
    "parse_fields": "fastapi_architect.init.answers",
    "parse_resource": "fastapi_architect.init.answers",
    "EXAMPLES": "fastapi_architect.init.build",
    "Checked": "fastapi_architect.init.build",
    "check_answers": "fastapi_architect.init.build",
    "example_text": "fastapi_architect.init.build",
    "examples_dir": "fastapi_architect.init.build",
    "schema_text": "fastapi_architect.init.build",
    "InitError": "fastapi_architect.init.files",
    "Written": "fastapi_architect.init.files",
    "write_spec_files": "fastapi_architect.init.files",
    "SCHEMA_FILE": "fastapi_architect.init.render",
    "SCHEMA_LINE": "fastapi_architect.init.render",
    "SPEC_FILE": "fastapi_architect.init.render",
    "render_spec": "fastapi_architect.init.render",
}

__all__ = [
    "EXAMPLES",
    "SCHEMA_FILE",
    "SCHEMA_LINE",
    "SPEC_FILE",
    "AnswerError",
    "Checked",
    "FieldAnswer",
    "InitError",
    "Issuer",
    "ResourceAnswer",
    "SpecAnswers",
    "Written",
    "check_answers",
    "example_text",
    "examples_dir",
    "parse_fields",
    "parse_resource",
    "render_spec",
    "schema_text",
    "write_spec_files",
]

if TYPE_CHECKING:
    from fastapi_architect.init.answers import (
        AnswerError,
        FieldAnswer,
        Issuer,
        ResourceAnswer,
        SpecAnswers,
        parse_fields,
        parse_resource,
    )
    from fastapi_architect.init.build import (
        EXAMPLES,
        Checked,
        check_answers,
        example_text,
        examples_dir,
        schema_text,
    )
    from fastapi_architect.init.files import InitError, Written, write_spec_files
    from fastapi_architect.init.render import SCHEMA_FILE, SCHEMA_LINE, SPEC_FILE, render_spec


__getattr__ = lazy_exports(__name__, _EXPORTS)
