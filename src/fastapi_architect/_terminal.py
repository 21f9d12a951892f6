"""When the command line draws progress."""

from __future__ import annotations

import os

from rich.console import Console


def shows_progress(console: Console) -> bool:
    """Progress is drawn on a terminal only: never when the output is piped or redirected,
    nor under CI (`CI` set), where it would only fill the log."""
    return console.is_terminal and not os.environ.get("CI")
