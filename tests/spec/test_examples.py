"""The resolved model of each example spec: tables, columns, keys, indexes and access."""

from __future__ import annotations

import pytest

from fastapi_architect import ResolvedSpec, load_spec
from fastapi_architect.spec.model import ACTIONS, Table
from tests.conftest import EXAMPLES


def describe(table: Table) -> list[str]:
    """A table as the lines of its DDL, compact enough to read in a test."""
    lines = [
        f"{c.name} {c.sql_type}{'' if c.nullable else ' NOT NULL'}{' PK' if c.primary_key else ''}"
        for c in table.columns
    ]
    lines += [
        f"FK {f.column} -> {f.ref_table}.{f.ref_column} ON DELETE {f.on_delete}"
        for f in table.foreign_keys
    ]
    lines += [
        f"{'UNIQUE ' if i.unique else ''}INDEX {i.name} ({', '.join(i.columns)})"
        + (f" WHERE {i.where}" if i.where else "")
        for i in table.indexes
    ]
    lines += [f"CHECK {c.name}: {c.sql}" for c in table.checks]
    return lines


def access(spec: ResolvedSpec) -> dict[str, dict[str, tuple[str, ...]]]:
    return {
        r.name: {action: r.access.for_action(action) for action in ACTIONS} for r in spec.resources
    }


def load(name: str) -> ResolvedSpec:
    return load_spec(EXAMPLES / f"{name}.yaml")


