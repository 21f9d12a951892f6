"""The resolved schema is real: it creates on SQLite and PostgreSQL, and its constraints hold."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from fastapi_architect import load_spec
from fastapi_architect.design import to_metadata
from tests.conftest import EXAMPLES

EXAMPLE_NAMES = ["taskflow", "blog", "shop"]


def _check_schema(engine: sa.Engine, name: str) -> None:
    spec = load_spec(EXAMPLES / f"{name}.yaml")
    to_metadata(spec).create_all(engine)
    inspector = sa.inspect(engine)
    assert sorted(inspector.get_table_names()) == sorted(t.name for t in spec.tables)
    for table in spec.tables:
        assert [c["name"] for c in inspector.get_columns(table.name)] == [
            c.name for c in table.columns
        ]
        indexes = {i["name"]: tuple(i["column_names"]) for i in inspector.get_indexes(table.name)}
        assert indexes == {i.name: i.columns for i in table.indexes}
        keys = {
            k["name"]: (
                tuple(k["constrained_columns"]),
                k["referred_table"],
                k["options"].get("ondelete"),
            )
            for k in inspector.get_foreign_keys(table.name)
        }
        assert keys == {k.name: ((k.column,), k.ref_table, k.on_delete) for k in table.foreign_keys}
        assert {c["name"] for c in inspector.get_check_constraints(table.name)} == {
            c.name for c in table.checks
        }


def _exercise_taskflow_constraints(engine: sa.Engine) -> None:
    metadata = to_metadata(load_spec(EXAMPLES / "taskflow.yaml"))
    users, tasks, categories = (metadata.tables[n] for n in ("users", "tasks", "categories"))
    now = datetime.now(UTC)
    user = uuid.uuid4()
    with engine.begin() as connection:
        connection.execute(
            users.insert().values(
                id=user,
                email="a@example.com",
                hashed_password="x",
                role="user",
                is_active=True,
                created_at=now,
                updated_at=now,
            )
        )

    def task(**values: object) -> dict[str, object]:
        return {
            "id": uuid.uuid4(),
            "owner_id": user,
            "title": "t",
            "status": "pending",
            "priority": 3,
            "created_at": now,
            "updated_at": now,
            **values,
        }

    for bad in ({"priority": 9}, {"status": "bogus"}, {"title": ""}, {"owner_id": uuid.uuid4()}):
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            with pytest.raises(sa.exc.IntegrityError):
                connection.execute(tasks.insert().values(**task(**bad)))
    with engine.begin() as connection:
        connection.execute(
            categories.insert().values(
                id=uuid.uuid4(), owner_id=user, name="home", created_at=now, updated_at=now
            )
        )
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(
            categories.insert().values(
                id=uuid.uuid4(), owner_id=user, name="home", created_at=now, updated_at=now
            )
        )


def _exercise_partial_unique(engine: sa.Engine) -> None:
    """With soft delete, a unique value may be reused once the old row is deleted."""
    metadata = to_metadata(load_spec(EXAMPLES / "shop.yaml"))
    products = metadata.tables["products"]
    now = datetime.now(UTC)

    def product(deleted: datetime | None) -> dict[str, object]:
        return {
            "id": uuid.uuid4(),
            "sku": "SKU-1",
            "name": "Lamp",
            "price": 10,
            "stock": 1,
            "active": True,
            "created_at": now,
            "updated_at": now,
            "deleted_at": deleted,
        }

    with engine.begin() as connection:
        connection.execute(products.insert().values(**product(now)))
        connection.execute(products.insert().values(**product(None)))
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(products.insert().values(**product(None)))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_schema_creates_on_sqlite(name: str) -> None:
    _check_schema(sa.create_engine("sqlite://"), name)


def test_constraints_hold_on_sqlite() -> None:
    engine = sa.create_engine("sqlite://")
    to_metadata(load_spec(EXAMPLES / "taskflow.yaml")).create_all(engine)
    _exercise_taskflow_constraints(engine)
    engine = sa.create_engine("sqlite://")
    to_metadata(load_spec(EXAMPLES / "shop.yaml")).create_all(engine)
    _exercise_partial_unique(engine)


@pytest.mark.postgres
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_schema_creates_on_postgres(postgres_database: str, name: str) -> None:
    engine = sa.create_engine(postgres_database)
    try:
        _check_schema(engine, name)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_constraints_hold_on_postgres(postgres_database: str) -> None:
    engine = sa.create_engine(postgres_database)
    try:
        to_metadata(load_spec(EXAMPLES / "taskflow.yaml")).create_all(engine)
        _exercise_taskflow_constraints(engine)
        metadata = to_metadata(load_spec(EXAMPLES / "shop.yaml"))
        metadata.tables["products"].create(engine)
        _exercise_partial_unique(engine)
    finally:
        engine.dispose()
