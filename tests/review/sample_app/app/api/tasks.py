"""Task routes."""

import time
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy import text

from app.deps import CurrentUser, SessionDep
from app.models import Task, TaskPublic
from app.services import tasks as task_service
from app.services.notify import export_status

router = APIRouter(prefix="/tasks", tags=["tasks"])


@router.get("/")
async def list_tasks(
    user: CurrentUser, session: SessionDep, limit: Annotated[int, Query(ge=1, le=100)] = 50
) -> list[TaskPublic]:
    rows = await task_service.list_tasks(session, user["id"], limit)
    return [TaskPublic(id=t.id or 0, title=t.title) for t in rows]


@router.post("/")  # expect: FA301
async def create_task(user: CurrentUser, session: SessionDep, title: str) -> TaskPublic:
    task = Task(title=title, owner_id=user["id"])
    session.add(task)  # expect: FA501
    session.commit()  # expect: FA205
    return TaskPublic(id=task.id or 0, title=task.title)


@router.get("/{task_id}")
async def read_task(task_id: int, user: CurrentUser, session: SessionDep) -> TaskPublic:
    task = await session.get(Task, task_id)  # expect: FA103
    if task is None:
        raise HTTPException(status_code=404)
    return TaskPublic(id=task_id, title=task.title)


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_task(task_id: int, user: CurrentUser, session: SessionDep) -> None:
    await task_service.delete_task(session, task_id, user["id"])


@router.get("/search")
async def search(q: str, user: CurrentUser, db: SessionDep) -> list[TaskPublic]:  # expect: FA203
    sql = f"SELECT id, title FROM task WHERE title LIKE '%{q}%'"
    rows = await db.execute(text(sql))  # expect: FA104, FA501
    return [TaskPublic(id=r.id, title=r.title) for r in rows]


@router.get("/export")
async def export(user: CurrentUser) -> dict[str, str]:
    time.sleep(1)  # expect: FA201
    export_status("https://exports.example.com/status")
    return {"status": "queued"}


@router.get("/stats/summary")
async def stats() -> dict[str, int]:  # expect: FA101
    return {"count": 0}
