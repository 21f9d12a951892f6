"""Specs `check` must refuse because the generated project cannot work with them (each
found by the random-spec fuzzer, tests/regression_specs/random/): every refusal located at the
YAML node responsible, with a hint; and, beside each, the nearest spec that works, accepted."""

from __future__ import annotations

import pytest

from fastapi_architect import check_file, check_text
from tests.conftest import ROOT

# (case id, spec text, expected problems as "line:column [code] message" and their hints)
REFUSED: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "enum_names_too_long",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Thing:\n    fields:\n      another_really_quite_extraordinarily_long_enum_name: {type: enum, values: [a, b]}\n",
        [
            (
                "6:7 [bad-name] Thing.another_really_quite_extraordinarily_long_enum_name: the field's name and its values' class ThingAnotherReallyQuiteExtraordinarilyLongEnumName are too long together for a line of generated code (101 characters; at most 81)",
                "a shorter field name",
            ),
        ],
    ),
    (
        "unique_owner",
        "project: {name: demo}\nresources:\n  Item:\n    owned: true\n    fields: {name: string}\n    unique: [[owner]]\n",
        [
            (
                "6:14 [unique-owner] unique: [owner] allows one Item per user, but the generated tests (and most clients) make several rows as one user",
                "to keep one per user, put its fields on User; otherwise add another column to the combination",
            ),
        ],
    ),
    (
        "unique_boolean",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Item:\n    fields: {flag: boolean}\n    unique: [[flag]]\n",
        [
            (
                "6:14 [unique-few-values] unique combination (flag) of Item: the generated tests make up to 127 rows, and their values in its columns (flag: 2 distinct) form only 2 distinct combinations",
                "add a column that takes many values (a text field, say) to the combination, loosen its columns' constraints, or drop the combination",
            ),
        ],
    ),
    (
        "unique_read_only_default",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Box:\n    fields:\n      state: {type: enum, values: [draft, done], default: draft, read_only: true}\n    unique: [[state]]\n",
        [
            (
                "7:14 [unique-few-values] unique combination (state) of Box: the generated tests make up to 127 rows, and their values in its columns (state: 1 distinct) form only 1 distinct combination",
                "add a column that takes many values (a text field, say) to the combination, loosen its columns' constraints, or drop the combination",
            ),
        ],
    ),
    (
        "unique_owner_user_relation_enum",
        "project: {name: demo}\nresources:\n  Pick:\n    owned: true\n    fields: {size: {type: enum, values: [s, m, l]}}\n    relations: {reviewer: User}\n    unique: [[owner, reviewer, size]]\n",
        [
            (
                "7:14 [unique-few-values] unique combination (owner, reviewer, size) of Pick: the generated tests make up to 127 rows as one user, and their values in its columns (owner: 1 distinct, reviewer: 1 distinct, size: 3 distinct) form only 3 distinct combinations",
                "add a column that takes many values (a text field, say) to the combination, loosen its columns' constraints, or drop the combination",
            ),
        ],
    ),
    (
        "unique_single_valued",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Item:\n    fields:\n      flag: boolean\n      level: {type: integer, min: 3, max: 3}\n    unique: [[flag, level]]\n",
        [
            (
                "8:14 [unique-few-values] unique combination (flag, level) of Item: the generated tests make up to 127 rows, and their values in its columns (flag: 2 distinct, level: 1 distinct) form only 2 distinct combinations",
                "add a column that takes many values (a text field, say) to the combination, loosen its columns' constraints, or drop the combination",
            ),
        ],
    ),
    (
        "unique_values_in_step",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Cell:\n    fields:\n      row: {type: enum, values: [a, b, c, d, e, f, g, h, i, j]}\n      col: {type: enum, values: [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t]}\n    unique: [[row, col]]\n",
        [
            (
                "8:14 [unique-few-values] unique combination (row, col) of Cell: the generated tests make up to 127 rows, and their values in its columns (row: 10 distinct, col: 20 distinct) form only 20 distinct combinations",
                "add a column that takes many values (a text field, say) to the combination, loosen its columns' constraints, or drop the combination",
            ),
        ],
    ),
    (
        "module_names",
        "project: {name: demo}\nresources:\n  Audit: {audit: true, fields: {label: string}}\n  Access: {fields: {label: string}}\n  Common: {fields: {label: string}}\n  Pagination: {fields: {label: string}}\n  Base: {fields: {label: string}}\n  Auth: {fields: {label: string}}\n",
        [
            (
                "3:3 [reserved-name] resource name 'Audit' names modules the generated backend has already: app/schemas/audit.py (Audit entries and their filters), app/repositories/audit.py (Audit queries), app/services/audit.py (Audit entries; reading the log)",
                "use a more specific name, e.g. 'AuditEntry'",
            ),
            (
                "4:3 [reserved-name] resource name 'Access' names modules the generated backend has already: app/services/access.py (Every access decision, from the spec's rules)",
                "use a more specific name, e.g. 'AccessEntry'",
            ),
            (
                "5:3 [reserved-name] resource name 'Common' names modules the generated backend has already: app/schemas/common.py (Envelopes, pages and errors)",
                "use a more specific name, e.g. 'CommonEntry'",
            ),
            (
                "6:3 [reserved-name] resource name 'Pagination' names modules the generated backend has already: app/repositories/pagination.py (Keyset cursors)",
                "use a more specific name, e.g. 'PaginationEntry'",
            ),
            (
                "7:3 [reserved-name] resource name 'Base' names modules the generated backend has already: app/models/base.py (Shared model base and id type)",
                "use a more specific name, e.g. 'BaseEntry'",
            ),
            (
                "8:3 [reserved-name] resource name 'Auth' names modules the generated backend has already: app/services/auth.py (Registration, login, refresh rotation, logout)",
                "use a more specific name, e.g. 'AuthEntry'",
            ),
        ],
    ),
    (
        "module_plural",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Check:\n    plural: health\n    fields: {label: string}\n",
        [
            (
                "5:13 [reserved-name] Check's plural 'health' names files the generated backend has already: app/api/v1/endpoints/health.py (Health and readiness)",
                "set plural: to another word",
            ),
        ],
    ),
    (
        "module_test_module",
        "project: {name: demo}\nauth:\n  mode: jwks\n  jwks: {url: https://auth.example.com/jwks, issuer: https://auth.example.com, audience: api}\nresources:\n  Token:\n    owned: true\n    fields: {label: string}\n",
        [
            (
                "6:3 [reserved-name] resource name 'Token' names modules the generated backend has already: tests/test_tokens.py (Token verification)",
                "use a more specific name, e.g. 'TokenEntry'",
            ),
        ],
    ),
    (
        "module_association",
        "project: {name: demo}\nresources:\n  Refresh:\n    owned: true\n    fields: {label: string}\n    relations: {token: {to: Token, kind: many_to_many}}\n  Token:\n    owned: true\n    fields: {label: string}\n",
        [
            (
                "6:17 [reserved-name] the association table 'refresh_token' of Refresh.token names a file the generated backend has already: app/models/refresh_token.py (Refresh tokens (hashed), by family)",
                "rename the relation",
            ),
        ],
    ),
    (
        "required_self_relation",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Item:\n    fields: {name: string}\n    relations: {parent: Item}\n",
        [
            (
                "6:17 [required-cycle] Item.parent is a required relation of Item to itself: no first Item can be created (it needs an existing Item to point at)",
                "make it optional (`required: false`)",
            ),
        ],
    ),
    (
        "required_cycle",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Alpha:\n    fields: {x: string}\n    relations: {beta: Beta}\n  Beta:\n    fields: {x: string}\n    relations: {gamma: Gamma, alpha: {to: Alpha, required: false}}\n  Gamma:\n    fields: {x: string}\n    relations: {alpha: {to: Alpha, required: true}}\n",
        [
            (
                "6:17 [required-cycle] required relations form a cycle (Alpha.beta -> Beta, Beta.gamma -> Gamma, Gamma.alpha -> Alpha): no first row of any of them can be created (each needs an existing row of the next)",
                "make one of them optional (`required: false`)",
            ),
        ],
    ),
    (
        "jwks_required_user_field",
        "project: {name: demo}\nauth:\n  mode: jwks\n  jwks: {url: https://auth.example.com/jwks, issuer: https://auth.example.com, audience: api}\nresources:\n  User:\n    fields:\n      nickname: string\n  Note: {owned: true, fields: {text: string}}\n",
        [
            (
                "8:7 [jwks-user-field] User.nickname is required and has no default, but with auth.mode 'jwks' users are created from their tokens on first sight, which cannot fill it",
                "give it a default, or set required: false",
            ),
        ],
    ),
    (
        "admin_default_role",
        "project: {name: demo}\nauth: {roles: [user, admin], default_role: admin}\nresources:\n  Note: {owned: true, fields: {text: string}}\n",
        [
            (
                "2:44 [admin-default-role] the default role 'admin' is the admin role: every new account would be an administrator",
                "set default_role: to another role ('user') and make administrators by changing a user's role",
            ),
        ],
    ),
    (
        "admin_first_role",
        "project: {name: demo}\nauth: {roles: [admin, user]}\nresources:\n  Note: {owned: true, fields: {text: string}}\n",
        [
            (
                "2:16 [admin-default-role] the default role 'admin' is the admin role: every new account would be an administrator",
                "set default_role: to another role ('user') and make administrators by changing a user's role",
            ),
        ],
    ),
    (
        "admin_role_is_default",
        "project: {name: demo}\nauth: {roles: [user, staff], admin_role: user}\nresources:\n  Note: {owned: true, fields: {text: string}}\n",
        [
            (
                "2:42 [admin-default-role] the default role 'user' is the admin role: every new account would be an administrator",
                "set default_role: to another role ('staff') and make administrators by changing a user's role",
            ),
        ],
    ),
    (
        "only_admin_role",
        "project: {name: demo}\nauth: {roles: [admin], default_role: admin}\nresources:\n  Note: {owned: true, fields: {text: string}}\n",
        [
            (
                "2:38 [admin-default-role] the default role 'admin' is the admin role: every new account would be an administrator",
                "add a role for ordinary accounts to auth.roles, e.g. [user, admin], and make it the default_role",
            ),
        ],
    ),
    (
        "unique_user_field_default",
        "project: {name: demo}\nresources:\n  User:\n    fields:\n      code: {type: string, unique: true, default: x}\n  Note: {owned: true, fields: {text: string}}\n",
        [
            (
                "5:51 [unique-default] User.code is unique, so its default 'x' can be stored once: every account made without a value gets it, and the second is refused (409)",
                "drop the default, or drop unique",
            ),
        ],
    ),
    (
        "unique_read_only_field_default",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Item:\n    fields:\n      code: {type: string, unique: true, default: x, read_only: true}\n",
        [
            (
                "6:51 [unique-default] Item.code is unique, so its default 'x' can be stored once: every row gets it (clients cannot set a read_only field), and the second is refused (409)",
                "drop the default, or drop unique",
            ),
        ],
    ),
    (
        "unique_field_default",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Link:\n    fields:\n      rank: {type: integer, unique: true, default: 0}\n",
        [
            (
                "6:52 [unique-default] Link.rank is unique, so its default 0 can be stored once: every Link created without a value gets it, and the second is refused (409)",
                "drop the default, or drop unique",
            ),
        ],
    ),
    (
        "search_read_only",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Item:\n    fields:\n      token: {type: text, read_only: true, required: false}\n    search: [token]\n",
        [
            (
                "7:14 [bad-search] search field Item.token is read_only without a default: no row ever has a value in it to find",
                "remove it from search, or give it a default",
            ),
        ],
    ),
    (
        "user_field_names_builtin",
        "project: {name: demo}\nresources:\n  User:\n    fields:\n      password: string\n      name: {type: string, required: false}\n      subject: {type: string, required: false}\n      email: string\n  Note: {owned: true, fields: {text: string}}\n",
        [
            (
                "5:7 [name-clash] field User.password is the password that registration, login and profile updates take",
                "remove it, or choose another name",
            ),
            (
                "6:7 [name-clash] field User.name is built in with auth.mode 'jwks' (Display name from the token), and the generated code keeps the name for it",
                "remove it, or choose another name",
            ),
            (
                "7:7 [name-clash] field User.subject is built in with auth.mode 'jwks' (The issuer's user id (`sub`)), and the generated code keeps the name for it",
                "remove it, or choose another name",
            ),
            (
                "8:7 [name-clash] field User.email is built in already",
                "remove it, or choose another name",
            ),
        ],
    ),
    (
        "user_field_names_jwks",
        "project: {name: demo}\nauth:\n  mode: jwks\n  jwks: {url: https://auth.example.com/jwks, issuer: https://auth.example.com, audience: api}\nresources:\n  User:\n    fields:\n      hashed_password: {type: string, required: false}\n      subject: {type: string, required: false}\n  Note: {owned: true, fields: {text: string}}\n",
        [
            (
                "8:7 [name-clash] field User.hashed_password is built in with auth.mode 'builtin' (Argon2 hash of the password), and the generated code keeps the name for it",
                "remove it, or choose another name",
            ),
            (
                "9:7 [name-clash] field User.subject is built in already",
                "remove it, or choose another name",
            ),
        ],
    ),
    (
        "writer_cannot_read",
        "project: {name: demo}\nauth: {roles: [user, staff, admin]}\nresources:\n  Item:\n    owned: true\n    fields: {name: string}\n    access: {update: staff, delete: [owner, staff]}\n  Box:\n    fields: {name: string}\n    access: {read: admin, update: staff}\n",
        [
            (
                "7:22 [write-without-read] access.update of Item names 'staff', who may read only their own rows (access.read: owner); the backend looks a row up through the read rule first, so the change would be refused",
                "add 'staff' to access.read, or remove it from access.update",
            ),
            (
                "7:45 [write-without-read] access.delete of Item names 'staff', who may read only their own rows (access.read: owner); the backend looks a row up through the read rule first, so the change would be refused",
                "add 'staff' to access.read, or remove it from access.delete",
            ),
            (
                "10:35 [write-without-read] access.update of Box names 'staff', who may not read the rows (access.read: admin); the backend looks a row up through the read rule first, so the change would be refused",
                "add 'staff' to access.read, or remove it from access.update",
            ),
        ],
    ),
    (
        "writer_cannot_read_by_default",
        "project: {name: demo}\nresources:\n  Note:\n    owned: true\n    fields: {text: string}\n    access: {read: admin}\n",
        [
            (
                "6:20 [write-without-read] access.update and access.delete of Note default to 'owner', who may not read the rows (access.read: admin); the backend looks a row up through the read rule first, so the change would be refused",
                "add 'owner' to access.read, or set access.update and access.delete",
            ),
        ],
    ),
    (
        "authenticated_writer_reads_own_rows",
        "project: {name: demo}\nresources:\n  Note:\n    owned: true\n    fields: {text: string}\n    access: {update: [owner, authenticated]}\n",
        [
            (
                "6:30 [write-without-read] access.update of Note names 'authenticated', who may read only their own rows (access.read: owner); the backend looks a row up through the read rule first, so the change would be refused",
                "add 'authenticated' to access.read, or remove it from access.update",
            ),
        ],
    ),
    (
        "anonymous_writer",
        "project: {name: demo}\nresources:\n  Board:\n    fields: {text: string}\n    access: {read: authenticated, create: public, update: public, delete: admin}\n",
        [
            (
                "5:59 [write-without-read] access.update of Board names 'public', who may not read the rows (access.read: authenticated); the backend looks a row up through the read rule first, so the change would be refused",
                "add 'public' to access.read, or remove it from access.update",
            ),
        ],
    ),
]

