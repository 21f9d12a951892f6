"""Deprecation, sunset dates and stability levels: when removing something is allowed."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

# x-stability-level, least to most stable; no level means stable.
STABILITY = ("draft", "alpha", "beta", "stable")


class SunsetError(ValueError):
    pass


def sunset_date(value: Any) -> date | None:
    """The `x-sunset` date (RFC 3339 date or date-time); None when not given."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise SunsetError(f"x-sunset {text!r} is not an RFC 3339 date") from None


def stability(node_value: Any) -> str | None:
    """The x-stability-level of an operation: a known level, "" for none, None when invalid."""
    if not isinstance(node_value, dict) or "x-stability-level" not in node_value:
        return ""
    level = node_value["x-stability-level"]
    return level if level in STABILITY else None


def rank(level: str) -> int:
    return STABILITY.index(level or "stable")


def removal(value: Any, today: date) -> tuple[str, str]:
    """How removing a deprecatable thing (operation, parameter) is judged: the kind of
    removal (`without-deprecation`, `with-deprecation`, `before-sunset`, `after-sunset`,
    `sunset-parse`) and what to say about its sunset. After its sunset, a deprecated thing
    is gone as announced: that is not reported."""
    if not isinstance(value, dict) or value.get("deprecated") is not True:
        return "without-deprecation", ""
    try:
        sunset = sunset_date(value.get("x-sunset"))
    except SunsetError as exc:
        return "sunset-parse", str(exc)
    if sunset is None:
        return "with-deprecation", ""
    if today < sunset:
        return "before-sunset", f"sunset {sunset.isoformat()}"
    return "after-sunset", f"sunset {sunset.isoformat()}"
