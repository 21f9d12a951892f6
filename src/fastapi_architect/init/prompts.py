"""`init` on a terminal: the questions, each with its default on Enter, and every answer
checked by the spec checker before the next question, so that the spec written passes
`check`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TextIO

from rich.console import Console
from rich.prompt import Confirm, Prompt

from fastapi_architect.init.answers import (
    AUTH_MODES,
    ENGINES,
    FIELD_TYPES,
    FIELDS_NOTATION,
    AnswerError,
    FieldAnswer,
    Issuer,
    ResourceAnswer,
    SpecAnswers,
    check_links,
    parse_fields,
    project_name_for,
)
from fastapi_architect.init.build import check_answers
from fastapi_architect.init.defaults import DEFAULT_FIELDS, DEFAULT_RESOURCE
from fastapi_architect.init.render import AUTH, PROJECT
from fastapi_architect.spec import Problem
from fastapi_architect.spec.names import pascal_case

# Stands in for the resources while the project's own questions are checked.
_PLACEHOLDER = ResourceAnswer("Note", (FieldAnswer("title"),), owned=False)


def _show(console: Console, problems: Sequence[Problem]) -> None:
    for problem in problems:
        console.print(f"  problem: {problem.message}", markup=False, highlight=False)
        if problem.hint:
            console.print(f"  hint: {problem.hint}", markup=False, highlight=False)


def _problems(answers: SpecAnswers, *sections: str) -> list[Problem]:
    if not answers.resources:
        answers = replace(answers, resources=(_PLACEHOLDER,))
    checked = check_answers(answers)
    return [p for section in sections for p in checked.problems.get(section, ())]


class Interview:
    """One `init` session on `console`; answers are read from `stream` (the terminal when
    None)."""

    def __init__(self, console: Console, stream: TextIO | None = None) -> None:
        self.console = console
        self.stream = stream

    def _ask(self, question: str, default: str, choices: Sequence[str] | None = None) -> str:
        answer = Prompt.ask(
            question,
            console=self.console,
            default=default,
            show_default=bool(default),
            choices=list(choices) if choices else None,
            stream=self.stream,
        )
        return str(answer).strip()

    def _until_valid(
        self,
        ask: Callable[[str], str],
        check: Callable[[str], list[Problem]],
        suggest: Callable[[str], str],
    ) -> str:
        """Ask until the checker finds nothing; after a refused answer the default is
        `suggest(answer)`."""
        default = ""
        while True:
            value = ask(default)
            problems = check(value)
            if not problems:
                return value
            _show(self.console, problems)
            default = suggest(value)

    def run(self, defaults: SpecAnswers) -> SpecAnswers:
        say = self.console.print
        say("A spec to start from: answer each question, or press Enter for the default.")
        name = self._until_valid(
            lambda last: self._ask("Project name (like taskflow)", last or defaults.name),
            lambda value: _problems(replace(defaults, name=value), PROJECT),
            project_name_for,
        )
        answers = replace(defaults, name=name)
        auth = self._ask(
            "Auth mode - builtin (sign-up and login here), jwks (tokens from Better Auth, Auth0 or "
            "any OIDC issuer) or none (a public API)",
            defaults.auth,
            AUTH_MODES,
        )
        answers = replace(answers, auth=next(m for m in AUTH_MODES if m == auth))
        if answers.auth == "jwks":
            answers = replace(answers, issuer=self._issuer(answers))
        database = self._ask(
            "Production database (development and tests use SQLite)", defaults.database, ENGINES
        )
        answers = replace(answers, database=next(e for e in ENGINES if e == database))
        say(
            "Resources: one table and its REST endpoints each. Name them in PascalCase; "
            f"{FIELDS_NOTATION}. Types: {', '.join(FIELD_TYPES)}.",
            markup=False,
            highlight=False,
        )
        resources: list[ResourceAnswer] = []
        while True:
            resource = self._resource(answers, resources)
            if resource is None:
                break
            resources.append(resource)
        return replace(answers, resources=tuple(resources))

    def _issuer(self, answers: SpecAnswers) -> Issuer:
        issuer = answers.issuer
        while True:
            issuer = Issuer(
                url=self._ask("The issuer's JWKS URL", issuer.url),
                issuer=self._ask("Its issuer (the `iss` claim)", issuer.issuer),
                audience=self._ask("Your API's audience (the `aud` claim)", issuer.audience),
            )
            problems = _problems(replace(answers, issuer=issuer), AUTH)
            if not problems:
                return issuer
            _show(self.console, problems)

    def _fields(self, name: str, default: str) -> tuple[tuple[FieldAnswer, ...], str]:
        while True:
            text = self._ask(f"Fields of {name}", default)
            try:
                return parse_fields(text), text
            except AnswerError as exc:
                self.console.print(f"  problem: {exc}", markup=False, highlight=False)
                default = text

    def _resource(
        self, answers: SpecAnswers, earlier: list[ResourceAnswer]
    ) -> ResourceAnswer | None:
        first = not earlier
        number = len(earlier) + 1
        name_default = DEFAULT_RESOURCE if first else ""
        fields_default = DEFAULT_FIELDS
        owned_default = answers.auth_enabled
        taken = {r.name for r in earlier}
        while True:
            if first:
                name = self._ask(f"Resource {number}", name_default)
            else:
                name = self._ask(f"Resource {number} (Enter to finish)", name_default)
                if not name:
                    return None
            if name in taken:
                self.console.print(f"  problem: {name} is declared already", markup=False)
                continue
            fields, fields_default = self._fields(name, fields_default)
            try:
                check_links(ResourceAnswer(name, fields), {*taken, name, "User"})
            except AnswerError as exc:
                self.console.print(f"  problem: {exc}", markup=False, highlight=False)
                name_default = name
                continue
            owned = False
            if answers.auth_enabled:
                owned = Confirm.ask(
                    f"Does each {name} belong to the user who creates it (others get a 404)?",
                    console=self.console,
                    default=owned_default,
                    stream=self.stream,
                )
            resource = ResourceAnswer(name, fields, owned=owned)
            checked = check_answers(replace(answers, resources=(*earlier, resource)))
            if checked.ok:
                return resource
            _show(self.console, [p for found in checked.problems.values() for p in found])
            name_default, owned_default = pascal_case(name) or name, owned
