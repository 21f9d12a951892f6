"""Notifications, reaching up into the API layer."""

import httpx
import requests

from app.api.legacy import LEGACY_PREFIX  # expect: FA502


def notify(url: str, task_id: int) -> None:
    httpx.post(url, json={"task": f"{LEGACY_PREFIX}/{task_id}"}, verify=False)  # expect: FA115


def export_status(url: str) -> int:
    return requests.get(url).status_code  # expect: FA206
