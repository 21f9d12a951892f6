"""Table models and public schemas."""

from datetime import datetime

from sqlmodel import Field, Relationship, SQLModel


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=255, unique=True)
    hashed_password: str = Field(max_length=255)
    tasks: list["Task"] = Relationship(back_populates="owner")


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str  # expect: FA405
    owner_id: int = Field(foreign_key="user.id")  # expect: FA401
    created_at: datetime = Field(default=datetime.utcnow())  # expect: FA402, FA403
    owner: User = Relationship(back_populates="tasks")


class TaskPublic(SQLModel):
    id: int
    title: str


class UserUpdate(SQLModel):
    email: str | None = None
    is_superuser: bool | None = None
