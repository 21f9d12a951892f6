"""Resolving fields: the implicit columns, and each declared field's constraints and
default, as its type's entry in the registry (`spec.types`) allows."""

from __future__ import annotations

import datetime as dt
import re

from fastapi_architect.spec.columns import COLUMN_TYPES
from fastapi_architect.spec.document import AuthMode, FieldSpec
from fastapi_architect.spec.model import Auth, DefaultFactory, ResolvedField, Scalar
from fastapi_architect.spec.names import MAX_ENUM_NAMES, enum_class_name
from fastapi_architect.spec.numbers import format_number
from fastapi_architect.spec.patterns import pattern_problem
from fastapi_architect.spec.resolve_base import Draft, ResolverBase
from fastapi_architect.spec.source import DocPath
from fastapi_architect.spec.types import FIELD_TYPES, FieldType, types_with
from fastapi_architect.spec.values import (
    LIMITS,
    Default,
    Limits,
    NoSampleError,
    Rejection,
    checked_sample,
    member_name,
)

ENUM_VALUE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


class FieldResolver(ResolverBase):
    """The fields of each resource: implicit columns first, then the declared ones."""

    def fields(self, draft: Draft, auth: Auth) -> None:
        id_type: FieldType = "uuid" if self.doc.api.ids == "uuid" else "integer"
        draft.fields.append(_implicit("id", id_type, "Primary key."))
        if draft.spec.owned:
            if not auth.enabled:
                self.error(
                    (*draft.path, "owned"),
                    "needs-auth",
                    f"{draft.name} is owned, but auth.mode is 'none': there is no user to own rows",
                    "turn auth on, or remove owned",
                    key=True,
                )
            draft.fields.append(_implicit("owner_id", id_type, "The user who owns the row."))
        if draft.builtin:
            draft.fields.extend(_builtin_user_fields(auth.mode, auth.roles, auth.default_role))
        builtin_names = draft.field_names()
        kept = _kept_user_names(auth) if draft.builtin else {}
        for name, spec in draft.spec.fields.items():
            path = (*draft.path, "fields", name)
            if not self.check_member_name(draft, path, name, f"a field of {draft.name}"):
                continue
            if name in builtin_names or name in kept:
                self.error(
                    path,
                    "name-clash",
                    f"field User.{name} is built in already"
                    if name in builtin_names
                    else f"field User.{name} {kept[name]}",
                    "remove it, or choose another name",
                    key=True,
                )
                continue
            resolved = self.field(draft, name, spec, path)
            if resolved is None:
                continue
            if draft.builtin and auth.mode == "jwks" and not resolved.optional_on_create:
                self.error(
                    path,
                    "jwks-user-field",
                    f"User.{name} is required and has no default, but with auth.mode 'jwks' "
                    "users are created from their tokens on first sight, which cannot fill it",
                    "give it a default, or set required: false",
                    key=True,
                )
                continue
            draft.fields.append(resolved)
        draft.fields.append(_implicit("created_at", "datetime", "When the row was created."))
        draft.fields.append(_implicit("updated_at", "datetime", "When the row last changed."))
        if draft.spec.soft_delete:
            draft.fields.append(
                _implicit("deleted_at", "datetime", "When the row was deleted.", required=False)
            )

    def field(
        self, draft: Draft, name: str, spec: FieldSpec, path: DocPath
    ) -> ResolvedField | None:
        subject = f"{draft.name}.{name}"
        given = spec.model_fields_set
        before = len(self.problems)
        kind = FIELD_TYPES[spec.type]
        # Constraints that only make sense for some types.
        for key in LIMITS:
            if key in given and getattr(spec, key) is not None and key not in kind.limits:
                self.error(
                    (*path, key),
                    "not-applicable",
                    f"{key} does not apply to {spec.type} field {subject}",
                    f"{key} applies to {', '.join(types_with(key))} fields; remove it",
                    key=True,
                )
        max_length = spec.max_length
        if max_length is None and kind.max_length is not None:
            max_length = kind.max_length
            if kind.asks_max_length:
                self.question(path, subject, f"{spec.type} without max_length: {max_length} taken")
        pattern = spec.pattern if spec.pattern is not None else kind.pattern
        if spec.min_length is not None and max_length is not None and spec.min_length > max_length:
            self.error(
                (*path, "min_length"),
                "bad-constraint",
                f"{subject}: min_length {spec.min_length} is larger than max_length {max_length}",
            )
        if spec.min is not None and spec.max is not None and spec.min > spec.max:
            self.error(
                (*path, "min"),
                "bad-constraint",
                f"{subject}: min {format_number(spec.min)} is larger than "
                f"max {format_number(spec.max)}",
            )
        # Generated schemas check the pattern with pydantic (Rust's regex crate); Python's
        # message, when `re` refuses it too, is the one users know.
        refused = None if spec.pattern is None else pattern_problem(spec.pattern)
        if spec.pattern is not None and refused is not None:
            try:
                re.compile(spec.pattern)
            except re.error as exc:
                refused = f"is not a valid regular expression: {exc}"
            else:
                refused = f"is not supported by pydantic's regex engine: {refused}"
            self.error((*path, "pattern"), "bad-pattern", f"{subject}: pattern {refused}")
        values: tuple[str, ...] = ()
        if kind.choices:
            values = self.enum_values(spec, path, subject)
            enum_class = enum_class_name(draft.name, name)
            if len(name) + len(enum_class) > MAX_ENUM_NAMES:
                self.error(
                    path,
                    "bad-name",
                    f"{subject}: the field's name and its values' class {enum_class} are too "
                    f"long together for a line of generated code ({len(name) + len(enum_class)} "
                    f"characters; at most {MAX_ENUM_NAMES})",
                    "a shorter field name",
                    key=True,
                )
        precision = scale = None
        if kind.default_digits is not None:
            precision = spec.precision if spec.precision is not None else kind.default_digits[0]
            scale = spec.scale if spec.scale is not None else kind.default_digits[1]
            if "precision" not in given or "scale" not in given:
                sql = COLUMN_TYPES[kind.column].postgresql.format(precision=precision, scale=scale)
                self.question(path, subject, f"{spec.type} precision/scale not set: {sql}")
            if scale > precision:
                self.error(
                    (*path, "scale"),
                    "bad-constraint",
                    f"{subject}: scale {scale} is larger than precision {precision}",
                )
        if spec.sensitive and spec.read_only:
            self.error(
                (*path, "read_only"),
                "conflict",
                f"{subject} cannot be both sensitive (write-only) and read_only (never written)",
                "keep one of them",
                key=True,
            )
        if not kind.indexable and (spec.unique or spec.index):
            self.error(
                (*path, "unique" if spec.unique else "index"),
                "not-applicable",
                f"{spec.type} field {subject} cannot be unique or indexed",
                key=True,
            )
        if spec.sensitive and (spec.unique or spec.index):
            self.error(
                (*path, "unique" if spec.unique else "index"),
                "not-applicable",
                f"sensitive field {subject} should not be indexed (the index would expose it to "
                "lookups)",
                "remove unique/index, or store a hash in another field",
                key=True,
            )
        default: Scalar | None = None
        factory: DefaultFactory | None = None
        has_default = "default" in given and spec.default is not None
        if "default" in given and spec.default is None and spec.required:
            self.error(
                (*path, "default"),
                "bad-default",
                f"{subject}: default is null but the field is required",
                "set required: false, or give a value",
            )
        if has_default and len(self.problems) == before:
            read = kind.read_default(
                spec.default,
                Limits(spec.min_length, max_length, pattern, spec.min, spec.max, values),
            )
            if isinstance(read, Default):
                default, factory = read.value, read.factory
            else:
                self.error(
                    (*path, "default"),
                    "bad-default",
                    f"{subject}: default {spec.default!r} {read.message}",
                    read.hint,
                )
        backfill: Scalar | None = None
        if spec.backfill is not None and len(self.problems) == before:
            read = kind.read_default(
                spec.backfill,
                Limits(spec.min_length, max_length, pattern, spec.min, spec.max, values),
            )
            if isinstance(read, Default) and read.factory is None:
                backfill = read.value
            else:
                message = (
                    read.message if isinstance(read, Rejection) else "is computed, not a value"
                )
                self.error(
                    (*path, "backfill"),
                    "bad-default",
                    f"{subject}: backfill {spec.backfill!r} {message}",
                    read.hint if isinstance(read, Rejection) else "give the value itself",
                )
        if spec.unique and default is not None and factory is None:
            # Every row created without a value gets the default: only the first is stored.
            without = (
                "every row gets it (clients cannot set a read_only field)"
                if spec.read_only
                else "every account made without a value gets it"
                if draft.builtin
                else f"every {draft.name} created without a value gets it"
            )
            self.error(
                (*path, "default"),
                "unique-default",
                f"{subject} is unique, so its default {spec.default!r} can be stored once: "
                f"{without}, and the second is refused (409)",
                "drop the default, or drop unique",
            )
        if spec.read_only and spec.required and not has_default:
            self.error(
                (*path, "read_only"),
                "bad-default",
                f"read_only field {subject} is required but has no default, so no row could "
                "ever be created",
                "give it a default, or set required: false",
                key=True,
            )
        example = self.example(spec, path, subject)
        if len(self.problems) != before:
            return None
        resolved = ResolvedField(
            name=name,
            type=spec.type,
            description=spec.description,
            required=spec.required,
            optional_on_create=not spec.required or has_default or spec.read_only,
            default=default,
            default_factory=factory,
            unique=spec.unique,
            index=spec.index,
            min_length=spec.min_length,
            max_length=max_length,
            pattern=pattern,
            min=None if spec.min is None else kind.bound(spec.min),
            max=None if spec.max is None else kind.bound(spec.max),
            values=values,
            precision=precision,
            scale=scale,
            sensitive=spec.sensitive,
            read_only=spec.read_only,
            example=example,
            renamed_from=spec.renamed_from,
            backfill=backfill,
        )
        # The values generated tests send: what `new` cannot make is a problem here.
        try:
            checked_sample(resolved)
        except NoSampleError as exc:
            limit = exc.limit if exc.limit is not None and exc.limit in given else None
            self.error(
                path if limit is None else (*path, limit),
                exc.code,
                f"{subject}: {exc.reason}",
                key=limit is None,
            )
            return None
        return resolved

    def enum_values(self, spec: FieldSpec, path: DocPath, subject: str) -> tuple[str, ...]:
        if not spec.values:
            self.error(
                path,
                "missing-key",
                f"enum field {subject} needs its values",
                "add values: [first, second]",
            )
            return ()
        seen: list[str] = []
        for index, value in enumerate(spec.values):
            if not ENUM_VALUE.match(value) or len(value) > 50:
                self.error(
                    (*path, "values", index),
                    "bad-value",
                    f"enum value {value!r} of {subject} must start with a letter and use letters, "
                    "digits, '_' or '-' (at most 50)",
                )
            elif value in seen:
                self.error(
                    (*path, "values", index),
                    "duplicate",
                    f"enum value {value!r} of {subject} is listed twice",
                )
            elif clash := next((v for v in seen if member_name(v) == member_name(value)), None):
                # Generated code names each value; two values with one name cannot coexist.
                self.error(
                    (*path, "values", index),
                    "duplicate",
                    f"enum values {clash!r} and {value!r} of {subject} differ only in case or "
                    f"separators (both are {member_name(value)} in code)",
                    "keep one spelling",
                )
            else:
                seen.append(value)
        return tuple(seen)

    def example(self, spec: FieldSpec, path: DocPath, subject: str) -> Scalar | None:
        value = spec.example
        if value is None:
            return None
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        if isinstance(value, (str, int, float, bool)):
            return value
        self.error((*path, "example"), "bad-value", f"{subject}: example must be a single value")
        return None