# (case id, spec text): the nearest specs that work, which `check` accepts.
ACCEPTED: list[tuple[str, str]] = [
    (
        "unique_owner_and_text",
        "project: {name: demo}\nresources:\n  Tag:\n    owned: true\n    fields: {name: string}\n    unique: [[owner, name]]\n",
    ),
    (
        "unique_owner_and_flag_and_text",
        "project: {name: demo}\nresources:\n  Tag:\n    owned: true\n    fields: {name: string, pinned: boolean}\n    unique: [[owner, pinned, name]]\n",
    ),
    (
        "unique_relation_and_flag",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Shelf: {fields: {label: string}}\n  Slot:\n    fields: {top: boolean}\n    relations: {shelf: Shelf}\n    unique: [[shelf, top]]\n",
    ),
    (
        "unique_optional_relation_and_flag",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Shelf: {fields: {label: string}}\n  Slot:\n    fields: {top: boolean}\n    relations: {shelf: {to: Shelf, required: false}}\n    unique: [[shelf, top]]\n",
    ),
    (
        "unique_read_only_without_default",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Box:\n    fields:\n      state: {type: enum, values: [draft, done], default: draft}\n      code: {type: string, read_only: true, required: false}\n    unique: [[state, code]]\n",
    ),
    (
        "module_names_not_generated",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Audit: {fields: {label: string}}\n  Auth: {fields: {label: string}}\n  User: {fields: {label: string}}\n",
    ),
    (
        "optional_relation_breaks_cycle",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Item:\n    fields: {name: string}\n    relations: {parent: {to: Item, required: false}}\n  Box:\n    fields: {x: string}\n    relations: {crate: Crate}\n  Crate:\n    fields: {x: string}\n    relations: {box: {to: Box, required: false}}\n",
    ),
    (
        "jwks_user_fields_filled",
        "project: {name: demo}\nauth:\n  mode: jwks\n  jwks: {url: https://auth.example.com/jwks, issuer: https://auth.example.com, audience: api}\nresources:\n  User:\n    fields:\n      nickname: {type: string, default: anon}\n      bio: {type: text, required: false}\n      level: {type: integer, default: 1, read_only: true}\n      password: {type: string, required: false}\n  Note: {owned: true, fields: {text: string}}\n",
    ),
    (
        "default_role_not_admin",
        "project: {name: demo}\nauth: {roles: [admin, user], default_role: user}\nresources:\n  Note: {owned: true, fields: {text: string}}\n",
    ),
    (
        "unique_default_factory_and_plain_default",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Link:\n    fields:\n      token: {type: uuid, unique: true, default: uuid4, read_only: true}\n      code: {type: string, default: x}\n",
    ),
    (
        "search_read_only_with_default",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Item:\n    fields:\n      token: {type: text, read_only: true, default: abc}\n      title: string\n    search: [title, token]\n",
    ),
    (
        "user_field_display_name",
        "project: {name: demo}\nresources:\n  User:\n    fields:\n      display_name: {type: string, required: false}\n  Note: {owned: true, fields: {text: string}}\n",
    ),
    (
        "create_without_read",
        "project: {name: demo}\nresources:\n  Feedback:\n    owned: true\n    fields: {text: string}\n    access: {read: admin, create: authenticated, update: admin, delete: admin}\n",
    ),
    (
        "enum_name_within_a_line",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Thing:\n    fields:\n      a_quite_long_enum_field_name_for_testing: {type: enum, values: [a, b]}\n",
    ),
    (
        "writers_read",
        "project: {name: demo}\nauth: {roles: [user, staff, admin]}\nresources:\n  Item:\n    owned: true\n    fields: {name: string}\n    access: {read: [owner, staff], update: [owner, staff], delete: staff}\n  Box:\n    fields: {name: string}\n    access: {read: authenticated, update: staff, delete: [staff, admin]}\n",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_unworkable_spec_is_refused_at_its_node(text: str, expected: list[tuple[str, str]]) -> None:
    result = check_text(text, "spec.yaml")
    assert not result.ok
    assert result.spec is None
    got = [
        (f"{p.location.line}:{p.location.column} [{p.code}] {p.message}", p.hint)
        for p in result.problems
    ]
    assert got == expected
    assert all(p.location.file == "spec.yaml" for p in result.problems)


@pytest.mark.parametrize("text", [c[1] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_workable_neighbour_is_accepted(text: str) -> None:
    result = check_text(text, "spec.yaml")
    assert result.ok, [p.render() for p in result.problems]
    assert result.spec is not None


def test_every_new_problem_class_is_covered() -> None:
    codes = {p.code for _, text, _ in REFUSED for p in check_text(text, "spec.yaml").problems}
    assert codes >= {
        "unique-owner",
        "unique-few-values",
        "reserved-name",
        "required-cycle",
        "jwks-user-field",
        "admin-default-role",
        "unique-default",
        "bad-search",
        "name-clash",
        "write-without-read",
    }


# The fuzzer's regression specs of these rules, and the problems `check` refuses each with.
REGRESSION_SPECS = {
    "004-unique-owner": {"unique-owner"},
    "006-resource-names-shadowing-modules": {"reserved-name"},
    "007-required-relation-cycles": {"required-cycle"},
    "008-jwks-required-user-field": {"jwks-user-field"},
    "009-admin-default-role": {"admin-default-role"},
    "010-unique-user-field-with-default": {"unique-default"},
    "011-read-only-unique-with-default": {"unique-default"},
    "012-unique-combination-with-few-values": {"unique-few-values"},
    "015-search-on-read-only-field": {"bad-search"},
    "023-user-field-named-password": {"name-clash"},
    "024-writer-cannot-read": {"write-without-read"},
}


@pytest.mark.parametrize(("stem", "codes"), REGRESSION_SPECS.items(), ids=list(REGRESSION_SPECS))
def test_regression_spec_is_refused(stem: str, codes: set[str]) -> None:
    path = ROOT / "tests" / "regression_specs" / "random" / f"{stem}.yaml"
    result = check_file(path)
    assert not result.ok
    assert {p.code for p in result.problems} == codes, [p.render() for p in result.problems]
    assert all(p.location.line >= 1 and p.location.column >= 1 for p in result.problems)
