"""Every kind of broken spec gets located problems with exact messages, and no traceback."""

from __future__ import annotations

import pytest

from fastapi_architect import check_text

# (case id, file name, spec text, expected problems as "line:column [code] message")
BROKEN: list[tuple[str, str, str, list[str]]] = [
    (
        "unknown_top_key",
        "spec.yaml",
        "project: {name: demo}\nresourses:\n  Note: {fields: {text: string}}\n",
        [
            "1:1 [missing-key] missing required key 'resources' in the spec",
            "2:1 [unknown-key] unknown key 'resourses' in the spec",
        ],
    ),
    (
        "unknown_resource_key",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Note:\n    owned: true\n    fiels:\n      text: string\n",
        ["5:5 [unknown-key] unknown key 'fiels' in resource Note"],
    ),
    (
        "unknown_field_key",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Note:\n    fields:\n      text: {type: string, max_lenght: 20}\n",
        ["5:28 [unknown-key] unknown key 'max_lenght' in field Note.text"],
    ),
    (
        "bad_field_type",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Note:\n    fields:\n      text: {type: strng}\n",
        [
            "5:20 [bad-value] 'type' of field Note.text is 'strng'; expected one of 'string', 'text', 'integer', 'float', 'decimal', 'boolean', 'date', 'datetime', 'uuid', 'email', 'url', 'enum', 'json', 'slug'"
        ],
    ),
    (
        "bad_value_type",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Note:\n    fields:\n      text: {type: string, max_length: fifty}\n",
        ["5:40 [bad-type] 'max_length' of field Note.text must be an integer, not text 'fifty'"],
    ),
    (
        "missing_project_name",
        "spec.yaml",
        "project: {title: Demo}\nresources:\n  Note: {fields: {text: string}}\n",
        ["1:10 [missing-key] missing required key 'name' in 'project'"],
    ),
    (
        "missing_resources",
        "spec.yaml",
        "project: {name: demo}\n",
        ["1:1 [missing-key] missing required key 'resources' in the spec"],
    ),
    (
        "relation_to_missing",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Task:\n    owned: true\n    fields: {title: string}\n    relations:\n      category: {to: Categroy}\n  Category:\n    owned: true\n    fields: {name: string}\n",
        ["7:22 [unknown-resource] relation Task.category points to unknown resource 'Categroy'"],
    ),
    (
        "python_keyword_field",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Note:\n    fields:\n      class: string\n",
        ["5:7 [reserved-name] 'class', a field of Note, is a Python keyword"],
    ),
    (
        "implicit_column_field",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Note:\n    fields:\n      created_at: datetime\n",
        [
            "5:7 [reserved-name] 'created_at', a field of Note, is an implicit column that every resource already has"
        ],
    ),
    (
        "model_reserved_field",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Note:\n    fields:\n      metadata: json\n",
        [
            "5:7 [reserved-name] 'metadata', a field of Note, would shadow an attribute of the generated model class"
        ],
    ),
    (
        "sql_keyword_field",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Note:\n    fields:\n      order: integer\n",
        ["5:7 [sql-keyword] 'order', a field of Note, is a reserved SQL keyword"],
    ),
    (
        "plural_clash",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Person: {fields: {name: string}}\n  People: {plural: people, table: folks, fields: {name: string}}\n",
        [
            "4:3 [name-clash] People and Person have the same plural 'people'",
            "4:20 [name-clash] People's plural 'people' equals its singular, so item and collection routes would collide",
        ],
    ),
    (
        "default_violates_max",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Task:\n    fields:\n      priority: {type: integer, min: 1, max: 5, default: 9}\n",
        ["5:58 [bad-default] Task.priority: default 9 is above the field's max 5"],
    ),
    (
        "enum_default_not_value",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Task:\n    fields:\n      status: {type: enum, values: [todo, done], default: doing}\n",
        [
            "5:59 [bad-default] Task.status: default 'doing' is not one of its values ('todo', 'done')"
        ],
    ),
    (
        "filter_unknown",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Task:\n    fields:\n      status: {type: enum, values: [todo, done]}\n    filters: [stauts]\n",
        ["6:15 [unknown-field] filter 'stauts' is not a field or relation of Task"],
    ),
    (
        "sort_unknown",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Task:\n    fields:\n      title: string\n    sort: [titel]\n",
        ["6:12 [unknown-field] sort key 'titel' is not a field of Task"],
    ),
    (
        "sensitive_filter",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Account:\n    fields:\n      pin: {type: string, max_length: 6, sensitive: true}\n    filters: [pin]\n",
        [
            "6:15 [sensitive-filter] filter on sensitive field Account.pin: filtering would reveal its value"
        ],
    ),
    (
        "undeclared_role",
        "spec.yaml",
        "project: {name: demo}\nauth: {roles: [user, admin]}\nresources:\n  Note:\n    fields: {text: string}\n    access: {read: authenticated, create: [editor]}\n",
        [
            "6:44 [unknown-role] access.create of Note names 'editor', which is not public, authenticated, owner or a declared role"
        ],
    ),
    (
        "owner_on_unowned",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Note:\n    fields: {text: string}\n    access: {update: owner}\n",
        ["5:22 [not-owned] access.update of Note names 'owner', but Note is not owned"],
    ),
    (
        "yaml_syntax",
        "spec.yaml",
        "project: {name: demo\nresources:\n  Note: {fields: {text: string}}\n",
        ["2:10 [syntax] YAML syntax error: expected ',' or '}', but got ':'"],
    ),
    (
        "duplicate_key",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Note:\n    fields:\n      text: string\n      text: text\n",
        ["6:7 [duplicate-key] duplicate key 'text' (first defined at line 5)"],
    ),
    (
        "bad_resource_name",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  task_item: {fields: {title: string}}\n",
        ["3:3 [bad-name] resource name 'task_item' must be PascalCase (letters and digits)"],
    ),
    (
        "min_over_max",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Task:\n    fields:\n      title: {type: string, min_length: 10, max_length: 5}\n",
        ["5:41 [bad-constraint] Task.title: min_length 10 is larger than max_length 5"],
    ),
    (
        "constraint_not_applicable",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Task:\n    fields:\n      done: {type: boolean, max_length: 5}\n",
        ["5:29 [not-applicable] max_length does not apply to boolean field Task.done"],
    ),
    (
        "enum_without_values",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Task:\n    fields:\n      status: enum\n",
        ["5:15 [missing-key] enum field Task.status needs its values"],
    ),
    (
        "set_null_required",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Task:\n    owned: true\n    fields: {title: string}\n    relations:\n      project: {to: Project, on_delete: set_null}\n  Project:\n    owned: true\n    fields: {name: string}\n",
        ["7:41 [conflict] Task.project is required, so deleting a Project cannot set it to null"],
    ),
    (
        "bad_rate",
        "spec.yaml",
        "project: {name: demo}\nrate_limits: {login: 5/fortnight}\nresources:\n  Note: {fields: {text: string}}\n",
        ["2:22 [bad-rate] rate limit '5/fortnight' is not a rate"],
    ),
    (
        "jwks_missing",
        "spec.yaml",
        "project: {name: demo}\nauth: {mode: jwks}\nresources:\n  Note: {fields: {text: string}}\n",
        ["2:7 [missing-key] auth mode 'jwks' needs the issuer's keys: add auth.jwks"],
    ),
    (
        "owned_without_auth",
        "spec.yaml",
        "project: {name: demo}\nauth: {mode: none}\nresources:\n  Note:\n    owned: true\n    fields: {text: string}\n",
        ["5:5 [needs-auth] Note is owned, but auth.mode is 'none': there is no user to own rows"],
    ),
    (
        "bad_pattern",
        "spec.yaml",
        'project: {name: demo}\nresources:\n  Note:\n    fields:\n      code: {type: string, pattern: "[a-z"}\n',
        [
            "5:37 [bad-pattern] Note.code: pattern is not a valid regular expression: unterminated character set at position 0"
        ],
    ),
    (
        "field_relation_clash",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Task:\n    fields:\n      category_id: uuid\n    relations:\n      category: Category\n  Category:\n    fields: {name: string}\n",
        [
            "7:7 [name-clash] relation Task.category needs the column 'category_id', which is already a field"
        ],
    ),
    (
        "tabs",
        "spec.yaml",
        "project: {name: demo}\nresources:\n\tNote: {}\n",
        ["3:1 [syntax] YAML syntax error: found character '\\t' that cannot start any token"],
    ),
    (
        "yes_enum",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Poll:\n    fields:\n      answer: {type: enum, values: [yes, no]}\n",
        [
            "5:37 [bad-type] item 1 of 'values' of field Poll.answer must be text, not a boolean (true)",
            "5:42 [bad-type] item 2 of 'values' of field Poll.answer must be text, not a boolean (false)",
        ],
    ),
    (
        "default_role_unknown",
        "spec.yaml",
        "project: {name: demo}\nauth: {roles: [user, admin], default_role: usr}\nresources:\n  Note: {fields: {text: string}}\n",
        ["2:44 [unknown-role] role 'usr' is not declared in auth.roles ('user', 'admin')"],
    ),
    (
        "one_to_many_unpaired",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Project:\n    fields: {name: string}\n    relations:\n      tasks: {to: Task, kind: one_to_many}\n  Task:\n    fields: {title: string}\n",
        [
            "6:7 [unpaired-relation] one_to_many Project.tasks has no many_to_one on Task pointing back at Project"
        ],
    ),
    (
        "empty",
        "spec.yaml",
        "",
        ["1:1 [empty] the spec is empty"],
    ),
    (
        "top_level_list",
        "spec.yaml",
        "- project\n- resources\n",
        ["1:1 [bad-type] the spec must be a mapping, not a list"],
    ),
    (
        "alias_recursive",
        "spec.yaml",
        "project: &p {name: demo, x: *p}\nresources: {}\n",
        ["1:10 [syntax] recursive YAML alias: a value contains itself"],
    ),
    (
        "jwks_http",
        "spec.yaml",
        'project: {name: demo}\nauth:\n  mode: jwks\n  jwks: {url: "http://auth.example.com/jwks", issuer: https://auth.example.com, audience: api}\nresources:\n  Note: {fields: {text: string}}\n',
        [
            "4:15 [insecure-url] JWKS url 'http://auth.example.com/jwks' must use https (plain http only for localhost)"
        ],
    ),
    (
        "duplicate_enum_value",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Task:\n    fields:\n      status: {type: enum, values: [open, closed, open]}\n",
        ["5:51 [duplicate] enum value 'open' of Task.status is listed twice"],
    ),
    (
        "email_takes_no_pattern",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Contact:\n    fields:\n      email: {type: email, min_length: 5, pattern: x}\n",
        [
            "5:28 [not-applicable] min_length does not apply to email field Contact.email",
            "5:43 [not-applicable] pattern does not apply to email field Contact.email",
        ],
    ),
    (
        "enum_values_with_one_name_in_code",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Task:\n    fields:\n      status: {type: enum, values: [in-progress, done, In_Progress]}\n",
        [
            "5:56 [duplicate] enum values 'in-progress' and 'In_Progress' of Task.status differ only in case or separators (both are IN_PROGRESS in code)"
        ],
    ),
    (
        "read_only_no_default",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Task:\n    fields:\n      score: {type: integer, read_only: true}\n",
        [
            "5:30 [bad-default] read_only field Task.score is required but has no default, so no row could ever be created"
        ],
    ),
    (
        "sensitive_read_only",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Task:\n    fields:\n      secret: {type: string, sensitive: true, read_only: true, required: false}\n",
        [
            "5:47 [conflict] Task.secret cannot be both sensitive (write-only) and read_only (never written)"
        ],
    ),
    (
        "unique_unknown",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Tag:\n    owned: true\n    fields: {name: string}\n    unique: [[owner, nmae]]\n",
        [
            "6:22 [unknown-field] unique on Tag names 'nmae', which is not a field or many_to_one relation"
        ],
    ),
    (
        "inverse_clash",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Project:\n    fields: {name: string, tasks: integer}\n  Task:\n    fields: {title: string}\n    relations:\n      project: {to: Project}\n",
        [
            "8:7 [name-clash] the inverse of Task.project would be Project.tasks, which already exists"
        ],
    ),
    (
        "default_wrong_type",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Task:\n    fields:\n      priority: {type: integer, default: high}\n",
        ["5:42 [bad-default] Task.priority: default 'high' is not an integer"],
    ),
    (
        "decimal_scale",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Product:\n    fields:\n      price: {type: decimal, precision: 4, scale: 6}\n",
        ["5:51 [bad-constraint] Product.price: scale 6 is larger than precision 4"],
    ),
    (
        "page_sizes",
        "spec.yaml",
        "project: {name: demo}\napi: {default_page_size: 500, max_page_size: 100}\nresources:\n  Note: {fields: {text: string}}\n",
        ["2:26 [bad-default] default_page_size 500 is larger than max_page_size 100"],
    ),
    (
        "bad_prefix",
        "spec.yaml",
        "project: {name: demo}\napi: {prefix: api/v1/}\nresources:\n  Note: {fields: {text: string}}\n",
        [
            "2:15 [bad-prefix] API prefix 'api/v1/' must be '' or '/segment/...' in lowercase, without a trailing slash"
        ],
    ),
    (
        "builtin_user_owned",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  User:\n    owned: true\n    fields: {nickname: string}\n",
        [
            "4:5 [builtin-user] the built-in User resource takes only 'fields' and 'description', not 'owned'"
        ],
    ),
    (
        "builtin_user_clash",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  User:\n    fields: {email: string}\n",
        ["4:14 [name-clash] field User.email is built in already"],
    ),
    (
        "public_create_owned",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Note:\n    owned: true\n    fields: {text: string}\n    access: {create: public}\n",
        ["6:22 [public-write] Note is owned, so anonymous callers cannot create it"],
    ),
    (
        "no_admin_role",
        "spec.yaml",
        "project: {name: demo}\nauth: {roles: [member]}\nresources:\n  Note: {fields: {text: string}}\n",
        [
            "4:3 [no-admin] Note is not owned and has no access rule for create, update, delete; the default is the admin role, but auth.roles declares none"
        ],
    ),
    (
        "filter_param_clash",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Note:\n    fields: {cursor: string}\n    filters: [cursor]\n",
        [
            "5:15 [name-clash] filter 'cursor' needs the query parameter 'cursor', already used by the list endpoint itself"
        ],
    ),
    (
        "json_syntax",
        "spec.json",
        '{"project": {"name": "demo"},\n "resources": {"Note": }}\n',
        ["2:24 [syntax] JSON syntax error: Expecting value"],
    ),
    (
        "json_unknown_key",
        "spec.json",
        '{\n  "project": {"name": "demo"},\n  "resources": {\n    "Note": {"feilds": {}}\n  }\n}\n',
        ["4:14 [unknown-key] unknown key 'feilds' in resource Note"],
    ),
    (
        "bad_project_name",
        "spec.yaml",
        "project: {name: My API}\nresources:\n  Note: {fields: {text: string}}\n",
        [
            "1:17 [bad-name] project name 'My API' must be lowercase letters, digits, '-' or '_', starting with a letter (at most 50 characters)"
        ],
    ),
    (
        "set_null_m2m",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Post:\n    fields: {title: string}\n    relations:\n      tags: {to: Tag, kind: many_to_many, on_delete: cascade}\n  Tag:\n    fields: {name: string}\n",
        [
            "6:43 [not-applicable] on_delete applies to many_to_one relations; Post.tags is many_to_many"
        ],
    ),
    (
        "text_filter",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Post:\n    fields: {body: text}\n    filters: [body]\n",
        ["5:15 [bad-filter] cannot filter on text field Post.body"],
    ),
    (
        "search_non_text",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Post:\n    fields: {views: integer}\n    search: [views]\n",
        ["5:14 [bad-search] search field Post.views is integer, not text"],
    ),
    (
        "default_sort_unknown",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Post:\n    fields: {title: string}\n    sort: [title]\n    default_sort: -created_at\n",
        ["6:19 [unknown-field] default_sort '-created_at' is not one of Post's sort keys"],
    ),
    (
        "plural_clash2",
        "spec.yaml",
        "project: {name: demo}\nresources:\n  Box: {fields: {label: string}}\n  Crate: {plural: boxes, fields: {label: string}}\n",
        ["4:3 [name-clash] Crate and Box have the same plural 'boxes'"],
    ),
]


