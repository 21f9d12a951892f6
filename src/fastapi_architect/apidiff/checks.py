"""The catalogue of everything api-diff reports: one id per kind of change, with its level, a
one-line summary and, where oasdiff has the same check, oasdiff's id (the same string).

Each row below is `id  LEVEL  OASDIFF  summary`, where OASDIFF is `=` when oasdiff has a
check with this very id and `-` when the check is api-diff's own; a summary too long for its
line continues on the next, indented."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from fastapi_architect.apidiff.model import Level


@dataclass(frozen=True)
class Check:
    id: str
    level: Level
    summary: str
    # The oasdiff check id this one equals, or None when oasdiff has no such check.
    oasdiff: str | None

    def message(self, detail: str = "") -> str:
        """The sentence a change of this kind is reported with."""
        return f"{self.summary}: {detail}" if detail else self.summary


_TABLE = """
# paths and operations
api-path-removed-without-deprecation  ERR  =  path removed without being deprecated first
api-path-removed-with-deprecation  INFO  =  deprecated path removed
api-path-removed-before-sunset  ERR  =  path removed before its sunset date
api-path-sunset-parse  ERR  =  the sunset date of a removed path cannot be read
api-removed-without-deprecation  ERR  =  operation removed without being deprecated first
api-removed-with-deprecation  INFO  =  deprecated operation removed
api-removed-before-sunset  ERR  =  operation removed before its sunset date
endpoint-added  INFO  =  operation added
endpoint-deprecated  INFO  =  operation deprecated
endpoint-deprecated-with-sunset  INFO  =  operation deprecated with a sunset date
endpoint-reactivated  INFO  =  operation no longer deprecated
api-deprecated-sunset-parse  ERR  =  the sunset date of a deprecated operation cannot be read
api-sunset-date-too-small  ERR  =  operation deprecated with a sunset date in the past
sunset-deleted  ERR  =  sunset date removed from an operation that is still deprecated
api-sunset-date-changed-too-small  ERR  =  sunset date moved earlier, into the past
api-stability-decreased  ERR  =  operation stability level lowered (x-stability-level)
api-stability-increased  INFO  =  operation stability level raised (x-stability-level)
api-invalid-stability-level  ERR  =  x-stability-level is not draft, alpha, beta or stable
api-operation-id-removed  INFO  =  operationId removed or changed (generated clients rename)
api-operation-id-added  INFO  =  operationId added
api-tag-removed  INFO  =  tag removed from an operation
api-tag-added  INFO  =  tag added to an operation
webhook-added  INFO  =  webhook added
webhook-removed  ERR  =  webhook removed
api-schema-removed  INFO  =  component schema removed

# security
api-security-added  INFO  =  security requirement added to an operation
api-security-removed  INFO  =  security requirement removed from an operation
api-security-scope-added  INFO  =  scope added to an operation's security requirement
api-security-scope-removed  INFO  =  scope removed from an operation's security requirement
api-global-security-added  INFO  =  global security requirement added
api-global-security-removed  INFO  =  global security requirement removed
api-global-security-scope-added  INFO  =  scope added to a global security requirement
api-global-security-scope-removed  INFO  =  scope removed from a global security requirement
api-security-component-added  INFO  =  security scheme added to components
api-security-component-removed  INFO  =  security scheme removed from components
api-security-component-type-changed  INFO  =  security scheme type changed
api-security-component-oauth-url-changed  INFO  =  OAuth authorization URL changed
api-security-component-oauth-token-url-changed  INFO  =  OAuth token URL changed
api-security-component-oauth-scope-added  INFO  =  OAuth scope added to a security scheme
api-security-component-oauth-scope-removed  INFO  =  OAuth scope removed from a security scheme