EXPECTED_TASKFLOW_TABLES = {
    "users": [
        "id UUID NOT NULL PK",
        "email VARCHAR(320) NOT NULL",
        "hashed_password VARCHAR(255) NOT NULL",
        "role VARCHAR(32) NOT NULL",
        "is_active BOOLEAN NOT NULL",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "updated_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "INDEX ix_users_created_at_id (created_at, id)",
        "UNIQUE INDEX uq_users_email (email)",
        "CHECK ck_users_role_values: role IN ('user', 'admin')",
    ],
    "categories": [
        "id UUID NOT NULL PK",
        "owner_id UUID NOT NULL",
        "name VARCHAR(50) NOT NULL",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "updated_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "FK owner_id -> users.id ON DELETE CASCADE",
        "INDEX ix_categories_owner_id_created_at_id (owner_id, created_at, id)",
        "UNIQUE INDEX uq_categories_owner_id_name (owner_id, name)",
        "CHECK ck_categories_name_length: length(name) >= 1",
    ],
    "tags": [
        "id UUID NOT NULL PK",
        "owner_id UUID NOT NULL",
        "name VARCHAR(30) NOT NULL",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "updated_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "FK owner_id -> users.id ON DELETE CASCADE",
        "INDEX ix_tags_owner_id_created_at_id (owner_id, created_at, id)",
        "UNIQUE INDEX uq_tags_owner_id_name (owner_id, name)",
        "CHECK ck_tags_name_length: length(name) >= 1",
    ],
    "tasks": [
        "id UUID NOT NULL PK",
        "owner_id UUID NOT NULL",
        "title VARCHAR(200) NOT NULL",
        "description TEXT",
        "status VARCHAR(32) NOT NULL",
        "priority INTEGER NOT NULL",
        "due_date TIMESTAMP WITH TIME ZONE",
        "category_id UUID",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "updated_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "deleted_at TIMESTAMP WITH TIME ZONE",
        "FK owner_id -> users.id ON DELETE CASCADE",
        "FK category_id -> categories.id ON DELETE SET NULL",
        "INDEX ix_tasks_owner_id_created_at_id (owner_id, created_at, id)",
        "INDEX ix_tasks_owner_id_due_date_id (owner_id, due_date, id)",
        "INDEX ix_tasks_owner_id_priority_id (owner_id, priority, id)",
        "INDEX ix_tasks_owner_id_status (owner_id, status)",
        "INDEX ix_tasks_owner_id_category_id (owner_id, category_id)",
        "INDEX ix_tasks_category_id (category_id)",
        "CHECK ck_tasks_title_length: length(title) >= 1",
        "CHECK ck_tasks_description_length: length(description) <= 5000",
        "CHECK ck_tasks_status_values: status IN ('pending', 'in_progress', 'done')",
        "CHECK ck_tasks_priority_range: priority >= 1 AND priority <= 5",
    ],
    "task_tags": [
        "task_id UUID NOT NULL",
        "tag_id UUID NOT NULL",
        "FK task_id -> tasks.id ON DELETE CASCADE",
        "FK tag_id -> tags.id ON DELETE CASCADE",
        "INDEX ix_task_tags_tag_id (tag_id)",
    ],
    "refresh_tokens": [
        "id UUID NOT NULL PK",
        "user_id UUID NOT NULL",
        "token_hash VARCHAR(64) NOT NULL",
        "family_id UUID NOT NULL",
        "expires_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "revoked_at TIMESTAMP WITH TIME ZONE",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "FK user_id -> users.id ON DELETE CASCADE",
        "UNIQUE INDEX uq_refresh_tokens_token_hash (token_hash)",
        "INDEX ix_refresh_tokens_user_id (user_id)",
        "INDEX ix_refresh_tokens_family_id (family_id)",
    ],
    "audit_log": [
        "id UUID NOT NULL PK",
        "actor_id UUID",
        "action VARCHAR(20) NOT NULL",
        "resource VARCHAR(100) NOT NULL",
        "resource_id VARCHAR(64) NOT NULL",
        "changes JSON NOT NULL",
        "request_id VARCHAR(64)",
        # taskflow serves MCP tools: each change records how it was asked for.
        "channel VARCHAR(10) NOT NULL",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "FK actor_id -> users.id ON DELETE SET NULL",
        "INDEX ix_audit_log_resource_resource_id_created_at (resource, resource_id, created_at)",
        "INDEX ix_audit_log_actor_id (actor_id)",
        "CHECK ck_audit_log_action_values: action IN ('create', 'update', 'delete', 'restore')",
        "CHECK ck_audit_log_channel_values: channel IN ('api', 'mcp')",
    ],
    # taskflow declares AI actions: one row per call, and a day's tokens per user.
    "ai_usage": [
        "id UUID NOT NULL PK",
        "user_id UUID NOT NULL",
        "action VARCHAR(100) NOT NULL",
        "resource_id VARCHAR(64) NOT NULL",
        "provider VARCHAR(50)",
        "model VARCHAR(100)",
        "prompt_tokens INTEGER NOT NULL",
        "completion_tokens INTEGER NOT NULL",
        "latency_ms INTEGER NOT NULL",
        "cache_hit BOOLEAN NOT NULL",
        "outcome VARCHAR(20) NOT NULL",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "FK user_id -> users.id ON DELETE CASCADE",
        "INDEX ix_ai_usage_user_id_created_at_id (user_id, created_at, id)",
        "INDEX ix_ai_usage_created_at_id (created_at, id)",
        "CHECK ck_ai_usage_outcome_values: outcome IN "
        "('ok', 'cached', 'invalid_output', 'unavailable', 'cancelled')",
    ],
    "ai_budgets": [
        "user_id UUID NOT NULL PK",
        "day DATE NOT NULL PK",
        "tokens INTEGER NOT NULL",
        "FK user_id -> users.id ON DELETE CASCADE",
    ],
}

EXPECTED_TASKFLOW_ACCESS = {
    "User": {"read": ("admin",), "create": ("admin",), "update": ("admin",), "delete": ("admin",)},
    "Category": {
        "read": ("owner",),
        "create": ("owner",),
        "update": ("owner",),
        "delete": ("owner",),
    },
    "Tag": {"read": ("owner",), "create": ("owner",), "update": ("owner",), "delete": ("owner",)},
    "Task": {
        "read": ("owner", "admin"),
        "create": ("owner",),
        "update": ("owner",),
        "delete": ("owner", "admin"),
    },
}

EXPECTED_TASKFLOW_RELATIONS = [
    "Category.tasks: one_to_many -> Task (inverse category, same_owner False)",
    "Tag.tasks: many_to_many -> Task (inverse tags, same_owner False)",
    "Task.category: many_to_one -> Category (inverse tasks, same_owner True)",
    "Task.tags: many_to_many -> Tag (inverse tasks, same_owner True)",
]

