"""Routes kept from the first version of the API."""

from fastapi import APIRouter

from app.deps import CurrentUser
from app.models import TaskPublic

LEGACY_PREFIX = "/legacy"
router = APIRouter(prefix=LEGACY_PREFIX)


@router.get("/getTask/{task_id}")  # expect: FA303
def get_task(task_id: int, user: CurrentUser) -> TaskPublic: ...


@router.get("/task/{task_id}")  # expect: FA304
def read_task(task_id: int, user: CurrentUser) -> TaskPublic: ...


@router.delete("/task/{task_id}", status_code=204)  # expect: FA304
def remove(task_id: int, user: CurrentUser) -> dict[str, int]:
    return {"deleted": task_id}  # expect: FA302


@router.get("/task/{task_id}")  # expect: FA304, FA307
def read_task_again(task_id: int, user: CurrentUser) -> TaskPublic: ...