# parameters
new-required-request-parameter  ERR  =  required request parameter added
new-optional-request-parameter  INFO  =  optional request parameter added
new-request-path-parameter  ERR  =  path parameter added
request-parameter-removed  WARN  =  request parameter removed (clients still sending it)
request-parameter-removed-with-deprecation  INFO  =  deprecated request parameter removed
request-parameter-removed-before-sunset  ERR  =  request parameter removed before its sunset date
request-parameter-sunset-parse  ERR  =  the sunset date of a removed parameter cannot be read
request-parameter-became-required  ERR  =  request parameter became required
request-parameter-became-optional  INFO  =  request parameter became optional
request-parameter-deprecated  INFO  =  request parameter deprecated
request-parameter-reactivated  INFO  =  request parameter no longer deprecated
request-parameter-type-changed  ERR  =  request parameter type/format changed
request-parameter-type-generalized  INFO  =  request parameter type/format generalized
request-parameter-list-of-types-widened  INFO  =  request parameter accepts more types
request-parameter-list-of-types-narrowed  ERR  =  request parameter accepts fewer types
request-parameter-became-nullable  INFO  =  request parameter became nullable
request-parameter-became-not-nullable  ERR  =  request parameter no longer accepts null
request-parameter-became-enum  ERR  =  request parameter restricted to an enum
request-parameter-enum-value-added  INFO  =  enum value added to a request parameter
request-parameter-enum-value-removed  ERR  =  enum value removed from a request parameter
request-parameter-x-extensible-enum-value-removed  ERR  =
  x-extensible-enum value removed from a request parameter
request-parameter-max-length-set  WARN  =  maxLength set on a request parameter
request-parameter-max-length-increased  INFO  =  request parameter maxLength increased
request-parameter-max-length-decreased  ERR  =  request parameter maxLength decreased
request-parameter-min-length-increased  ERR  =  request parameter minLength increased
request-parameter-min-length-decreased  INFO  =  request parameter minLength decreased
request-parameter-max-set  WARN  =  maximum set on a request parameter
request-parameter-max-increased  INFO  =  request parameter maximum increased
request-parameter-max-decreased  ERR  =  request parameter maximum decreased
request-parameter-exclusive-max-set  WARN  =  exclusiveMaximum set on a request parameter
request-parameter-exclusive-max-increased  INFO  =  request parameter exclusiveMaximum increased
request-parameter-exclusive-max-decreased  ERR  =  request parameter exclusiveMaximum decreased
request-parameter-min-set  WARN  =  minimum set on a request parameter
request-parameter-min-increased  ERR  =  request parameter minimum increased
request-parameter-min-decreased  INFO  =  request parameter minimum decreased
request-parameter-exclusive-min-set  WARN  =  exclusiveMinimum set on a request parameter
request-parameter-exclusive-min-increased  ERR  =  request parameter exclusiveMinimum increased
request-parameter-exclusive-min-decreased  INFO  =  request parameter exclusiveMinimum decreased
request-parameter-max-items-set  WARN  -  maxItems set on a request parameter
request-parameter-max-items-increased  INFO  =  request parameter maxItems increased
request-parameter-max-items-decreased  ERR  =  request parameter maxItems decreased
request-parameter-min-items-increased  ERR  =  request parameter minItems increased
request-parameter-min-items-decreased  INFO  =  request parameter minItems decreased
request-parameter-pattern-added  ERR  =  pattern added to a request parameter
request-parameter-pattern-removed  INFO  =  pattern removed from a request parameter
request-parameter-pattern-changed  WARN  =  request parameter pattern changed
request-parameter-pattern-generalized  INFO  =  request parameter pattern generalized to `.*`
request-parameter-default-value-added  ERR  =  default value added to a request parameter
request-parameter-default-value-removed  ERR  =  default value removed from a request parameter
request-parameter-default-value-changed  ERR  =  request parameter default value changed
request-parameter-style-changed  ERR  -  request parameter serialization style changed
request-parameter-explode-changed  ERR  -  request parameter `explode` changed
request-parameter-property-type-changed  WARN  =  request parameter property type changed
request-parameter-property-type-generalized  INFO  =  request parameter property type generalized
request-parameter-property-type-specialized  ERR  =  request parameter property type specialized
request-parameter-property-became-nullable  INFO  =  request parameter property became nullable
request-parameter-property-became-not-nullable  ERR  =
  request parameter property no longer accepts null
