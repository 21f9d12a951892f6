"""Layers, services and the request flow: where the code of each resource lives, what each
service owns, and one request through the layers. Paths come from the generator's layout."""

from __future__ import annotations

from fastapi_architect.design.contracts import ids_field
from fastapi_architect.design.mermaid import FlowEdge, FlowNode, flowchart
from fastapi_architect.design.model import LayerDesign, ServiceDesign
from fastapi_architect.generate import layout
from fastapi_architect.spec.model import ACTIONS, ResolvedSpec, Resource
from fastapi_architect.spec.routes import MAX_RELATED_IDS, api_resources


def layers(spec: ResolvedSpec) -> tuple[LayerDesign, ...]:
    """The layers the backend of `spec` has files in (the AI layer only with AI actions)."""
    paths = [planned.path for planned in layout.plan(spec)]
    present = {
        layer.name
        for layer in layout.LAYERS
        if any(path == layer.path or path.startswith(layer.path + "/") for path in paths)
    }
    return tuple(
        LayerDesign(
            name=layer.name,
            path=layer.path,
            responsibility=layer.responsibility,
            imports=tuple(name for name in layer.imports if name in present),
        )
        for layer in layout.LAYERS
        if layer.name in present
    )


def service(spec: ResolvedSpec, resource: Resource) -> ServiceDesign:
    owns = [
        "access: "
        + "; ".join(
            f"{action} {'/'.join(resource.access.for_action(action)) or 'nobody'}"
            for action in ACTIONS
        )
    ]
    if resource.owned:
        owns.append("ownership: sets `owner_id` to the caller; other users' private rows are 404")
    for relation in resource.relations:
        if relation.kind == "many_to_one":
            rule = f"link `{relation.column}` -> {relation.target}: must exist and be readable"
            owns.append(rule + (" and of the same owner" if relation.same_owner else ""))
        elif relation.kind == "many_to_many":
            owns.append(
                f"set `{ids_field(relation)}` -> {relation.target} through "
                f"`{relation.association_table}` (at most {MAX_RELATED_IDS} per request)"
            )
    if resource.unique or any(f.unique for f in resource.fields):
        owns.append("uniqueness: a taken value is a 409")
    if resource.soft_delete:
        owns.append("soft delete: `deleted_at`, the deleted list and restore")
    if resource.audit:
        owns.append("audit: one `audit_log` row per change, in the same transaction")
    return ServiceDesign(
        resource=resource.name,
        endpoints=layout.RESOURCE_ENDPOINTS.path_for(resource),
        service=f"{layout.RESOURCE_SERVICE.path_for(resource)}: {resource.name}Service",
        repository=f"{layout.RESOURCE_REPOSITORY.path_for(resource)}: {resource.name}Repository",
        model=f"{layout.RESOURCE_MODEL.path_for(resource)}: {resource.name} (`{resource.table}`)",
        owns=tuple(owns),
    )


def platform_services(spec: ResolvedSpec) -> tuple[ServiceDesign, ...]:
    """The services of the platform's own routes: accounts, users and the audit log."""
    out: list[ServiceDesign] = []
    user_repository = f"{layout.USER_REPOSITORY.path}: UserRepository"
    if layout.BUILTIN_AUTH.applies(spec):
        out.append(
            ServiceDesign(
                resource="Auth",
                endpoints=layout.AUTH_ENDPOINTS.path,
                service=f"{layout.AUTH_SERVICE.path}: AuthService",
                repository=user_repository,
                model=f"{layout.REFRESH_TOKEN_MODEL.path}: RefreshToken (`refresh_tokens`)",
                owns=(
                    "registration with the default role",
                    "login: argon2id verification, equal time for unknown emails",
                    "refresh rotation and reuse detection (a family is revoked at once)",
                    "logout: revokes the token family",
                ),
            )
        )
        user = spec.resource("User")
        out.append(
            ServiceDesign(
                resource="User",
                endpoints=layout.USER_ENDPOINTS.path,
                service=f"{layout.USER_SERVICE.path}: UserService",
                repository=user_repository,
                model=f"{layout.RESOURCE_MODEL.path_for(user)}: User (`{user.table}`)",
                owns=(
                    "the caller's own account (`/users/me`)",
                    f"administration by {spec.auth.admin_role or 'nobody'}: role and status",
                ),
            )
        )
    if layout.AUDIT.applies(spec):
        served = layout.AUDIT_API.applies(spec)
        out.append(
            ServiceDesign(
                resource="Audit",
                endpoints=layout.AUDIT_ENDPOINTS.path
                if served
                else "(none: no caller to show it to)",
                service=f"{layout.AUDIT_SERVICE.path}: AuditService",
                repository=f"{layout.AUDIT_REPOSITORY.path}: AuditRepository"
                if served
                else "(none: entries are only added)",
                model=f"{layout.AUDIT_MODEL.path}: AuditLog (`audit_log`)",
                owns=("the append-only audit log",)
                + (("reading it (administrators)",) if served else ()),
            )
        )
    return tuple(out)


def request_flow(spec: ResolvedSpec) -> str:
    """A create request of the richest resource, from the client to the database and back."""
    resources = api_resources(spec)
    if not resources:
        return flowchart(
            (FlowNode("client", "Client", shape="client"), FlowNode("health", "health.py")),
            (FlowEdge("client", "health", "GET /health"),),
        )
    resource = max(
        resources,
        key=lambda r: (len([x for x in r.relations if x.declared]), r.soft_delete, r.audit),
    )
    path = f"{spec.api.prefix}{resource.path}"
    rule = "/".join(resource.access.create) or "nobody"
    nodes = [
        FlowNode("client", "Client", shape="client"),
        FlowNode("middleware", "RequestContextMiddleware", "request id, security headers, log"),
        FlowNode(
            "endpoint",
            layout.RESOURCE_ENDPOINTS.path_for(resource),
            f"create_{resource.singular}",
        ),
        FlowNode("deps", layout.DEPS.path, "session, caller, rate limit"),
        FlowNode(
            "service",
            layout.RESOURCE_SERVICE.path_for(resource),
            f"{resource.name}Service.create",
        ),
        FlowNode("access", layout.ACCESS.path, f"create: {rule}"),
        FlowNode(
            "repository",
            layout.RESOURCE_REPOSITORY.path_for(resource),
            f"{resource.name}Repository",
        ),
        FlowNode("database", spec.database.engine, resource.table, shape="database"),
    ]
    edges = [
        FlowEdge("client", "middleware", f"POST {path}"),
        FlowEdge("middleware", "endpoint", f"{resource.name}Create validated"),
        FlowEdge("endpoint", "deps", "Depends"),
        FlowEdge("endpoint", "service", "data and caller"),
        FlowEdge("service", "access", "may the caller create?"),
    ]
    linked = [r.name for r in resource.relations if r.declared]
    store = f"check links ({', '.join(linked)}), insert" if linked else "insert"
    edges.append(FlowEdge("service", "repository", store))
    edges.append(FlowEdge("repository", "database", f"INSERT INTO {resource.table}"))
    if resource.audit:
        nodes.append(FlowNode("audit", layout.AUDIT_SERVICE.path, "AuditService"))
        edges.append(FlowEdge("service", "audit", "audit row, same transaction"))
        edges.append(FlowEdge("audit", "database", "INSERT INTO audit_log"))
    edges.append(FlowEdge("service", "endpoint", f"{resource.name}Public", back=True))
    edges.append(
        FlowEdge(
            "endpoint",
            "client",
            f"201 Created, Location, ItemResponse[{resource.name}Public]",
            back=True,
        )
    )
    return flowchart(nodes, edges)
