# ruff: noqa: B006
"""Task queries: the service layer the handlers should go through."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from app.models import Task


async def list_tasks(session: AsyncSession, owner_id: int, limit: int) -> list[Task]:
    result = await session.execute(select(Task).where(Task.owner_id == owner_id).limit(limit))
    return list(result.scalars().all())


async def delete_task(session: AsyncSession, task_id: int, owner_id: int) -> None:
    task = await session.get(Task, task_id)
    if task is not None and task.owner_id == owner_id:
        await session.delete(task)
        await session.commit()


async def owner_emails(session: AsyncSession) -> list[str]:
    emails = []
    for task in (await session.execute(select(Task))).scalars().all():
        emails.append(task.owner.email)  # expect: FA202
    return emails


def tag(task: Task, tags: list[str] = []) -> list[str]:  # expect: FA404
    tags.append(task.title)
    return tags


# expect-below: FA001
STARTED = datetime.now()  # architect: ignore[FA403]
STAMPED = datetime.utcnow()  # architect: ignore[naive-datetime] the legacy column is naive UTC