request-parameter-property-enum-value-added  INFO  =  enum value added to a parameter property
request-parameter-property-enum-value-removed  ERR  =
  enum value removed from a request parameter property
request-parameter-property-list-of-types-widened  INFO  =
  request parameter property accepts more types
request-parameter-property-list-of-types-narrowed  ERR  =
  request parameter property accepts fewer types

# request bodies
request-body-added-required  ERR  =  required request body added
request-body-added-optional  INFO  =  optional request body added
request-body-removed  ERR  =  request body removed
request-body-became-required  ERR  =  request body became required
request-body-became-optional  INFO  =  request body became optional
request-body-media-type-added  INFO  =  request body media type added
request-body-media-type-removed  ERR  =  request body media type removed
request-body-media-type-schema-added  ERR  =  schema added to a request body media type
request-body-media-type-schema-removed  INFO  =  schema removed from a request body media type
new-required-request-property  ERR  =  required request property added
new-required-request-property-with-default  ERR  =  required request property (with a default) added
new-optional-request-property  INFO  =  optional request property added
request-property-removed  WARN  =  request property removed (clients still sending it)
request-property-became-required  ERR  =  request property became required
request-property-became-required-with-default  ERR  =
  request property (with a default) became required
request-property-became-optional  INFO  =  request property became optional
request-property-deprecated  INFO  =  request property deprecated
request-property-reactivated  INFO  =  request property no longer deprecated
request-optional-property-became-read-only  INFO  =  optional request property became read-only
request-optional-property-became-not-read-only  INFO  =
  optional request property no longer read-only
request-optional-property-became-write-only  INFO  =  optional request property became write-only
request-optional-property-became-not-write-only  INFO  =
  optional request property no longer write-only
request-required-property-became-read-only  INFO  =  required request property became read-only
request-required-property-became-not-read-only  INFO  =
  required request property no longer read-only
request-required-property-became-write-only  INFO  =  required request property became write-only
request-required-property-became-not-write-only  INFO  =
  required request property no longer write-only
request-read-only-property-enum-value-removed  INFO  =
  enum value removed from a read-only request property
request-read-only-property-max-decreased  INFO  =  read-only request property maximum decreased
request-read-only-property-exclusive-max-decreased  INFO  =
  read-only request property exclusiveMaximum decreased
request-read-only-property-min-increased  INFO  =  read-only request property minimum increased
request-read-only-property-exclusive-min-increased  INFO  =
  read-only request property exclusiveMinimum increased
request-read-only-property-max-length-decreased  INFO  =
  read-only request property maxLength decreased
request-body-additional-properties-removed  ERR  -
  request body no longer accepts additional properties
request-property-additional-properties-removed  ERR  -
  request property no longer accepts additional properties
"""

# The schema checks come in mirrored pairs: the request body's schema itself ("body") and
# anything inside it ("property"); the same for responses. `{part}` is body or property;
# OASDIFF `~` says oasdiff has the property check only, `p` that only it exists.
_SCHEMA_TABLE = """
request-{part}-type-changed  ERR  =  request {part} type/format changed
request-{part}-type-generalized  INFO  =  request {part} type/format generalized
request-{part}-type-compatible  INFO  =
  request {part} type changed (compatible for this media type)
