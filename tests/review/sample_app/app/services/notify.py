"""Notifications, reaching up into the API layer."""

import httpx

from app.api.legacy import LEGACY_PREFIX  # expect: FA502


def notify(url: str, task_id: int) -> None:
    httpx.post(url, json={"task": f"{LEGACY_PREFIX}/{task_id}"}, verify=False)  # expect: FA115
