"""What every part of the contracts shares: the schemas registry, common schemas, errors,
list parameters, and an endpoint made from its route in the endpoint table."""

from __future__ import annotations

from fastapi_architect.design.model import (
    EndpointDesign,
    ErrorDesign,
    ExampleRequest,
    ExampleResponse,
    FieldDesign,
    ParameterDesign,
    SchemaDesign,
)
from fastapi_architect.spec.model import Action, ResolvedSpec, Resource
from fastapi_architect.spec.routes import ERROR_CODES, routes, words

AUTH_LABELS = {"none": "none", "optional": "bearer (optional)", "bearer": "bearer"}


class ContractsBase:
    def __init__(self, spec: ResolvedSpec) -> None:
        self.spec = spec
        self.id_type = "uuid" if spec.api.ids == "uuid" else "integer"
        self.prefix = spec.api.prefix
        self.schemas: dict[str, SchemaDesign] = {}
        self.endpoints: list[EndpointDesign] = []
        self.routes = {(route.group, route.operation): route for route in routes(spec)}

    # -------------------------------------------------------- shared pieces

    def _schema(self, schema: SchemaDesign) -> str:
        self.schemas.setdefault(schema.name, schema)
        return schema.name

    def _id(self, name: str, *, required: bool = True, nullable: bool = False) -> FieldDesign:
        return FieldDesign(name=name, type=self.id_type, required=required, nullable=nullable)

    def _time(self, name: str, *, nullable: bool = False) -> FieldDesign:
        return FieldDesign(name=name, type="datetime", required=True, nullable=nullable)

    def _common_schemas(self) -> None:
        self._schema(
            SchemaDesign(
                name="ItemResponse[T]",
                description='One row: `{"data": T}`.',
                fields=(FieldDesign(name="data", type="T", required=True),),
            )
        )
        self._schema(
            SchemaDesign(
                name="ListResponse[T]",
                description="A page of rows and its cursor.",
                fields=(
                    FieldDesign(name="data", type="list of T", required=True),
                    FieldDesign(name="meta", type="ListMeta", required=True),
                ),
            )
        )
        self._schema(
            SchemaDesign(
                name="ListMeta",
                description="Where a page ends.",
                fields=(
                    FieldDesign(name="limit", type="integer", required=True),
                    FieldDesign(name="has_more", type="boolean", required=True),
                    FieldDesign(
                        name="next_cursor",
                        type="string",
                        required=True,
                        nullable=True,
                        description="Pass as `cursor` to get the next page.",
                    ),
                ),
            )
        )
        self._schema(
            SchemaDesign(
                name="ErrorEnvelope",
                description='Every error: `{"error": ErrorBody}`.',
                fields=(FieldDesign(name="error", type="ErrorBody", required=True),),
            )
        )
        self._schema(
            SchemaDesign(
                name="ErrorBody",
                description="What went wrong, and the request id to quote.",
                fields=(
                    FieldDesign(name="code", type="string", required=True),
                    FieldDesign(name="message", type="string", required=True),
                    FieldDesign(name="details", type="list of ErrorDetail", required=True),
                    FieldDesign(name="request_id", type="string", required=True, nullable=True),
                ),
            )
        )
        self._schema(
            SchemaDesign(
                name="ErrorDetail",
                description="One invalid input: where and why (the value is never echoed).",
                fields=(
                    FieldDesign(
                        name="loc", type="list of string or integer", required=False, default="[]"
                    ),
                    FieldDesign(name="message", type="string", required=True),
                    FieldDesign(name="type", type="string", required=True),
                ),
            )
        )

    def _error(self, status: int, when: str) -> ErrorDesign:
        return ErrorDesign(status=status, code=ERROR_CODES[status], when=when)

    def _endpoint(
        self,
        group: str,
        operation: str,
        when: dict[int, str | ErrorDesign],
        example_request: ExampleRequest,
        example_response: ExampleResponse,
        *,
        access: str | None = None,
        parameters: tuple[ParameterDesign, ...] = (),
        pagination: str | None = None,
    ) -> None:
        """The endpoint of a route, with what the design adds: when each of its errors
        happens, its parameters and an example exchange."""
        route = self.routes[group, operation]
        self.endpoints.append(
            EndpointDesign(
                group=route.group,
                method=route.method,
                path=route.path,
                summary=route.summary,
                auth=AUTH_LABELS[route.auth],
                access=access or ", ".join(route.access) or "nobody",
                request=route.request,
                response=route.response,
                success_status=route.success_status,
                errors=tuple(
                    error
                    if isinstance(error := when[status], ErrorDesign)
                    else self._error(status, error)
                    for status in route.errors
                ),
                parameters=parameters,
                pagination=pagination,
                example_request=example_request,
                example_response=example_response,
            )
        )

    def _rate_limited(self) -> ErrorDesign:
        return self._error(
            429,
            f"more than {self.spec.rate_limits.default} requests from the caller "
            "(per user, per IP when anonymous); `Retry-After` says when to retry",
        )

    def _bearer_headers(self, auth: str) -> tuple[tuple[str, str], ...]:
        if auth == "bearer":
            return (("Authorization", "Bearer <access token>"),)
        return ()

    def _page_params(self, *, described: bool = False) -> tuple[ParameterDesign, ParameterDesign]:
        """`limit` and `cursor` of a page, newest first (`described`: with what each is)."""
        api = self.spec.api
        return (
            ParameterDesign(
                name="limit",
                location="query",
                type="integer",
                required=False,
                default=str(api.default_page_size),
                constraints=(">= 1", f"<= {api.max_page_size}"),
                description="Rows per page." if described else "",
            ),
            ParameterDesign(
                name="cursor",
                location="query",
                type="string",
                required=False,
                constraints=("max length 512",),
                description="`meta.next_cursor` of the previous page." if described else "",
            ),
        )

    def _list_params(
        self, sort_values: tuple[str, ...], default_sort: str
    ) -> list[ParameterDesign]:
        return [
            *self._page_params(described=True),
            ParameterDesign(
                name="sort",
                location="query",
                type="enum",
                required=False,
                default=default_sort,
                constraints=("one of " + ", ".join(sort_values),),
                description="Sort key; `-` for descending.",
            ),
        ]

    def _search_param(self, description: str) -> ParameterDesign:
        return ParameterDesign(
            name="q",
            location="query",
            type="string",
            required=False,
            constraints=("length 1-100",),
            description=description,
        )

    def _pagination(self, default_sort: str) -> str:
        api = self.spec.api
        return (
            f"cursor (keyset): `limit` 1-{api.max_page_size} (default {api.default_page_size}); "
            f"pass `meta.next_cursor` back as `cursor`; default order `{default_sort}`"
        )

    def _path_param(self, name: str, what: str) -> ParameterDesign:
        return ParameterDesign(
            name=name, location="path", type=self.id_type, required=True, description=what
        )

    # -------------------------------------------------------- health

    def _health(self) -> None:
        self._schema(
            SchemaDesign(
                name="HealthStatus",
                description="Whether the process (or its database) answers.",
                fields=(FieldDesign(name="status", type="string", required=True),),
            )
        )
        self._endpoint(
            "health",
            "health",
            {},
            ExampleRequest(method="GET", path="/health"),
            ExampleResponse(status=200, body={"status": "ok"}),
        )
        unavailable = ErrorDesign(
            status=503,
            code=None,
            when='the database does not answer in time: `{"status": "unavailable"}`',
            body="HealthStatus",
        )
        self._endpoint(
            "health",
            "ready",
            {503: unavailable},
            ExampleRequest(method="GET", path="/ready"),
            ExampleResponse(status=200, body={"status": "ready"}),
        )

    # -------------------------------------------------------- built-in auth

    def _access_for(self, resource: Resource, action: Action) -> str:
        rule = resource.access.for_action(action)
        return ", ".join(rule) if rule else "nobody"

    def _forbidden(self, resource: Resource, action: Action) -> str:
        rule = resource.access.for_action(action)
        if not rule:
            return f"nobody may {action} {words(resource.plural)}"
        who = {"owner": "the owner", "authenticated": "signed in", "public": "anyone"}
        return f"the caller is not {' or '.join(who.get(p, p) for p in rule)}"

    def _has_unique(self, resource: Resource) -> bool:
        return bool(resource.unique) or any(f.unique for f in resource.fields)