request-{part}-list-of-types-widened  INFO  =  request {part} accepts more types
request-{part}-list-of-types-narrowed  ERR  =  request {part} accepts fewer types
request-{part}-became-nullable  INFO  =  request {part} became nullable
request-{part}-became-not-nullable  ERR  =  request {part} no longer accepts null
request-{part}-became-enum  ERR  =  request {part} restricted to an enum
request-{part}-enum-value-removed  ERR  =  enum value removed from a request {part}
request-{part}-enum-value-added  INFO  p  enum value added to a request {part}
request-{part}-max-set  WARN  =  maximum set on a request {part}
request-{part}-max-increased  INFO  =  request {part} maximum increased
request-{part}-max-decreased  ERR  =  request {part} maximum decreased
request-{part}-exclusive-max-set  WARN  =  exclusiveMaximum set on a request {part}
request-{part}-exclusive-max-increased  INFO  =  request {part} exclusiveMaximum increased
request-{part}-exclusive-max-decreased  ERR  =  request {part} exclusiveMaximum decreased
request-{part}-min-set  WARN  =  minimum set on a request {part}
request-{part}-min-increased  ERR  =  request {part} minimum increased
request-{part}-min-decreased  INFO  =  request {part} minimum decreased
request-{part}-exclusive-min-set  WARN  =  exclusiveMinimum set on a request {part}
request-{part}-exclusive-min-increased  ERR  =  request {part} exclusiveMinimum increased
request-{part}-exclusive-min-decreased  INFO  =  request {part} exclusiveMinimum decreased
request-{part}-max-length-set  WARN  =  maxLength set on a request {part}
request-{part}-max-length-increased  INFO  =  request {part} maxLength increased
request-{part}-max-length-decreased  ERR  =  request {part} maxLength decreased
request-{part}-min-length-increased  ERR  =  request {part} minLength increased
request-{part}-min-length-decreased  INFO  =  request {part} minLength decreased
request-{part}-min-items-increased  ERR  =  request {part} minItems increased
request-{part}-max-items-set  WARN  -  maxItems set on a request {part}
request-{part}-max-items-decreased  ERR  -  request {part} maxItems decreased
request-{part}-unique-items-set  ERR  -  request {part} items must now be unique
request-{part}-pattern-added  ERR  ~  pattern added to a request {part}
request-{part}-pattern-removed  INFO  ~  pattern removed from a request {part}
request-{part}-pattern-changed  WARN  ~  request {part} pattern changed
request-{part}-pattern-generalized  INFO  ~  request {part} pattern generalized to `.*`
request-{part}-default-value-added  INFO  =  default value added to a request {part}
request-{part}-default-value-removed  INFO  =  default value removed from a request {part}
request-{part}-default-value-changed  INFO  =  request {part} default value changed
request-{part}-const-added  ERR  =  const added to a request {part}
request-{part}-const-removed  INFO  =  const removed from a request {part}
request-{part}-const-changed  ERR  =  request {part} const changed
request-{part}-one-of-added  INFO  =  oneOf alternative added to a request {part}
request-{part}-one-of-removed  ERR  =  oneOf alternative removed from a request {part}
request-{part}-any-of-added  INFO  =  anyOf alternative added to a request {part}
request-{part}-any-of-removed  ERR  =  anyOf alternative removed from a request {part}
request-{part}-all-of-added  ERR  =  allOf member added to a request {part}
request-{part}-all-of-removed  WARN  =  allOf member removed from a request {part}
request-{part}-all-of-added-annotation-only  INFO  =
  allOf member holding only annotations added to a request {part}
request-{part}-all-of-removed-annotation-only  INFO  =
  allOf member holding only annotations removed from a request {part}
request-{part}-discriminator-added  INFO  =  discriminator added to a request {part}
request-{part}-discriminator-removed  INFO  =  discriminator removed from a request {part}
request-{part}-discriminator-property-name-changed  INFO  =
  request {part} discriminator property changed
