"""`fastapi-architect init [DIR]`: write a commented `architect.yaml` to start from and the
JSON Schema beside it; interactive on a terminal, or from flags or an example."""

from __future__ import annotations

import shlex
import sys
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from fastapi_architect.init.defaults import DEFAULT_FIELDS, DEFAULT_RESOURCE

if TYPE_CHECKING:
    from fastapi_architect.init.answers import Issuer, SpecAnswers

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
BACKEND_DIR = "backend"


# The choices as Typer shows them; tests hold them equal to the spec format's own literals.
class Example(StrEnum):
    taskflow = "taskflow"
    blog = "blog"
    shop = "shop"
    taskflow_jwks = "taskflow-jwks"


class Auth(StrEnum):
    builtin = "builtin"
    jwks = "jwks"
    none = "none"


class Database(StrEnum):
    postgresql = "postgresql"
    sqlite = "sqlite"


def _out(*, stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _stop(message: str, code: int = EXIT_USAGE) -> NoReturn:
    _out(stderr=True).print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def _interactive(shaping_flags: bool) -> bool:
    return not shaping_flags and sys.stdin.isatty()


def _flag_answers(
    directory: Path,
    name: str | None,
    auth: str | None,
    database: str | None,
    resources: list[str],
    issuer: Issuer,
) -> tuple[SpecAnswers, dict[str, str]]:
    """The answers the flags give, and which flag said what (to tell a problem against it)."""
    from fastapi_architect.init.answers import (
        AUTH_MODES,
        ENGINES,
        AnswerError,
        ResourceAnswer,
        SpecAnswers,
        check_links,
        parse_resource,
        project_name_for,
    )
    from fastapi_architect.init.render import AUTH, DATABASE, PROJECT, resource_section

    mode = next(m for m in AUTH_MODES if m == (auth or "builtin"))
    said = {
        PROJECT: f"--name {name!r}" if name else "the project name (give --name)",
        AUTH: "--auth jwks with --jwks-url, --issuer and --audience",
        DATABASE: f"--database {database}",
    }
    parsed: list[ResourceAnswer] = []
    for text in resources or [f"{DEFAULT_RESOURCE}={DEFAULT_FIELDS}"]:
        try:
            resource = parse_resource(text, owned=mode != "none")
        except AnswerError as exc:
            _stop(f"--resource {text!r}: {exc}")
        if any(r.name == resource.name for r in parsed):
            _stop(f"--resource {text!r}: {resource.name} is given twice")
        said[resource_section(resource.name)] = f"--resource {text!r}"
        parsed.append(resource)
    declared = {r.name for r in parsed} | {"User"}
    for resource, text in zip(parsed, resources or [], strict=False):
        try:
            check_links(resource, declared)
        except AnswerError as exc:
            _stop(f"--resource {text!r}: {exc}")
    answers = SpecAnswers(
        name=name or project_name_for(directory.resolve().name),
        auth=mode,
        database=next(e for e in ENGINES if e == (database or "postgresql")),
        resources=tuple(parsed),
        issuer=issuer,
    )
    return answers, said


def _spec_from_flags(answers: SpecAnswers, said: dict[str, str]) -> str:
    from fastapi_architect.init.build import check_answers

    checked = check_answers(answers)
    if checked.ok:
        return checked.rendered.text
    err = _out(stderr=True)
    for section, problems in checked.problems.items():
        for problem in problems:
            where = said.get(section, "the answers")
            err.print(f"error: {where}: {problem.message} [{problem.code}]", markup=False)
            if problem.hint:
                err.print(f"  hint: {problem.hint}", markup=False)
    err.print("nothing written", markup=False)
    raise typer.Exit(EXIT_USAGE)


def _next_steps(console: Console, spec: Path, directory: Path, summary: str) -> None:
    console.print(f"wrote {spec} ({summary}) and {spec.with_name('architect.schema.json')}")
    backend = directory / BACKEND_DIR
    console.print("next:")
    console.print(f"  fastapi-architect check {shlex.quote(str(spec))}")
    console.print(
        f"  fastapi-architect new {shlex.quote(str(spec))} -o {shlex.quote(str(backend))}"
    )


def register(app: typer.Typer) -> None:
    """Add the `init` command to the main `fastapi-architect` app."""

    @app.command("init")
    def init_command(
        directory: Annotated[
            Path,
            typer.Argument(metavar="DIR", help="Where to write architect.yaml (made if missing)."),
        ] = Path(),
        example: Annotated[
            Example | None,
            typer.Option(help="Start from this example spec, shipped with fastapi-architect."),
        ] = None,
        name: Annotated[
            str | None,
            typer.Option(metavar="NAME", help="Project name: lowercase letters, digits, - and _."),
        ] = None,
        auth: Annotated[
            Auth | None,
            typer.Option(
                help="builtin (sign-up and login in the backend), jwks (tokens from an external "
                "issuer) or none (a public API). Default builtin."
            ),
        ] = None,
        jwks_url: Annotated[
            str | None, typer.Option(metavar="URL", help="With --auth jwks: the issuer's JWKS URL.")
        ] = None,
        issuer: Annotated[
            str | None,
            typer.Option(metavar="ISS", help="With --auth jwks: the expected `iss` claim."),
        ] = None,
        audience: Annotated[
            str | None,
            typer.Option(metavar="AUD", help="With --auth jwks: the expected `aud` claim."),
        ] = None,
        database: Annotated[
            Database | None,
            typer.Option(help="Production database. Default postgresql."),
        ] = None,
        resource: Annotated[
            list[str] | None,
            typer.Option(
                "--resource",
                "-r",
                metavar="NAME=FIELDS",
                help="A resource as NAME=FIELDS, e.g. 'Task=title,done:boolean,due:datetime?,"
                "status:enum(todo|done),project:Project' (repeatable). Default "
                f"'{DEFAULT_RESOURCE}={DEFAULT_FIELDS}'.",
            ),
        ] = None,
        yes: Annotated[
            bool,
            typer.Option(
                "--yes", "-y", help="Ask nothing: take the default of every flag not given."
            ),
        ] = False,
        force: Annotated[
            bool, typer.Option("--force", help="Replace architect.yaml and its schema if there.")
        ] = False,
    ) -> None:
        """Start a spec: write a commented architect.yaml and architect.schema.json (for
        editor completion). On a terminal it asks for the project name, auth, database and
        the first resources; with flags, --yes or --example it asks nothing.

        Exit status: 0 written, 1 cancelled, 2 usage error (a file already there without
        --force, a flag the checker refuses)."""
        from fastapi_architect.init.answers import Issuer, SpecAnswers, project_name_for
        from fastapi_architect.init.build import check_answers, example_text, schema_text
        from fastapi_architect.init.files import InitError, refuse_existing, write_spec_files
        from fastapi_architect.init.render import SPEC_FILE
        from fastapi_architect.spec import check_text

        shaping = [example, name, auth, jwks_url, issuer, audience, database, resource, yes]
        if example is not None and any(v not in (None, False) for v in shaping[1:-1]):
            _stop("--example writes the example as it is: give it without the other spec flags")
        jwks_flags = (jwks_url, issuer, audience)
        if any(v is not None for v in jwks_flags) and auth != "jwks":
            _stop("--jwks-url, --issuer and --audience go with --auth jwks")
        try:
            refuse_existing(directory, force=force)
            out = _out()
            if example is not None:
                text = example_text(example.value)
                summary = f"the {example.value} example"
                problems = check_text(text, SPEC_FILE).problems
                if problems:  # a broken installation
                    _stop(f"the shipped example {example.value} does not pass check", 1)
            elif _interactive(any(v not in (None, False) for v in shaping)):
                from fastapi_architect.init.prompts import Interview

                defaults = SpecAnswers(name=project_name_for(directory.resolve().name))
                answers = Interview(out).run(defaults)
                checked = check_answers(answers)
                if not checked.ok:  # every answer was checked as it was given
                    _stop("the answers do not make a valid spec: nothing written", 1)
                text = checked.rendered.text
                summary = _summary(answers)
            else:
                given_issuer = Issuer()
                given_issuer = replace(
                    given_issuer,
                    url=jwks_url or given_issuer.url,
                    issuer=issuer or given_issuer.issuer,
                    audience=audience or given_issuer.audience,
                )
                answers, said = _flag_answers(
                    directory,
                    name,
                    auth.value if auth else None,
                    database.value if database else None,
                    resource or [],
                    given_issuer,
                )
                text = _spec_from_flags(answers, said)
                summary = _summary(answers)
            written = write_spec_files(directory, text, schema_text(), force=force)
        except InitError as exc:
            _stop(str(exc))
        except LookupError as exc:
            _stop(str(exc), EXIT_PROBLEMS)
        except KeyboardInterrupt:
            _out(stderr=True).print("\ninit cancelled: nothing written", markup=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except EOFError:
            _stop("the input ended before every question was answered: nothing written", 1)
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:  # never a traceback
            _stop(f"init stopped: {type(exc).__name__}: {exc}")
        _next_steps(out, written.spec, directory, summary)


def _summary(answers: SpecAnswers) -> str:
    names = ", ".join(r.name for r in answers.resources)
    plural = "s" if len(answers.resources) != 1 else ""
    return f"{answers.name}: {answers.auth} auth, resource{plural} {names}"
