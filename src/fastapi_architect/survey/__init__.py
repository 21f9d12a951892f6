"""Survey a FastAPI codebase: routes, models, relations and layering."""

from fastapi_architect.survey.model import Survey, survey, survey_index
from fastapi_architect.survey.render import mermaid_er, render_json, render_markdown, render_text

__all__ = [
    "Survey",
    "mermaid_er",
    "render_json",
    "render_markdown",
    "render_text",
    "survey",
    "survey_index",
]