request-{part}-discriminator-mapping-added  INFO  =  request {part} discriminator mapping added
request-{part}-discriminator-mapping-deleted  INFO  =  request {part} discriminator mapping removed
request-{part}-discriminator-mapping-changed  INFO  =  request {part} discriminator mapping changed
response-{part}-type-changed  ERR  =  response {part} type/format changed
response-{part}-type-generalized  ERR  =  response {part} type/format generalized
response-{part}-type-specialized  INFO  =  response {part} type/format specialized
response-{part}-type-compatible  INFO  =
  response {part} type changed (compatible for this media type)
response-{part}-list-of-types-widened  ERR  =  response {part} may return more types
response-{part}-list-of-types-narrowed  INFO  =  response {part} returns fewer types
response-{part}-became-nullable  ERR  =  response {part} became nullable (clients may get null)
response-{part}-became-not-nullable  INFO  =  response {part} no longer nullable
response-{part}-enum-value-added  WARN  ~  enum value added to a response {part}
response-{part}-max-increased  ERR  =  response {part} maximum increased
response-{part}-exclusive-max-increased  ERR  =  response {part} exclusiveMaximum increased
response-{part}-min-decreased  ERR  =  response {part} minimum decreased
response-{part}-exclusive-min-decreased  ERR  =  response {part} exclusiveMinimum decreased
response-{part}-max-length-increased  ERR  =  response {part} maxLength increased
response-{part}-max-length-unset  ERR  =  maxLength removed from a response {part}
response-{part}-min-length-decreased  ERR  =  response {part} minLength decreased
response-{part}-min-items-decreased  ERR  =  response {part} minItems decreased
response-{part}-default-value-added  INFO  =  default value added to a response {part}
response-{part}-default-value-removed  INFO  =  default value removed from a response {part}
response-{part}-default-value-changed  INFO  =  response {part} default value changed
response-{part}-const-added  INFO  =  const added to a response {part}
response-{part}-const-removed  ERR  =  const removed from a response {part}
response-{part}-const-changed  ERR  =  response {part} const changed
response-{part}-one-of-added  ERR  =  oneOf alternative added to a response {part}
response-{part}-one-of-removed  INFO  =  oneOf alternative removed from a response {part}
response-{part}-any-of-added  INFO  =  anyOf alternative added to a response {part}
response-{part}-any-of-removed  INFO  =  anyOf alternative removed from a response {part}
response-{part}-all-of-added  INFO  =  allOf member added to a response {part}
response-{part}-all-of-removed  INFO  =  allOf member removed from a response {part}
response-{part}-all-of-added-annotation-only  INFO  =
  allOf member holding only annotations added to a response {part}
response-{part}-all-of-removed-annotation-only  INFO  =
  allOf member holding only annotations removed from a response {part}
response-{part}-discriminator-added  INFO  =  discriminator added to a response {part}
response-{part}-discriminator-removed  INFO  =  discriminator removed from a response {part}
response-{part}-discriminator-property-name-changed  INFO  =
  response {part} discriminator property changed
response-{part}-discriminator-mapping-added  INFO  =  response {part} discriminator mapping added
response-{part}-discriminator-mapping-deleted  INFO  =
  response {part} discriminator mapping removed
response-{part}-discriminator-mapping-changed  INFO  =
  response {part} discriminator mapping changed
"""

_RESPONSE_TABLE = """
# responses
response-success-status-removed  ERR  =  success response status removed
response-success-status-added  INFO  =  success response status added
response-non-success-status-removed  INFO  =  non-success response status removed
response-non-success-status-added  INFO  =  non-success response status added
response-media-type-removed  ERR  =  response media type removed
response-media-type-added  INFO  =  response media type added
response-media-type-name-changed  INFO  =  response media type parameters changed
response-body-media-type-schema-added  INFO  =  schema added to a response media type
response-body-media-type-schema-removed  WARN  =  schema removed from a response media type
response-mediatype-enum-value-removed  INFO  =  enum value removed from a response body
response-property-enum-value-removed  INFO  =  enum value removed from a response property
response-write-only-property-enum-value-added  INFO  =
  enum value added to a write-only response property
