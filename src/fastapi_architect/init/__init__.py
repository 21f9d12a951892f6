"""Starting a spec: `fastapi-architect init` writes a commented `architect.yaml` that passes
`check`, from answers given on a terminal, from flags, or from a shipped example, with the
spec's JSON Schema beside it for editor completion."""

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