EXPECTED_BLOG_TABLES = {
    "users": [
        "id INTEGER NOT NULL PK",
        "email VARCHAR(320) NOT NULL",
        "hashed_password VARCHAR(255) NOT NULL",
        "role VARCHAR(32) NOT NULL",
        "is_active BOOLEAN NOT NULL",
        "display_name VARCHAR(80)",
        "bio TEXT",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "updated_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "INDEX ix_users_created_at_id (created_at, id)",
        "UNIQUE INDEX uq_users_email (email)",
        "CHECK ck_users_role_values: role IN ('reader', 'author', 'admin')",
        "CHECK ck_users_display_name_length: length(display_name) >= 1",
        "CHECK ck_users_bio_length: length(bio) <= 2000",
    ],
    "posts": [
        "id INTEGER NOT NULL PK",
        "owner_id INTEGER NOT NULL",
        "title VARCHAR(200) NOT NULL",
        "slug VARCHAR(220) NOT NULL",
        "body TEXT NOT NULL",
        "status VARCHAR(32) NOT NULL",
        "published_at TIMESTAMP WITH TIME ZONE",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "updated_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "deleted_at TIMESTAMP WITH TIME ZONE",
        "FK owner_id -> users.id ON DELETE CASCADE",
        "INDEX ix_posts_created_at_id (created_at, id)",
        "INDEX ix_posts_published_at_id (published_at, id)",
        "INDEX ix_posts_title_id (title, id)",
        "INDEX ix_posts_status (status)",
        "UNIQUE INDEX uq_posts_slug (slug) WHERE deleted_at IS NULL",
        "INDEX ix_posts_owner_id (owner_id)",
        "CHECK ck_posts_title_length: length(title) >= 3",
        "CHECK ck_posts_body_length: length(body) >= 1 AND length(body) <= 100000",
        "CHECK ck_posts_status_values: status IN ('draft', 'published', 'archived')",
    ],
    "comments": [
        "id INTEGER NOT NULL PK",
        "owner_id INTEGER NOT NULL",
        "body TEXT NOT NULL",
        "post_id INTEGER NOT NULL",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "updated_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "FK owner_id -> users.id ON DELETE CASCADE",
        "FK post_id -> posts.id ON DELETE CASCADE",
        "INDEX ix_comments_created_at_id (created_at, id)",
        "INDEX ix_comments_post_id (post_id)",
        "INDEX ix_comments_owner_id (owner_id)",
        "CHECK ck_comments_body_length: length(body) >= 1 AND length(body) <= 5000",
    ],
    "tags": [
        "id INTEGER NOT NULL PK",
        "name VARCHAR(40) NOT NULL",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "updated_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "INDEX ix_tags_name_id (name, id)",
        "INDEX ix_tags_created_at_id (created_at, id)",
        "UNIQUE INDEX uq_tags_name (name)",
        "CHECK ck_tags_name_length: length(name) >= 1",
    ],
    "post_tags": [
        "post_id INTEGER NOT NULL",
        "tag_id INTEGER NOT NULL",
        "FK post_id -> posts.id ON DELETE CASCADE",
        "FK tag_id -> tags.id ON DELETE CASCADE",
        "INDEX ix_post_tags_tag_id (tag_id)",
    ],
    "refresh_tokens": [
        "id INTEGER NOT NULL PK",
        "user_id INTEGER NOT NULL",
        "token_hash VARCHAR(64) NOT NULL",
        "family_id UUID NOT NULL",
        "expires_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "revoked_at TIMESTAMP WITH TIME ZONE",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "FK user_id -> users.id ON DELETE CASCADE",
        "UNIQUE INDEX uq_refresh_tokens_token_hash (token_hash)",
        "INDEX ix_refresh_tokens_user_id (user_id)",
        "INDEX ix_refresh_tokens_family_id (family_id)",
    ],
    "audit_log": [
        "id INTEGER NOT NULL PK",
        "actor_id INTEGER",
        "action VARCHAR(20) NOT NULL",
        "resource VARCHAR(100) NOT NULL",
        "resource_id VARCHAR(64) NOT NULL",
        "changes JSON NOT NULL",
        "request_id VARCHAR(64)",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "FK actor_id -> users.id ON DELETE SET NULL",
        "INDEX ix_audit_log_resource_resource_id_created_at (resource, resource_id, created_at)",
        "INDEX ix_audit_log_actor_id (actor_id)",
        "CHECK ck_audit_log_action_values: action IN ('create', 'update', 'delete', 'restore')",
    ],
}