response-required-property-removed  ERR  =  required response property removed
response-optional-property-removed  WARN  =  optional response property removed
response-required-write-only-property-removed  INFO  =
  required write-only response property removed
response-optional-write-only-property-removed  INFO  =
  optional write-only response property removed
response-required-property-added  INFO  =  required response property added
response-optional-property-added  INFO  =  optional response property added
response-required-write-only-property-added  INFO  =  required write-only response property added
response-optional-write-only-property-added  INFO  =  optional write-only response property added
response-property-became-optional  ERR  =  response property became optional (may be missing)
response-write-only-property-became-optional  INFO  =  write-only response property became optional
response-property-became-required  INFO  =  response property became required
response-write-only-property-became-required  INFO  =  write-only response property became required
response-property-pattern-added  INFO  =  pattern added to a response property
response-property-pattern-changed  INFO  =  response property pattern changed
response-property-pattern-removed  INFO  =  pattern removed from a response property
response-property-deprecated  INFO  =  response property deprecated
response-property-reactivated  INFO  =  response property no longer deprecated
response-optional-property-became-read-only  INFO  =  optional response property became read-only
response-optional-property-became-not-read-only  INFO  =
  optional response property no longer read-only
response-optional-property-became-write-only  INFO  =  optional response property became write-only
response-optional-property-became-not-write-only  INFO  =
  optional response property no longer write-only
response-required-property-became-read-only  INFO  =  required response property became read-only
response-required-property-became-not-read-only  INFO  =
  required response property no longer read-only
response-required-property-became-write-only  INFO  =
  required response property became write-only (no longer returned)
response-required-property-became-not-write-only  WARN  =
  required response property no longer write-only
response-header-added  INFO  =  response header added
required-response-header-removed  ERR  =  required response header removed
optional-response-header-removed  WARN  =  optional response header removed
response-header-became-optional  ERR  =  response header became optional
response-header-type-changed  ERR  =  response header type changed
response-header-became-nullable  ERR  =  response header became nullable
"""


def _rows(table: str) -> list[tuple[str, Level, str, str]]:
    rows: list[tuple[str, Level, str, str]] = []
    for line in table.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith(" "):
            name, level, marker, summary = rows[-1]
            rows[-1] = (name, level, marker, f"{summary} {line.strip()}".strip())
            continue
        name, level_name, marker, *words = line.split("  ")
        rows.append((name, Level[level_name], marker, " ".join(words).strip()))
    return rows


def _catalogue() -> dict[str, Check]:
    rows = _rows(_TABLE)
    for name, level, marker, summary in _rows(_SCHEMA_TABLE):
        for part in ("body", "property"):
            # `~`: oasdiff has the check for properties but not for the body itself, which is
            # api-diff's own; `p`: the check exists for properties only.
            if marker == "p" and part == "body":
                continue
            same = marker == "=" or (marker in "~p" and part == "property")
            rows.append(
                (name.format(part=part), level, "=" if same else "-", summary.format(part=part))
            )
    rows += _rows(_RESPONSE_TABLE)
    checks: dict[str, Check] = {}
    for name, level, marker, summary in rows:
        if name in checks:
            raise ValueError(f"duplicate check id {name}")
        checks[name] = Check(name, level, summary, name if marker == "=" else None)
    return checks


CHECKS = MappingProxyType(_catalogue())


def markdown_table() -> str:
    """The catalogue as a Markdown table (id, level, summary, the oasdiff id it equals)."""
    lines = ["| Id | Level | Summary | oasdiff |", "| --- | --- | --- | --- |"]
    for check in sorted(CHECKS.values(), key=lambda c: c.id):
        oasdiff = f"`{check.oasdiff}`" if check.oasdiff else "—"
        summary = check.summary.replace("|", "\\|")
        lines.append(f"| `{check.id}` | {check.level.name} | {summary} | {oasdiff} |")
    return "\n".join(lines) + "\n"
