"""Errors of generation from a valid spec."""

from __future__ import annotations


class UnsupportedSpecError(ValueError):
    """The spec is valid, but the generator cannot build a backend from it as it stands."""
