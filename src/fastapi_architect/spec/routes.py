"""Every endpoint a generated backend serves, derived from the resolved spec: the one table
that the endpoint templates, their OpenAPI error declarations and the design contracts read.

A route here is what a client can rely on: method, path, summary, success status, whether
a token is needed, the access rule consulted, the error statuses it can answer with, and
the names of its request and response schemas. How a route is implemented belongs to the
templates; how it is explained belongs to the design."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi_architect.spec.model import Action, AiAction, ResolvedSpec, Resource

# A bound for lists of related ids in one request body.
MAX_RELATED_IDS = 100

Auth = Literal["none", "optional", "bearer"]

# The `code` of the error envelope for each error status.
ERROR_CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    422: "validation_error",
    429: "rate_limited",
    502: "bad_gateway",
    503: "service_unavailable",
}


@dataclass(frozen=True)
class Route:
    group: str  # the router and OpenAPI tag: "health", "auth", "users", "audit" or a plural
    operation: str  # what it does within its group: "create", "get", "login", ...
    handler: str  # the handler's function name, unique in the app
    method: str
    prefix: str  # the router's prefix under the API prefix ("" outside the API)
    router_path: str  # the path within its router
    path: str  # the whole path a client calls
    summary: str
    success_status: int
    auth: Auth  # none: no users at all; optional: a token is checked only if sent
    access: tuple[str, ...]  # the rule consulted: access entries or role names
    errors: tuple[int, ...]  # the error statuses it can answer with, in order
    request: str | None = None
    response: str | None = None
    resource: str | None = None  # the spec resource it serves, if any

    @property
    def error_list(self) -> str:
        """The error statuses as Python arguments (`401, 404, 422`)."""
        return ", ".join(map(str, self.errors))


# Per resource operation: the access rules it consults (its own action first), and the
# errors it can answer with besides 401/403 (a caller refused) and 429 (every API route is
# rate-limited).
RESOURCE_OPERATIONS: dict[str, tuple[tuple[Action, ...], tuple[int, ...]]] = {
    "list": (("read",), (422,)),
    "create": (("create",), (409, 422)),
    "list_deleted": (("delete", "read"), (422,)),
    "get": (("read",), (404, 422)),
    "update": (("update", "read"), (404, 409, 422)),
    "delete": (("delete", "read"), (404, 409, 422)),
    "restore": (("delete", "read"), (404, 409, 422)),
}


def words(name: str) -> str:
    """`order_item` as prose: `order item`."""
    return name.replace("_", " ")


def with_article(text: str) -> str:
    """`a task`, `an order item`."""
    return ("an " if text[:1].lower() in "aeiou" else "a ") + text


def api_resources(spec: ResolvedSpec) -> tuple[Resource, ...]:
    """Resources served under their own path (the built-in user has its own routes)."""
    return tuple(r for r in spec.resources if not (r.name == "User" and spec.auth.enabled))


def routes(spec: ResolvedSpec) -> tuple[Route, ...]:
    """Every route of the generated backend, in the order the design lists them."""
    out = list(_health())
    if spec.auth.mode == "builtin":
        out += _auth(spec)
    if spec.auth.enabled:
        out += _users(spec)
    if spec.auth.enabled and any(r.audit for r in spec.resources):
        out += _audit(spec)
    for resource in api_resources(spec):
        out += resource_routes(spec, resource)
    if spec.ai is not None:
        out += ai_routes(spec)
    return tuple(out)


def routes_by_operation(spec: ResolvedSpec, group: str) -> dict[str, Route]:
    """The routes of one router, by operation (what an endpoint template reads)."""
    return {route.operation: route for route in routes(spec) if route.group == group}


def _route(
    spec: ResolvedSpec,
    group: str,
    prefix: str,
    operation: str,
    handler: str,
    method: str,
    router_path: str,
    summary: str,
    *,
    auth: Auth,
    access: tuple[str, ...],
    errors: tuple[int, ...],
    success_status: int = 200,
    request: str | None = None,
    response: str | None = None,
    resource: str | None = None,
) -> Route:
    return Route(
        group=group,
        operation=operation,
        handler=handler,
        method=method,
        prefix=prefix,
        router_path=router_path,
        path=spec.api.prefix + prefix + router_path,
        summary=summary,
        success_status=success_status,
        auth=auth,
        access=access,
        errors=errors,
        request=request,
        response=response,
        resource=resource,
    )


def _health() -> tuple[Route, ...]:
    """Liveness and readiness, outside the versioned API."""

    def route(operation: str, summary: str, errors: tuple[int, ...]) -> Route:
        return Route(
            group="health",
            operation=operation,
            handler=operation,
            method="GET",
            prefix="",
            router_path=f"/{operation}",
            path=f"/{operation}",
            summary=summary,
            success_status=200,
            auth="none",
            access=("public",),
            errors=errors,
            response="HealthStatus",
        )

    return (
        route("health", "The process is up", ()),
        route("ready", "The database answers", (503,)),
    )


def _auth(spec: ResolvedSpec) -> list[Route]:
    def route(
        operation: str,
        summary: str,
        errors: tuple[int, ...],
        request: str,
        *,
        success_status: int = 200,
        response: str | None = "TokenPair",
    ) -> Route:
        return _route(
            spec,
            "auth",
            "/auth",
            operation,
            operation,
            "POST",
            f"/{operation}",
            summary,
            auth="none",
            access=("public",),
            errors=errors,
            success_status=success_status,
            request=request,
            response=response,
        )

    return [
        route(
            "register",
            "Create an account",
            (409, 422, 429),
            "UserRegister",
            success_status=201,
            response="ItemResponse[UserPublic]",
        ),
        route(
            "token",
            "Log in with the OAuth2 password form",
            (401, 422, 429),
            "OAuth2PasswordRequestForm",
        ),
        route("login", "Log in with JSON", (401, 422, 429), "UserLogin"),
        route(
            "refresh",
            "Exchange a refresh token for new tokens (the old one stops working)",
            (401, 422),
            "RefreshRequest",
        ),
        route(
            "logout",
            "Revoke a refresh token and every token rotated from it",
            (422,),
            "RefreshRequest",
            success_status=204,
            response=None,
        ),
    ]


def _users(spec: ResolvedSpec) -> list[Route]:
    user = spec.resource("User")
    # Users may change a unique field about themselves, so that change can be a 409.
    conflicts = any(f.unique and not f.read_only and not f.implicit for f in user.fields)
    signed_in = ("authenticated",)
    admin = (spec.auth.admin_role or "admin",)
    item = "ItemResponse[UserPublic]"

    def route(
        operation: str,
        handler: str,
        method: str,
        router_path: str,
        summary: str,
        access: tuple[str, ...],
        errors: tuple[int, ...],
        request: str | None,
        response: str,
    ) -> Route:
        return _route(
            spec,
            "users",
            "/users",
            operation,
            handler,
            method,
            router_path,
            summary,
            auth="bearer",
            access=access,
            errors=errors,
            request=request,
            response=response,
        )

    return [
        route("me", "read_me", "GET", "/me", "The signed-in user", signed_in, (401, 429),
              None, item),
        route("update_me", "update_me", "PATCH", "/me", "Update your own account", signed_in,
              (401, 409, 422, 429) if conflicts else (401, 422, 429), "UserUpdateMe", item),
        route("list", "list_users", "GET", "", "List users (administrators)", admin,
              (401, 403, 422, 429), None, "ListResponse[UserPublic]"),
        route("get", "get_user", "GET", "/{user_id}", "Get a user (administrators)", admin,
              (401, 403, 404, 422, 429), None, item),
        route("administer", "administer_user", "PATCH", "/{user_id}",
              "Change a user's role or status (administrators)", admin,
              (401, 403, 404, 422, 429), "UserAdminUpdate", item),
    ]  # fmt: skip


def _audit(spec: ResolvedSpec) -> list[Route]:
    return [
        _route(
            spec,
            "audit",
            "/audit-log",
            "list",
            "list_audit_log",
            "GET",
            "",
            "Changes, newest first",
            auth="bearer",
            access=(spec.auth.admin_role or "admin",),
            errors=(401, 403, 422, 429),
            response="ListResponse[AuditEntry]",
        )
    ]


def restricting(spec: ResolvedSpec, resource: Resource) -> tuple[str, ...]:
    """The resources whose RESTRICT keys point at `resource`, so that deleting one of its
    rows fails while they still reference it."""
    return tuple(
        sorted(
            {
                other.name
                for other in spec.resources
                for relation in other.relations
                if relation.kind == "many_to_one"
                and relation.target == resource.name
                and relation.on_delete == "RESTRICT"
            }
        )
    )


def resource_error_statuses(
    spec: ResolvedSpec, resource: Resource, operation: str
) -> tuple[int, ...]:
    """The error statuses a resource route can answer with, in order."""
    actions, statuses = RESOURCE_OPERATIONS[operation]
    codes = {*statuses, 429}
    if operation == "delete" and (resource.soft_delete or not restricting(spec, resource)):
        # Only a row that RESTRICT keys still point at can refuse a hard delete.
        codes.discard(409)
    if spec.auth.enabled:
        # A token that is sent is checked even where none is needed: a bad one is a 401.
        codes.add(401)
        if any("public" not in resource.access.for_action(action) for action in actions):
            codes.add(403)
    return tuple(sorted(codes))


def resource_routes(spec: ResolvedSpec, resource: Resource) -> list[Route]:
    """The routes of one resource: list, create, get, update, delete, and with soft delete
    the deleted list and restore."""
    var = resource.singular
    the = words(var)
    one = f"/{{{var}_id}}"
    item = f"ItemResponse[{resource.name}Public]"
    listing = f"ListResponse[{resource.name}Public]"
    restorable = " (restorable)" if resource.soft_delete else ""

    def route(
        operation: str,
        handler: str,
        method: str,
        router_path: str,
        summary: str,
        action: Action,  # the action whose rule decides whether a token is needed
        request: str | None,
        response: str | None,
        success_status: int = 200,
    ) -> Route:
        rule = resource.access.for_action(action)
        auth: Auth = "optional" if "public" in rule else "bearer"
        return _route(
            spec,
            resource.plural,
            resource.path,
            operation,
            handler,
            method,
            router_path,
            summary,
            auth=auth if spec.auth.enabled else "none",
            access=rule,
            errors=resource_error_statuses(spec, resource, operation),
            success_status=success_status,
            request=request,
            response=response,
            resource=resource.name,
        )

    out = [
        route("list", f"list_{resource.plural}", "GET", "", f"List {words(resource.plural)}",
              "read", None, listing),
        route("create", f"create_{var}", "POST", "", f"Create {with_article(the)}", "create",
              f"{resource.name}Create", item, 201),
    ]  # fmt: skip
    if resource.soft_delete:
        out.append(
            route("list_deleted", f"list_deleted_{resource.plural}", "GET", "/deleted",
                  f"List deleted {words(resource.plural)}", "read", None, listing)
        )  # fmt: skip
    out += [
        route("get", f"get_{var}", "GET", one, f"Get {with_article(the)}", "read", None, item),
        route("update", f"update_{var}", "PATCH", one, f"Update {with_article(the)}", "update",
              f"{resource.name}Update", item),
        route("delete", f"delete_{var}", "DELETE", one,
              f"Delete {with_article(the)}{restorable}", "delete", None, None, 204),
    ]  # fmt: skip
    if resource.soft_delete:
        out.append(
            route("restore", f"restore_{var}", "POST", f"{one}/restore",
                  f"Restore a deleted {the}", "delete", None, item)
        )  # fmt: skip
    return out


def ai_route(spec: ResolvedSpec, action: AiAction) -> Route:
    """`POST /<plural>/{id}/ai/<action>`: the action run on a row the caller may read."""
    resource = spec.resource(action.resource)
    var = resource.singular
    # Every AI call is counted against a user's budget: a token is needed even where
    # reading is public. A provider refusing the request, or a structured answer the model
    # gets wrong twice, is a 502; no provider answering, a 503.
    errors = {401, 404, 422, 429, 502, 503}
    if "public" not in resource.access.read and "authenticated" not in resource.access.read:
        errors.add(403)
    summary = action.description.rstrip(".") or (
        f"AI {words(action.name)} of {with_article(words(var))}"
    )
    return _route(
        spec,
        "ai",
        "",
        f"{action.name}_{var}",
        f"{action.name}_{var}",
        "POST",
        f"{resource.path}/{{{var}_id}}/ai/{action.name.replace('_', '-')}",
        summary,
        auth="bearer",
        access=tuple(p for p in resource.access.read if p != "public") or ("authenticated",),
        errors=tuple(sorted(errors)),
        response=None if action.streamed else f"ItemResponse[{ai_result_schema(action)}]",
        resource=resource.name,
    )


def ai_result_schema(action: AiAction) -> str:
    """The class of a structured action's answer: `TaskSuggestPriority`."""
    return action.resource + "".join(part.title() for part in action.name.split("_"))


def ai_routes(spec: ResolvedSpec) -> list[Route]:
    """Each AI action's route, then the usage report."""
    out = [ai_route(spec, action) for action in spec.ai_actions]
    out.append(
        _route(
            spec,
            "ai",
            "/ai",
            "usage",
            "list_ai_usage",
            "GET",
            "/usage",
            "Your AI calls and tokens, newest first (administrators: everyone's)",
            auth="bearer",
            access=("authenticated",),
            errors=(401, 422, 429),
            response="ListResponse[AiUsagePublic]",
        )
    )
    return out
