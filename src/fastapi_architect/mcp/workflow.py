"""The architect's workflow, written for an agent, naming only the tools the server offers."""

from __future__ import annotations

from collections.abc import Collection


def workflow_text(tools: Collection[str], requirements: str = "", spec_path: str = "") -> str:
    """The step-by-step workflow: spec, check until clean, design, generate, test, review."""
    spec = spec_path or "architect.yaml"
    steps: list[str] = [
        f"Write the spec in `{spec}`. Read the resource `fastapi-architect://spec/schema.json` "
        "for every key and `fastapi-architect://examples/taskflow.yaml` for a complete "
        "example. Start small: project, auth and the resources with their typed fields, "
        "relations and policies (owned, soft_delete, audit, filters, sort, search, "
        "permissions). Every default is sensible, so leave out what the requirements do not "
        "decide.",
        f"Call `check_spec` with `path: {spec}` (or the text as `spec`). While `ok` is false, "
        "fix every problem at its file:line:column, following its hint, and check again. "
        "Never move on with problems left.",
        "Read the `open_questions` of the clean result: each is a decision the spec left "
        "open and the default taken. Where a default is wrong for the requirements, say so "
        "in the spec and check again.",
    ]
    if "design" in tools:
        steps.append(
            f"Call `design` with the spec (`spec_path: {spec}`) and `output: docs`: it writes "
            "the architecture document (`docs/architecture.md`) and its ADRs (`docs/adr/`). "
            "Read it: API contracts, database schema, security controls, risks with their "
            "mitigations, open questions. Settle what it raises in the spec, check again, and "
            "design again with `overwrite: true`."
        )
    else:
        steps.append(
            "Design: from the clean spec, write down the API contracts (method, path, auth, "
            "schemas, status codes), the tables with their keys and indexes, and the security "
            "controls before any code exists."
        )
    generated = "generate" in tools
    if generated:
        steps.append(
            "Call `generate` with the spec (`spec_path`) and a `target` directory that is new "
            "or empty. It refuses a spec with problems and a non-empty directory; pass "
            "`overwrite: true` only to regenerate that project after changing the spec: files "
            "edited by hand are kept, with the new version beside each as `*.architect-new` "
            "to merge. Follow the `next_steps` of the result."
        )
    else:
        steps.append(
            "Build the backend in the layered layout: `app/api/v1/endpoints` (thin handlers), "
            "`app/services` (business rules), `app/repositories` (queries), `app/models`, "
            "`app/schemas`, `app/core`, Alembic `migrations/` and `tests/`."
        )
    steps += [
        "Run the project's tests ("
        + ("`make test` in the generated project" if generated else "`pytest` in its directory")
        + ") and make them pass. Add tests for every rule you add: auth failures, cross-user "
        "isolation (another user's row is a 404), validation, pagination.",
        "Call `review` on the code directory. Fix every error-level finding (call "
        "`explain_rule` for what a rule means and what to write instead), then the warnings; "
        "suppress a finding only with `# architect: ignore[ID] reason` when it is wrong. "
        "Review again until `passed` is true.",
        "Call `survey` on the code to confirm the result: every route authenticated where it "
        "should be, every table model where the spec put it, and the layers in place.",
    ]
    lines = [
        "You are the backend architect for a FastAPI service. Work through these steps in "
        "order with the fastapi-architect tools; do not skip a check.",
        "",
    ]
    lines += [f"{number}. {step}" for number, step in enumerate(steps, start=1)]
    if requirements.strip():
        lines += ["", "The requirements:", "", requirements.strip()]
    return "\n".join(lines) + "\n"