@pytest.mark.parametrize(
    ("file", "text", "expected"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN]
)
def test_broken_spec_reports_exact_locations_and_messages(
    file: str, text: str, expected: list[str]
) -> None:
    result = check_text(text, file)
    assert not result.ok
    assert result.spec is None
    got = [f"{p.location.line}:{p.location.column} [{p.code}] {p.message}" for p in result.problems]
    assert got == expected
    assert all(p.location.file == file for p in result.problems)


def test_every_problem_class_is_covered() -> None:
    codes = {
        code
        for _, file, text, _ in BROKEN
        for code in (p.code for p in check_text(text, file).problems)
    }
    assert codes >= {
        "syntax",
        "duplicate-key",
        "empty",
        "unknown-key",
        "missing-key",
        "bad-type",
        "bad-value",
        "bad-name",
        "reserved-name",
        "sql-keyword",
        "name-clash",
        "unknown-resource",
        "bad-default",
        "unknown-field",
        "sensitive-filter",
        "unknown-role",
        "not-owned",
        "not-applicable",
        "bad-constraint",
        "conflict",
        "bad-rate",
        "needs-auth",
        "bad-pattern",
        "unpaired-relation",
        "insecure-url",
        "no-admin",
        "public-write",
        "builtin-user",
        "bad-filter",
        "bad-search",
        "bad-prefix",
        "duplicate",
    }
