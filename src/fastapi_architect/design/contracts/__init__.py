"""API contracts from a resolved spec: every endpoint a generated backend serves, with its
auth, access rule, schemas, statuses, error codes, parameters and one example exchange.

The endpoints themselves (method, path, summary, statuses, schema names) come from the
endpoint table, `spec.routes`; the contracts add what a reader needs besides: when each
error happens, the fields of each schema, parameters and examples."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi_architect.design.contracts.accounts import AccountContracts
from fastapi_architect.design.contracts.ai import AiContracts
from fastapi_architect.design.contracts.fields import (
    example_id,
    example_value,
    field_constraints,
    ids_field,
)
from fastapi_architect.design.contracts.resources import ResourceContracts
from fastapi_architect.design.model import EndpointDesign, SchemaDesign
from fastapi_architect.spec.model import ResolvedSpec
from fastapi_architect.spec.routes import api_resources


@dataclass(frozen=True)
class Contracts:
    endpoints: tuple[EndpointDesign, ...]
    schemas: tuple[SchemaDesign, ...]


def contracts(spec: ResolvedSpec) -> Contracts:
    """Every endpoint and every schema they use, in a stable order."""
    return _Builder(spec).build()


class _Builder(AccountContracts, ResourceContracts, AiContracts):
    def build(self) -> Contracts:
        self._common_schemas()
        self._health()
        if self.spec.auth.mode == "builtin":
            self._auth()
        if self.spec.auth.enabled:
            self._users()
        if any(r.audit for r in self.spec.resources) and self.spec.auth.enabled:
            self._audit()
        for resource in api_resources(self.spec):
            self._resource(resource)
        if self.spec.ai is not None:
            self._ai()
        return Contracts(endpoints=tuple(self.endpoints), schemas=tuple(self.schemas.values()))


__all__ = [
    "Contracts",
    "contracts",
    "example_id",
    "example_value",
    "field_constraints",
    "ids_field",
]