EXPECTED_BLOG_ACCESS = {
    "User": {"read": ("admin",), "create": ("admin",), "update": ("admin",), "delete": ("admin",)},
    "Post": {
        "read": ("public",),
        "create": ("author", "admin"),
        "update": ("owner",),
        "delete": ("owner", "admin"),
    },
    "Comment": {
        "read": ("public",),
        "create": ("authenticated",),
        "update": ("owner",),
        "delete": ("owner", "admin"),
    },
    "Tag": {
        "read": ("public",),
        "create": ("author", "admin"),
        "update": ("admin",),
        "delete": ("admin",),
    },
}

EXPECTED_BLOG_RELATIONS = [
    "Comment.post: many_to_one -> Post (inverse comments, same_owner False)",
    "Post.comments: one_to_many -> Comment (inverse post, same_owner False)",
    "Post.tags: many_to_many -> Tag (inverse posts, same_owner False)",
    "Tag.posts: many_to_many -> Post (inverse tags, same_owner False)",
]

EXPECTED_SHOP_TABLES = {
    "users": [
        "id UUID NOT NULL PK",
        "email VARCHAR(320) NOT NULL",
        "hashed_password VARCHAR(255) NOT NULL",
        "role VARCHAR(32) NOT NULL",
        "is_active BOOLEAN NOT NULL",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "updated_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "INDEX ix_users_created_at_id (created_at, id)",
        "UNIQUE INDEX uq_users_email (email)",
        "CHECK ck_users_role_values: role IN ('customer', 'staff', 'admin')",
    ],
    "products": [
        "id UUID NOT NULL PK",
        "sku VARCHAR(32) NOT NULL",
        "name VARCHAR(200) NOT NULL",
        "description TEXT",
        "price NUMERIC(10, 2) NOT NULL",
        "stock INTEGER NOT NULL",
        "active BOOLEAN NOT NULL",
        "image_url VARCHAR(2048)",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "updated_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "deleted_at TIMESTAMP WITH TIME ZONE",
        "INDEX ix_products_created_at_id (created_at, id)",
        "INDEX ix_products_name_id (name, id)",
        "INDEX ix_products_price_id (price, id)",
        "INDEX ix_products_active (active)",
        "UNIQUE INDEX uq_products_sku (sku) WHERE deleted_at IS NULL",
        "CHECK ck_products_name_length: length(name) >= 1",
        "CHECK ck_products_description_length: length(description) <= 10000",
        "CHECK ck_products_price_range: price >= 0",
        "CHECK ck_products_stock_range: stock >= 0",
    ],
    "orders": [
        "id UUID NOT NULL PK",
        "owner_id UUID NOT NULL",
        "status VARCHAR(32) NOT NULL",
        "total NUMERIC(12, 2) NOT NULL",
        "shipping_address TEXT",
        "placed_at TIMESTAMP WITH TIME ZONE",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "updated_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "FK owner_id -> users.id ON DELETE CASCADE",
        "INDEX ix_orders_owner_id_created_at_id (owner_id, created_at, id)",
        "INDEX ix_orders_owner_id_placed_at_id (owner_id, placed_at, id)",
        "INDEX ix_orders_owner_id_total_id (owner_id, total, id)",
        "INDEX ix_orders_owner_id_status (owner_id, status)",
        "CHECK ck_orders_status_values: status IN ('cart', 'placed', 'paid', 'shipped', "
        "'cancelled')",
        "CHECK ck_orders_total_range: total >= 0",
        "CHECK ck_orders_shipping_address_length: length(shipping_address) <= 500",
    ],
    "order_items": [
        "id UUID NOT NULL PK",
        "owner_id UUID NOT NULL",
        "quantity INTEGER NOT NULL",
        "unit_price NUMERIC(10, 2) NOT NULL",
        "order_id UUID NOT NULL",
        "product_id UUID NOT NULL",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "updated_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "FK owner_id -> users.id ON DELETE CASCADE",
        "FK order_id -> orders.id ON DELETE CASCADE",
        "FK product_id -> products.id ON DELETE RESTRICT",
        "INDEX ix_order_items_owner_id_created_at_id (owner_id, created_at, id)",
        "INDEX ix_order_items_owner_id_order_id (owner_id, order_id)",
        "INDEX ix_order_items_owner_id_product_id (owner_id, product_id)",
        "UNIQUE INDEX uq_order_items_order_id_product_id (order_id, product_id)",
        "INDEX ix_order_items_product_id (product_id)",
        "CHECK ck_order_items_quantity_range: quantity >= 1 AND quantity <= 1000",
        "CHECK ck_order_items_unit_price_range: unit_price >= 0",
    ],
    "refresh_tokens": [
        "id UUID NOT NULL PK",
        "user_id UUID NOT NULL",
        "token_hash VARCHAR(64) NOT NULL",
        "family_id UUID NOT NULL",
        "expires_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "revoked_at TIMESTAMP WITH TIME ZONE",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "FK user_id -> users.id ON DELETE CASCADE",
        "UNIQUE INDEX uq_refresh_tokens_token_hash (token_hash)",
        "INDEX ix_refresh_tokens_user_id (user_id)",
        "INDEX ix_refresh_tokens_family_id (family_id)",
    ],
    "audit_log": [
        "id UUID NOT NULL PK",
        "actor_id UUID",
        "action VARCHAR(20) NOT NULL",
        "resource VARCHAR(100) NOT NULL",
        "resource_id VARCHAR(64) NOT NULL",
        "changes JSON NOT NULL",
        "request_id VARCHAR(64)",
        "created_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "FK actor_id -> users.id ON DELETE SET NULL",
        "INDEX ix_audit_log_resource_resource_id_created_at (resource, resource_id, created_at)",
        "INDEX ix_audit_log_actor_id (actor_id)",
        "CHECK ck_audit_log_action_values: action IN ('create', 'update', 'delete', 'restore')",
    ],
}

