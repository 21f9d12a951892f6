"""Security and access: the controls of the generated backend, and who may do what."""

from __future__ import annotations

from fastapi_architect.design.model import AccessRule, SecurityControl
from fastapi_architect.design.sections.prose import names
from fastapi_architect.spec.model import ACTIONS, ResolvedSpec
from fastapi_architect.spec.routes import api_resources


def security(spec: ResolvedSpec) -> tuple[SecurityControl, ...]:
    auth = spec.auth
    out: list[SecurityControl] = []
    if auth.mode == "builtin":
        out += [
            SecurityControl(
                area="Authentication",
                control=(
                    "Register, then log in (OAuth2 password form or JSON) for an access token "
                    f"of {auth.access_token_minutes} minutes (HS256 JWT; expiry, issuer, "
                    "audience and type always checked) and a refresh token of "
                    f"{auth.refresh_token_days} days."
                ),
            ),
            SecurityControl(
                area="Token rotation",
                control=(
                    "A refresh token works once: each use issues a new pair and revokes the "
                    "old token. A revoked token presented again revokes its whole family "
                    "(theft detection). Logout revokes the family. Only a hash of each "
                    "refresh token is stored."
                ),
            ),
            SecurityControl(
                area="Passwords",
                control=(
                    "argon2id (pwdlib), 8-128 characters; unknown emails take the same time "
                    "as wrong passwords; hashes are never returned."
                ),
            ),
        ]
    elif auth.mode == "jwks" and auth.jwks is not None:
        out.append(
            SecurityControl(
                area="Authentication",
                control=(
                    f"Bearer tokens from {auth.jwks.issuer}, verified against {auth.jwks.url} "
                    f"(keys cached {auth.jwks.cache_minutes} minutes), algorithms "
                    f"{', '.join(auth.jwks.algorithms)} only, audience {auth.jwks.audience}."
                ),
            )
        )
    else:
        out.append(
            SecurityControl(
                area="Authentication",
                control="None: every endpoint is public. Rate limits apply per client IP.",
            )
        )
    if auth.enabled:
        out.append(
            SecurityControl(
                area="Authorization",
                control=(
                    "Every access decision is made in `app/services/access.py` from the rules "
                    f"below; roles {', '.join(auth.roles)} (new users: "
                    f"{auth.default_role or auth.roles[0]}; administrators: "
                    f"{auth.admin_role or 'none'})."
                ),
            )
        )
    owned = [r.name for r in spec.resources if r.owner_scoped]
    if owned:
        out.append(
            SecurityControl(
                area="Isolation",
                control=(
                    f"{names(owned)}: another user's row is a 404 on read, update and delete "
                    "and never appears in a list; the repository filters by owner before "
                    "anything else."
                ),
            )
        )
    linked = [
        f"{r.name}.{rel.name}" for r in spec.resources for rel in r.relations if rel.same_owner
    ]
    if linked:
        out.append(
            SecurityControl(
                area="Links",
                control=(
                    f"{names(linked)} may only point at the caller's own rows (422 otherwise); "
                    "every relation id must name a row the caller may read."
                ),
            )
        )
    checks = sum(len(t.checks) for t in spec.tables)
    out += [
        SecurityControl(
            area="Input validation",
            control=(
                "Request schemas refuse unknown fields; every length, range, pattern and enum "
                f"is checked (422 with each field located), and held again by {checks} check "
                "constraints in the database. Validation errors never echo the input."
            ),
        ),
        SecurityControl(
            area="Rate limits",
            control=(
                f"Login {spec.rate_limits.login} per client IP and per account; "
                f"{spec.rate_limits.default} per user (per IP when anonymous); in memory, or "
                "shared through Redis (`REDIS_URL`) across workers. 429 with `Retry-After`."
            ),
        ),
        SecurityControl(
            area="Headers and CORS",
            control=(
                "Every response: X-Content-Type-Options nosniff, X-Frame-Options DENY, "
                "Referrer-Policy no-referrer, Cross-Origin-Opener-Policy, Permissions-Policy, "
                "a deny-all Content-Security-Policy outside the docs, HSTS in production, "
                "X-Request-ID. CORS only for `CORS_ORIGINS`, without credentials."
            ),
        ),
        SecurityControl(
            area="Secrets",
            control=(
                "Settings come from the environment (`.env.example` lists them); outside "
                "development the server refuses to start without a `JWT_SECRET` of at least "
                "32 characters. Nothing secret is in the code or the logs."
            )
            if auth.mode == "builtin"
            else "Settings come from the environment (`.env.example` lists them).",
        ),
        SecurityControl(
            area="Errors",
            control=(
                'One envelope `{"error": {"code", "message", "details", "request_id"}}`; '
                "unexpected errors are logged with the request id and answered 500 without "
                "internals; database outages are 503."
            ),
        ),
    ]
    sensitive = [f"{r.name}.{f.name}" for r in spec.resources for f in r.fields if f.sensitive]
    if sensitive:
        out.append(
            SecurityControl(
                area="Sensitive fields",
                control=f"{names(sensitive)}: accepted on input, never returned.",
            )
        )
    return tuple(out)


_MEANING = {
    "public": "anyone, without a token",
    "authenticated": "any signed-in user",
    "owner": "the row's owner (others get 404 when they cannot read it, else 403)",
}


def access(spec: ResolvedSpec) -> tuple[AccessRule, ...]:
    out = []
    for resource in api_resources(spec):
        for action in ACTIONS:
            rule = resource.access.for_action(action)
            meaning = "; ".join(_MEANING.get(p, f"users with role {p}") for p in rule)
            if action == "create" and "owner" in rule:
                meaning = "any signed-in user, who owns the new row"
            out.append(
                AccessRule(
                    resource=resource.name,
                    action=action,
                    principals=rule,
                    meaning=meaning or "nobody",
                )
            )
    return tuple(out)
