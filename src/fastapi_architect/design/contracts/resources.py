"""Contracts of a resource's endpoints: its schemas, list parameters and examples."""

from __future__ import annotations

from pydantic import JsonValue

from fastapi_architect.design.contracts.base import AUTH_LABELS, ContractsBase
from fastapi_architect.design.contracts.fields import (
    create_field,
    default_sort,
    example_id,
    example_value,
    ids_field,
    last_page,
    public_field,
    type_name,
    update_field,
)
from fastapi_architect.design.model import (
    ErrorDesign,
    ExampleRequest,
    ExampleResponse,
    FieldDesign,
    ParameterDesign,
    SchemaDesign,
)
from fastapi_architect.spec.model import ResolvedFilter, ResolvedRelation, Resource
from fastapi_architect.spec.routes import (
    MAX_RELATED_IDS,
    RESOURCE_OPERATIONS,
    restricting,
    with_article,
    words,
)
from fastapi_architect.spec.types import EXAMPLE_TIME, FIELD_TYPES


class ResourceContracts(ContractsBase):
    def _resource_schemas(self, resource: Resource) -> None:
        declared = [f for f in resource.fields if not f.implicit]
        writable = [f for f in declared if not f.read_only]
        many_to_one = [r for r in resource.relations if r.kind == "many_to_one"]
        many_to_many = [r for r in resource.relations if r.kind == "many_to_many"]

        def link(relation: ResolvedRelation) -> tuple[str, ...]:
            target = self.spec.resource(relation.target)
            rule = f"an existing {relation.target} the caller may read"
            if relation.same_owner:
                rule += ", of the same owner"
            if target.soft_delete:
                rule += ", not deleted"
            return (rule,)

        create_fields = [create_field(f) for f in writable]
        update_fields = [update_field(f) for f in writable]
        public_fields = [self._id("id")]
        if resource.owned:
            public_fields.append(self._id("owner_id"))
        public_fields += [public_field(f) for f in declared if not f.sensitive]
        for relation in many_to_one:
            assert relation.column is not None
            create_fields.append(
                FieldDesign(
                    name=relation.column,
                    type=self.id_type,
                    required=relation.required,
                    nullable=not relation.required,
                    default=None if relation.required else "null",
                    constraints=link(relation),
                    description=relation.description,
                )
            )
            update_fields.append(
                FieldDesign(
                    name=relation.column,
                    type=self.id_type,
                    required=False,
                    nullable=True,
                    constraints=link(relation) + (("not null",) if relation.required else ()),
                    description=relation.description,
                )
            )
            public_fields.append(self._id(relation.column, nullable=not relation.required))
        for relation in many_to_many:
            many = f"at most {MAX_RELATED_IDS} ids"
            create_fields.append(
                FieldDesign(
                    name=ids_field(relation),
                    type=f"list of {self.id_type}",
                    required=False,
                    default="[]",
                    constraints=(many, *link(relation)),
                    description=relation.description,
                )
            )
            update_fields.append(
                FieldDesign(
                    name=ids_field(relation),
                    type=f"list of {self.id_type}",
                    required=False,
                    nullable=True,
                    constraints=(many, *link(relation), "replaces the whole set"),
                    description=relation.description,
                )
            )
            public_fields.append(
                FieldDesign(name=ids_field(relation), type=f"list of {self.id_type}", required=True)
            )
        public_fields += [self._time("created_at"), self._time("updated_at")]
        if resource.soft_delete:
            public_fields.append(self._time("deleted_at", nullable=True))
        self._schema(
            SchemaDesign(
                name=f"{resource.name}Create",
                description=f"A new {words(resource.singular)}; unknown fields are refused.",
                fields=tuple(create_fields),
            )
        )
        self._schema(
            SchemaDesign(
                name=f"{resource.name}Update",
                description="Partial update: only the fields sent change.",
                fields=tuple(update_fields),
            )
        )
        self._schema(
            SchemaDesign(
                name=f"{resource.name}Public",
                description=with_article(words(resource.singular)).capitalize()
                + " as clients see it"
                + (
                    " (sensitive fields are never returned)."
                    if any(f.sensitive for f in declared)
                    else "."
                ),
                fields=tuple(public_fields),
            )
        )

    def _resource_params(self, resource: Resource) -> list[ParameterDesign]:
        sort_values: list[str] = []
        for key in resource.sort:
            sort_values += [key.name, f"-{key.name}"]
        params = self._list_params(tuple(sort_values), default_sort(resource))
        if resource.search:
            params.append(
                self._search_param("Case-insensitive search of " + ", ".join(resource.search) + ".")
            )
        for item in resource.filters:
            params += self._filter_params(resource, item)
        return params

    def _filter_params(self, resource: Resource, item: ResolvedFilter) -> list[ParameterDesign]:
        if item.kind in {"exact", "range"}:
            source = resource.field(item.name)
            kind = type_name(source)
            values = FIELD_TYPES[source.type].values_text(source)
            out = [
                ParameterDesign(
                    name=item.params[0],
                    location="query",
                    type=kind,
                    required=False,
                    constraints=values,
                    description=f"Rows whose {words(item.name)} equals this.",
                )
            ]
            if item.kind == "range":
                out += [
                    ParameterDesign(
                        name=item.params[1],
                        location="query",
                        type=kind,
                        required=False,
                        description=f"At least this {words(item.name)}.",
                    ),
                    ParameterDesign(
                        name=item.params[2],
                        location="query",
                        type=kind,
                        required=False,
                        description=f"At most this {words(item.name)}.",
                    ),
                ]
            return out
        relation = resource.relation(item.name)
        what = "linked to" if item.kind == "many" else "pointing at"
        return [
            ParameterDesign(
                name=item.params[0],
                location="query",
                type=self.id_type,
                required=False,
                description=f"Rows {what} this {relation.target}.",
            )
        ]

    def _example_public(self, resource: Resource) -> dict[str, JsonValue]:
        body: dict[str, JsonValue] = {"id": example_id(self.spec, 1)}
        if resource.owned:
            body["owner_id"] = example_id(self.spec, 9)
        for item in resource.fields:
            if item.implicit or item.sensitive:
                continue
            body[item.name] = example_value(item)
        body |= self._example_links(resource)
        body |= {"created_at": EXAMPLE_TIME, "updated_at": EXAMPLE_TIME}
        if resource.soft_delete:
            body["deleted_at"] = None
        return body

    def _example_create(self, resource: Resource) -> dict[str, JsonValue]:
        body: dict[str, JsonValue] = {}
        for item in resource.fields:
            if item.implicit or item.read_only:
                continue
            body[item.name] = example_value(item)
        body |= self._example_links(resource)
        return body

    def _example_links(self, resource: Resource) -> dict[str, JsonValue]:
        """The related ids of an example row."""
        body: dict[str, JsonValue] = {}
        for relation in resource.relations:
            if relation.kind == "many_to_one" and relation.column:
                body[relation.column] = example_id(self.spec, 2)
            elif relation.kind == "many_to_many":
                body[ids_field(relation)] = [example_id(self.spec, 3)]
        return body

    def _example_update(self, resource: Resource) -> dict[str, JsonValue]:
        create = self._example_create(resource)
        first = next(iter(create.items()), None)
        return dict([first]) if first else {}

    def _resource(self, resource: Resource) -> None:
        self._resource_schemas(resource)
        group = resource.plural
        path = f"{self.prefix}{resource.path}"
        the = words(resource.singular)
        row_id = example_id(self.spec, 1)
        params = tuple(self._resource_params(resource))
        path_param = (self._path_param(f"{resource.singular}_id", f"The {the}."),)
        example_one = {"data": self._example_public(resource)}
        example_page = last_page([self._example_public(resource)], self.spec.api.default_page_size)
        hidden = " or it belongs to another user" if resource.owner_scoped else ""
        links = bool(resource.relations and any(r.declared for r in resource.relations))
        invalid = "the body breaks a constraint; `details` locate each field" + (
            " (including a related id the caller may not use)" if links else ""
        )
        unique_taken = (
            "a unique value is already taken"
            if self._has_unique(resource)
            else ("the change conflicts with existing rows")
        )
        delete_conflict = (
            f"{', '.join(restricting(self.spec, resource))} rows still point at it (RESTRICT)"
        )

        def when(operation: str, *codes: tuple[int, str]) -> dict[int, str | ErrorDesign]:
            actions = RESOURCE_OPERATIONS[operation][0]
            refused = next(
                (a for a in actions if "public" not in resource.access.for_action(a)), None
            )
            return {
                401: "no valid access token"
                if refused
                else "the token sent is not valid (none is needed)",
                403: self._forbidden(resource, refused or actions[0]),
                429: self._rate_limited().when,
                **dict(codes),
            }

        def write_when(operation: str, conflict: str) -> dict[int, str | ErrorDesign]:
            return when(
                operation,
                (404, f"no such {the}{hidden}"),
                (409, conflict),
                (422, invalid if operation == "update" else "the id is not valid"),
            )

        def headers(operation: str) -> tuple[tuple[str, str], ...]:
            return self._bearer_headers(AUTH_LABELS[self.routes[group, operation].auth])

        pagination = self._pagination(default_sort(resource))
        self._endpoint(
            group,
            "list",
            when("list", (422, "a query parameter is not valid")),
            ExampleRequest(
                method="GET",
                path=f"{path}?limit={self.spec.api.default_page_size}",
                headers=headers("list"),
            ),
            ExampleResponse(status=200, body=example_page),
            parameters=params,
            pagination=pagination,
        )
        self._endpoint(
            group,
            "create",
            when("create", (409, unique_taken), (422, invalid)),
            ExampleRequest(
                method="POST",
                path=path,
                headers=headers("create"),
                body=self._example_create(resource),
            ),
            ExampleResponse(
                status=201, headers=(("Location", f"{path}/{row_id}"),), body=example_one
            ),
        )
        if resource.soft_delete:
            self._endpoint(
                group,
                "list_deleted",
                when("list_deleted", (422, "a query parameter is not valid")),
                ExampleRequest(method="GET", path=f"{path}/deleted", headers=headers("list")),
                ExampleResponse(
                    status=200,
                    body=last_page(
                        [{**self._example_public(resource), "deleted_at": EXAMPLE_TIME}],
                        self.spec.api.default_page_size,
                    ),
                ),
                access=self._access_for(resource, "read") + " (admin: every deleted row)",
                parameters=params,
                pagination=pagination,
            )
        self._endpoint(
            group,
            "get",
            when("get", (404, f"no such {the}{hidden}"), (422, "the id is not valid")),
            ExampleRequest(method="GET", path=f"{path}/{row_id}", headers=headers("get")),
            ExampleResponse(status=200, body=example_one),
            parameters=path_param,
        )
        self._endpoint(
            group,
            "update",
            write_when("update", unique_taken),
            ExampleRequest(
                method="PATCH",
                path=f"{path}/{row_id}",
                headers=headers("update"),
                body=self._example_update(resource),
            ),
            ExampleResponse(status=200, body=example_one),
            parameters=path_param,
        )
        self._endpoint(
            group,
            "delete",
            write_when("delete", delete_conflict),
            ExampleRequest(method="DELETE", path=f"{path}/{row_id}", headers=headers("delete")),
            ExampleResponse(status=204),
            parameters=path_param,
        )
        if resource.soft_delete:
            self._endpoint(
                group,
                "restore",
                write_when("restore", unique_taken),
                ExampleRequest(
                    method="POST", path=f"{path}/{row_id}/restore", headers=headers("restore")
                ),
                ExampleResponse(status=200, body=example_one),
                parameters=path_param,
            )
