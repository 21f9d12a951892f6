"""Survey a FastAPI codebase: routes, models, relations and layering.

Names are imported on first use, so that loading the `survey` command costs nothing until
it runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_architect._lazy import lazy_exports

_EXPORTS = {
    "Survey": "fastapi_architect.survey.model",
    "survey": "fastapi_architect.survey.model",
    "survey_index": "fastapi_architect.survey.model",
    "mermaid_er": "fastapi_architect.survey.render",
    "render_json": "fastapi_architect.survey.render",
    "render_markdown": "fastapi_architect.survey.render",
    "render_text": "fastapi_architect.survey.render",
}

__all__ = [
    "Survey",
    "mermaid_er",
    "render_json",
    "render_markdown",
    "render_text",
    "survey",
    "survey_index",
]

if TYPE_CHECKING:
    from fastapi_architect.survey.model import Survey, survey, survey_index
    from fastapi_architect.survey.render import (
        mermaid_er,
        render_json,
        render_markdown,
        render_text,
    )

__getattr__ = lazy_exports(__name__, _EXPORTS)
