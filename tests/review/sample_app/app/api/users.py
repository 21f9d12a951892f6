"""User routes."""

from fastapi import APIRouter, HTTPException

from app.deps import CurrentUser, SessionDep
from app.models import TaskPublic, User, UserUpdate
from app.services import tasks as task_service

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me")
async def me(user: CurrentUser) -> dict[str, int]:
    return user


@router.get("/{user_id}/tasks")
async def user_tasks(
    user_id: int,  # expect: FA102
    user: CurrentUser,
    session: SessionDep,
    limit: int = 20,  # expect: FA204
) -> list[TaskPublic]:
    rows = await task_service.list_tasks(session, user_id, limit)
    return [TaskPublic(id=t.id or 0, title=t.title) for t in rows]


@router.get("/{user_id}/profile", response_model=User)  # expect: FA108
async def profile(user_id: int, user: CurrentUser, session: SessionDep):
    if user_id != user["id"]:
        raise HTTPException(status_code=404)
    return await session.get(User, user_id)


@router.patch("/me")
async def update_me(body: UserUpdate, user: CurrentUser) -> dict[str, int]:  # expect: FA116
    user.update(body.model_dump(exclude_unset=True))
    return user