def _implicit(
    name: str, kind: FieldType, description: str, *, required: bool = True
) -> ResolvedField:
    return ResolvedField(
        name=name,
        type=kind,
        description=description,
        required=required,
        optional_on_create=True,
        default=None,
        default_factory=None,
        unique=False,
        index=False,
        min_length=None,
        max_length=None,
        pattern=None,
        min=None,
        max=None,
        values=(),
        precision=None,
        scale=None,
        sensitive=False,
        read_only=True,
        example=None,
        implicit=True,
    )


# What the built-in User's registration, login and profile bodies take besides its fields
# (auth.mode builtin), and what each is.
USER_BODY_NAMES = {"password": "the password that registration, login and profile updates take"}


def _kept_user_names(auth: Auth) -> dict[str, str]:
    """Names a field of the built-in User cannot take besides its fields in this auth mode,
    each with why: those of its fields in the other mode (the generated code sets them apart
    whatever the mode), and the names its bodies take."""
    other: AuthMode = "jwks" if auth.mode == "builtin" else "builtin"
    kept = {
        item.name: f"is built in with auth.mode {other!r} ({item.description.rstrip('.')}), "
        "and the generated code keeps the name for it"
        for item in _builtin_user_fields(other, auth.roles, auth.default_role)
    }
    bodies = {name: f"is {what}" for name, what in USER_BODY_NAMES.items()}
    return kept | (bodies if auth.mode == "builtin" else {})


def _builtin_user_fields(
    mode: AuthMode, roles: tuple[str, ...], default_role: str | None
) -> list[ResolvedField]:
    email = _implicit("email", "email", "Sign-in email address.", required=mode == "builtin")
    email = email.model_copy(update={"read_only": False, "unique": True, "max_length": 320})
    fields = [email]
    if mode == "builtin":
        fields.append(
            _implicit("hashed_password", "string", "Argon2 hash of the password.").model_copy(
                update={"read_only": False, "sensitive": True, "max_length": 255}
            )
        )
    else:
        fields.append(
            _implicit("subject", "string", "The issuer's user id (`sub`).").model_copy(
                update={"unique": True, "max_length": 255}
            )
        )
        fields.append(
            _implicit("name", "string", "Display name from the token.", required=False).model_copy(
                update={"max_length": 255}
            )
        )
    role_length = max((len(role) for role in roles), default=20)
    fields.append(
        _implicit("role", "enum", "Role, which decides permissions.").model_copy(
            update={"values": roles, "default": default_role, "max_length": role_length}
        )
    )
    fields.append(
        _implicit("is_active", "boolean", "Inactive users cannot sign in.").model_copy(
            update={"default": True}
        )
    )
    return fields