EXPECTED_SHOP_ACCESS = {
    "User": {"read": ("admin",), "create": ("admin",), "update": ("admin",), "delete": ("admin",)},
    "Product": {
        "read": ("public",),
        "create": ("staff", "admin"),
        "update": ("staff", "admin"),
        "delete": ("admin",),
    },
    "Order": {
        "read": ("owner", "staff", "admin"),
        "create": ("owner",),
        "update": ("owner",),
        "delete": ("owner", "admin"),
    },
    "OrderItem": {
        "read": ("owner", "staff", "admin"),
        "create": ("owner",),
        "update": ("owner",),
        "delete": ("owner",),
    },
}

EXPECTED_SHOP_RELATIONS = [
    "Order.order_items: one_to_many -> OrderItem (inverse order, same_owner False)",
    "OrderItem.order: many_to_one -> Order (inverse order_items, same_owner True)",
    "OrderItem.product: many_to_one -> Product (inverse order_items, same_owner False)",
    "Product.order_items: one_to_many -> OrderItem (inverse product, same_owner False)",
]


@pytest.mark.parametrize(
    ("name", "tables", "rules", "relations"),
    [
        (
            "taskflow",
            EXPECTED_TASKFLOW_TABLES,
            EXPECTED_TASKFLOW_ACCESS,
            EXPECTED_TASKFLOW_RELATIONS,
        ),
        ("blog", EXPECTED_BLOG_TABLES, EXPECTED_BLOG_ACCESS, EXPECTED_BLOG_RELATIONS),
        ("shop", EXPECTED_SHOP_TABLES, EXPECTED_SHOP_ACCESS, EXPECTED_SHOP_RELATIONS),
    ],
)
def test_example_resolves_to_expected_schema_and_access(
    name: str,
    tables: dict[str, list[str]],
    rules: dict[str, dict[str, tuple[str, ...]]],
    relations: list[str],
) -> None:
    spec = load(name)
    assert {t.name: describe(t) for t in spec.tables} == tables
    assert access(spec) == rules
    assert (
        sorted(
            f"{r.name}.{x.name}: {x.kind} -> {x.target} (inverse {x.inverse}, same_owner {x.same_owner})"
            for r in spec.resources
            for x in r.relations
        )
        == relations
    )
