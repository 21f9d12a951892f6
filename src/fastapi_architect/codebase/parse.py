"""Python 3.8 to 3.14 source to an `ast` tree, whatever interpreter runs this code.

`ast.parse` reads what the running interpreter knows. When it refuses a file, the file is
scanned with a lexer that knows the newer syntax, and each newer construct is lowered to
text the running interpreter reads, keeping every line where it was:

- type parameter lists (PEP 695, with PEP 696 defaults) are blanked: `def f[T](x)` is read
  as `def f   (x)`, `class C[T]:` as `class C   :`;
- `type X[T] = V` is read as the assignment `X = V`, so that it still binds `X`;
- `except A, B:` (PEP 758) is read as `except (A, B):`;
- a string group (implicitly concatenated literals) that holds a PEP 701 f-string or a
  t-string (PEP 750) is read as a placeholder, and its node is built here: literal parts
  decoded, each replacement field parsed on its own (recursively, so nested strings of any
  quote work), a t-string as a `TemplateStr` of `Interpolation`s as in Python 3.14.

Each node then gets the line and column it has in the original file (columns are UTF-8
byte offsets, as `ast` gives them). A file that still cannot be read raises `SyntaxError`
located in the original text.
"""

from __future__ import annotations

import ast
import bisect
import codecs
import re
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from fastapi_architect.codebase.syntax import walk

NEW_STRINGS = sys.version_info >= (3, 12)  # PEP 701 f-strings
NEW_TYPE_PARAMS = sys.version_info >= (3, 12)  # PEP 695
NEW_TYPE_DEFAULTS = sys.version_info >= (3, 13)  # PEP 696
NEW_EXCEPT = sys.version_info >= (3, 14)  # PEP 758
NEW_TEMPLATES = sys.version_info >= (3, 14)  # PEP 750

if sys.version_info >= (3, 14):  # pragma: no cover - read natively
    from ast import Interpolation, TemplateStr
else:

    class TemplateStr(ast.expr):
        """A t-string (`t"..."`), as `ast.TemplateStr` of Python 3.14."""

        _fields = ("values",)

        def __init__(self, values: list[ast.expr]) -> None:
            super().__init__()
            self.values = values

    class Interpolation(ast.expr):
        """One `{...}` of a t-string, as `ast.Interpolation` of Python 3.14."""

        _fields = ("value", "str", "conversion", "format_spec")

        def __init__(
            self, value: ast.expr, str: str, conversion: int, format_spec: ast.expr | None
        ) -> None:
            super().__init__()
            self.value = value
            self.str = str
            self.conversion = conversion
            self.format_spec = format_spec


_PREFIXES = frozenset({"r", "u", "b", "f", "t", "br", "rb", "fr", "rf", "tr", "rt"})
_OPERATOR = re.compile(
    r"\*\*=|//=|>>=|<<=|->|:=|==|!=|<=|>=|\*\*|//|<<|>>|\.\.\.|[-+*/%@&|^<>]=|[^\s\w]"
)
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"[ \t\f]+")


@dataclass(slots=True)
class Field:
    """One `{expression[=][!c][:spec]}` of an f- or t-string, by offsets in the text."""

    start: int
    expr_start: int
    expr_end: int
    debug_end: int | None
    debug_text: str
    conversion: str | None
    spec: list[Chunk | Field] | None
    spec_start: int
    end: int


@dataclass(slots=True)
class Chunk:
    """Literal text between fields."""

    start: int
    end: int


@dataclass(slots=True)
class Piece:
    """One string literal: its prefix (lower case), quote, extent and, for f- and t-strings,
    its literal chunks and fields."""

    prefix: str
    quote: str
    start: int
    end: int
    parts: list[Chunk | Field] = field(default_factory=list)

    @property
    def formatted(self) -> bool:
        return "f" in self.prefix or "t" in self.prefix


@dataclass(slots=True)
class Token:
    kind: Literal["name", "op", "str", "nl", "comment"]
    start: int
    end: int
    value: str
    piece: Piece | None = None


class _Lexer:
    """Tokens of Python 3.14 source, as far as lowering needs them: names, operators,
    strings (with the inside of f- and t-strings), comments, and newlines outside brackets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.length = len(text)

    def error(self, message: str, offset: int) -> SyntaxError:
        return _located_error(self.text, message, offset)

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        depth = 0
        i = 0
        text = self.text
        while i < self.length:
            char = text[i]
            if char in " \t\f":
                i = _SPACE.match(text, i).end()  # type: ignore[union-attr]
            elif char in "\r\n":
                end = i + 2 if text.startswith("\r\n", i) else i + 1
                if depth == 0:
                    out.append(Token("nl", i, end, "\n"))
                i = end
            elif char == "\\" and text.startswith(("\\\n", "\\\r"), i):
                i += 3 if text.startswith("\\\r\n", i) else 2
            elif char == "#":
                end = _line_end(text, i)
                out.append(Token("comment", i, end, text[i:end]))
                i = end
            elif char in "'\"":
                piece = self.string(i, "")
                out.append(Token("str", i, piece.end, "", piece))
                i = piece.end
            elif char.isalnum() or char == "_" or not char.isascii():
                match = _WORD.match(text, i)
                stop = match.end() if match else i + 1
                word = text[i:stop]
                if stop < self.length and text[stop] in "'\"" and _is_prefix(word):
                    piece = self.string(stop, word.lower())
                    piece.start = i
                    out.append(Token("str", i, piece.end, "", piece))
                    i = piece.end
                else:
                    out.append(Token("name", i, stop, word))
                    i = stop
            else:
                match = _OPERATOR.match(text, i)
                stop = match.end() if match else i + 1
                op = text[i:stop]
                if op in "([{":
                    depth += 1
                elif op in ")]}":
                    depth = max(0, depth - 1)
                out.append(Token("op", i, stop, op))
                i = stop
        return out

    def string(self, at: int, prefix: str) -> Piece:
        """The string literal whose quote is at `at`."""
        text = self.text
        quote = text[at : at + 3] if text.startswith(("'''", '"""'), at) else text[at]
        piece = Piece(prefix, quote, at, at)
        i = at + len(quote)
        if piece.formatted:
            piece.parts, i = self.literal(i, piece, in_spec=False)
            piece.end = i + len(quote)
            return piece
        while True:
            if i >= self.length:
                raise self.error("unterminated string literal", at)
            char = text[i]
            if char == "\\":
                i += 3 if text.startswith("\r\n", i + 1) else 2
            elif text.startswith(quote, i):
                piece.end = i + len(quote)
                return piece
            elif char in "\r\n" and len(quote) == 1:
                raise self.error("unterminated string literal", at)
            else:
                i += 1

    def literal(self, i: int, piece: Piece, *, in_spec: bool) -> tuple[list[Chunk | Field], int]:
        """The chunks and fields of an f-string's text (or of a format spec) from `i`, and
        where they stop: at the closing quote, or at the `}` that ends the spec."""
        text, quote = self.text, piece.quote
        raw = "r" in piece.prefix
        parts: list[Chunk | Field] = []
        start = i
        while True:
            if i >= self.length:
                raise self.error("unterminated f-string literal", piece.start)
            char = text[i]
            if text.startswith(quote, i) or (in_spec and char == "}"):
                break
            if char == "\\":
                nxt = text[i + 1 : i + 2]
                if nxt == "N" and not raw and text.startswith("{", i + 2):
                    close = text.find("}", i + 3)
                    i = close + 1 if close != -1 else i + 2
                elif nxt in ("{", "}"):
                    i += 1
                else:
                    i += 3 if text.startswith("\r\n", i + 1) else 2
            elif char == "{":
                if text.startswith("{{", i) and not in_spec:
                    i += 2
                    continue
                if i > start:
                    parts.append(Chunk(start, i))
                fld, i = self.field(i, piece)
                parts.append(fld)
                start = i
            elif char == "}":
                if not text.startswith("}}", i):
                    raise self.error("f-string: single '}' is not allowed", i)
                i += 2
            elif char in "\r\n" and (len(quote) == 1 or in_spec):
                if in_spec:
                    raise self.error("f-string: newlines are not allowed in format specifiers", i)
                raise self.error("unterminated f-string literal", piece.start)
            else:
                i += 1
        if i > start:
            parts.append(Chunk(start, i))
        return parts, i

    def field(self, at: int, piece: Piece) -> tuple[Field, int]:
        """The replacement field whose `{` is at `at`."""
        text = self.text
        i = at + 1
        depth = 0
        debug_end: int | None = None
        debug_text = ""
        expr_end = -1
        op = ""
        while True:
            if i >= self.length:
                raise self.error("f-string: expecting '}'", at)
            char = text[i]
            if char in " \t\f\r\n":
                i += 1
            elif char == "\\" and text.startswith(("\\\n", "\\\r"), i):
                i += 3 if text.startswith("\\\r\n", i) else 2
            elif char == "#":
                i = _line_end(text, i)
            elif char in "'\"":
                i = self.string(i, "").end
            elif char.isalnum() or char == "_" or not char.isascii():
                match = _WORD.match(text, i)
                stop = match.end() if match else i + 1
                if stop < self.length and text[stop] in "'\"" and _is_prefix(text[i:stop]):
                    i = self.string(stop, text[i:stop].lower()).end
                else:
                    i = stop
            else:
                if depth == 0 and (char in "}:" or (char in "!=" and text[i + 1 : i + 2] != "=")):
                    op = char
                    expr_end = i
                    break
                match = _OPERATOR.match(text, i)
                op = match.group() if match else char
                if op in "([{":
                    depth += 1
                elif op in ")]}":
                    depth -= 1
                i += len(op)
        if op == "=":
            i += 1
            debug = [text[at + 1 : i]]
            while i < self.length and text[i] in " \t\f\r\n#":
                stop = _line_end(text, i) if text[i] == "#" else i + 1
                if text[i] != "#":
                    debug.append(text[i])
                i = stop
            debug_end = i
            debug_text = "".join(debug)
            op = text[i : i + 1]
        conversion = None
        if op == "!":
            match = _WORD.match(text, i + 1)
            if match is None:
                raise self.error("f-string: missing conversion character", i + 1)
            conversion = match.group()
            if conversion not in ("s", "r", "a"):
                raise self.error(f"f-string: invalid conversion character {conversion!r}", i + 1)
            i = match.end()
            while i < self.length and text[i] in " \t\f\r\n":
                i += 1
            op = text[i : i + 1]
        spec: list[Chunk | Field] | None = None
        spec_start = i
        if op == ":":
            spec, i = self.literal(i + 1, piece, in_spec=True)
            op = text[i : i + 1]
        if op != "}":
            raise self.error("f-string: expecting '}'", i)
        if expr_end == at + 1 or not text[at + 1 : expr_end].strip():
            raise self.error("f-string: valid expression required before '}'", at)
        found = Field(
            at, at + 1, expr_end, debug_end, debug_text, conversion, spec, spec_start, i + 1
        )
        return found, i + 1


def _is_prefix(word: str) -> bool:
    return word.lower() in _PREFIXES


def _line_end(text: str, i: int) -> int:
    ends = [p for p in (text.find("\n", i), text.find("\r", i)) if p != -1]
    return min(ends) if ends else len(text)


class _Lines:
    """Offsets of the original text to `ast` positions: 1-based lines, byte columns."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        for match in re.finditer(r"\r\n|\r|\n", text):
            self.starts.append(match.end())

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def pos(self, offset: int) -> tuple[int, int]:
        line = self.line_of(offset)
        start = self.starts[line - 1]
        return line, len(self.text[start:offset].encode("utf-8"))


def _located_error(text: str, message: str, offset: int) -> SyntaxError:
    lines = _Lines(text)
    line = lines.line_of(offset)
    start = lines.starts[line - 1]
    source_line = text[start : _line_end(text, start)]
    return SyntaxError(message, ("<unknown>", line, offset - start + 1, source_line))


# ---- lowering ------------------------------------------------------------------------


@dataclass(slots=True)
class _Edit:
    start: int
    end: int
    text: str


def _blank(segment: str, first: str = "") -> str:
    """`segment` as spaces starting with `first`, its line breaks kept and escaped with a
    backslash: a stand-in of the same shape for text that is dropped."""
    lines = re.split(r"(\r\n|\r|\n)", segment)
    out: list[str] = []
    for index in range(0, len(lines), 2):
        filler = " " * len(lines[index])
        if index == 0:
            filler = first + filler[len(first) :]
        if index + 1 < len(lines):
            keep = len(first) if index == 0 else 0
            filler = filler[:-1] + "\\" if len(filler) > keep else filler + "\\"
            out.extend((filler, lines[index + 1]))
        else:
            out.append(filler)
    return "".join(out)


def _placeholder(segment: str) -> str:
    """`(_ ... )` with the shape of `segment` (a string group, at least 3 characters)."""
    chars = [c if c in "\r\n" else " " for c in segment]
    chars[0], chars[1] = "(", "_"
    chars[-1] = ")"
    return "".join(chars)


def _matching(tokens: list[Token], open_index: int) -> int:
    depth = 0
    for index in range(open_index, len(tokens)):
        value = tokens[index].value if tokens[index].kind == "op" else ""
        if value in ("(", "[", "{"):
            depth += 1
        elif value in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


def _has_default(tokens: list[Token], start: int, end: int) -> bool:
    depth = 0
    for token in tokens[start : end + 1]:
        if token.kind != "op":
            continue
        if token.value in ("(", "[", "{"):
            depth += 1
        elif token.value in (")", "]", "}"):
            depth -= 1
        elif token.value == "=" and depth == 1:
            return True
    return False


@dataclass(slots=True)
class _Lowering:
    edits: list[_Edit]
    groups: dict[int, list[Piece]]  # by the offset of the group's first character
    aliases: dict[int, tuple[int, int]]  # `type` offset -> the alias name's (start, end)


def _lower(text: str, tokens: list[Token]) -> _Lowering:
    edits: list[_Edit] = []
    blanked: list[tuple[int, int]] = []
    aliases: dict[int, tuple[int, int]] = {}
    depth = 0
    previous: Token | None = None
    count = len(tokens)
    for index, token in enumerate(tokens):
        if token.kind == "op" and token.value in ("(", "[", "{"):
            depth += 1
        elif token.kind == "op" and token.value in (")", "]", "}"):
            depth = max(0, depth - 1)
        nxt = tokens[index + 1] if index + 1 < count else None
        after = tokens[index + 2] if index + 2 < count else None
        if (
            token.kind == "name"
            and token.value in ("def", "class")
            and nxt is not None
            and nxt.kind == "name"
            and after is not None
            and after.value == "["
            and after.kind == "op"
        ):
            close = _matching(tokens, index + 2)
            if not NEW_TYPE_PARAMS or (
                not NEW_TYPE_DEFAULTS and _has_default(tokens, index + 2, close)
            ):
                start, end = after.start, tokens[close].end
                edits.append(_Edit(start, end, _blank(text[start:end])))
                blanked.append((start, end))
        elif (
            token.kind == "name"
            and token.value == "type"
            and depth == 0
            and (previous is None or previous.kind == "nl" or previous.value in (";", ":"))
            and nxt is not None
            and nxt.kind == "name"
            and after is not None
            and after.kind == "op"
            and after.value in ("=", "[")
        ):
            close = _matching(tokens, index + 2) if after.value == "[" else index + 1
            with_default = after.value == "[" and _has_default(tokens, index + 2, close)
            if not NEW_TYPE_PARAMS:
                start, end = token.start, tokens[close].end
                edits.append(_Edit(start, end, _blank(text[start:end], nxt.value)))
                blanked.append((start, end))
                aliases[start] = (nxt.start, nxt.end)
            elif with_default and not NEW_TYPE_DEFAULTS:
                start, end = after.start, tokens[close].end
                edits.append(_Edit(start, end, _blank(text[start:end])))
                blanked.append((start, end))
        elif token.kind == "name" and token.value == "except" and not NEW_EXCEPT:
            edits.extend(_except_edits(tokens, index))
        previous = token if token.kind != "comment" else previous
    groups: dict[int, list[Piece]] = {}
    for group in _string_groups(tokens):
        start, end = group[0].start, group[-1].end
        if any(a <= start < b for a, b in blanked) or not _needs_building(text, group):
            continue
        groups[start] = group
        edits.append(_Edit(start, end, _placeholder(text[start:end])))
    edits.sort(key=lambda e: (e.start, e.end))
    return _Lowering(edits, groups, aliases)


def _except_edits(tokens: list[Token], index: int) -> list[_Edit]:
    """`except A, B:` / `except* A, B:` -> parentheses around the names."""
    first = index + 1
    if first < len(tokens) and tokens[first].kind == "op" and tokens[first].value == "*":
        first += 1
    depth = 0
    comma = False
    last = first
    for position in range(first, len(tokens)):
        token = tokens[position]
        if token.kind == "nl" or (depth == 0 and token.kind == "name" and token.value == "as"):
            return []
        if token.kind == "comment":
            continue
        if token.kind == "op" and token.value in ("(", "[", "{"):
            depth += 1
        elif token.kind == "op" and token.value in (")", "]", "}"):
            depth -= 1
        elif depth == 0 and token.kind == "op" and token.value == ":":
            break
        elif depth == 0 and token.kind == "op" and token.value == ",":
            comma = True
        last = position
    else:
        return []
    if not comma:
        return []
    opening, closing = tokens[first].start, tokens[last].end
    return [_Edit(opening, opening, "("), _Edit(closing, closing, ")")]


def _string_groups(tokens: list[Token]) -> Iterator[list[Piece]]:
    group: list[Piece] = []
    for token in tokens:
        if token.kind == "str" and token.piece is not None:
            group.append(token.piece)
        elif token.kind == "comment":
            continue
        elif group:
            yield group
            group = []
    if group:
        yield group


def _needs_building(text: str, group: list[Piece]) -> bool:
    if not NEW_TEMPLATES and any("t" in p.prefix for p in group):
        return True
    if NEW_STRINGS or not any("f" in p.prefix for p in group):
        return False
    try:
        ast.parse("(" + text[group[0].start : group[-1].end] + ")", mode="eval")
    except SyntaxError:
        return True
    return False


class _Map:
    """Lowered-text positions back to the original's, line by line, in characters and in
    UTF-8 bytes; lines that no edit touched map to themselves."""

    def __init__(self, text: str, lines: _Lines, edits: list[_Edit]) -> None:
        self.chars: dict[int, list[tuple[int, int, int]]] = {}
        self.bytes: dict[int, list[tuple[int, int, int]]] = {}
        for edit in edits:
            old = re.split(r"\r\n|\r|\n", text[edit.start : edit.end])
            new = re.split(r"\r\n|\r|\n", edit.text)
            line = lines.line_of(edit.start)
            for number, (before, after) in enumerate(zip(old, new, strict=True)):
                if before == after:
                    continue
                row = line + number
                row_start = lines.starts[row - 1]
                col = edit.start - row_start if number == 0 else 0
                prefix = text[row_start : row_start + col]
                self.chars.setdefault(row, []).append((col, col + len(before), len(after)))
                byte_col = len(prefix.encode("utf-8"))
                self.bytes.setdefault(row, []).append(
                    (byte_col, byte_col + len(before.encode("utf-8")), len(after))
                )

    @staticmethod
    def _col(spans: list[tuple[int, int, int]], col: int) -> int:
        delta = 0
        for start, end, size in spans:
            lowered = start + delta
            if col < lowered:
                return col - delta
            if col < lowered + size:
                return start + min(col - lowered, end - start)
            delta += size - (end - start)
        return col - delta

    def byte_col(self, line: int, col: int) -> int:
        spans = self.bytes.get(line)
        return col if spans is None else self._col(spans, col)

    def char_col(self, line: int, col: int) -> int:
        spans = self.chars.get(line)
        return col if spans is None else self._col(spans, col)


def _apply(text: str, edits: list[_Edit]) -> str:
    out: list[str] = []
    at = 0
    for edit in edits:
        out.append(text[at : edit.start])
        out.append(edit.text)
        at = edit.end
    out.append(text[at:])
    return "".join(out)


# ---- building string groups ------------------------------------------------------------


def _decode(raw: str, is_raw: bool) -> str:
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if is_raw or "\\" not in raw:
        return raw
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return codecs.decode(raw.encode("latin-1", "backslashreplace"), "unicode_escape")
        except UnicodeDecodeError:
            if raw.endswith("\\"):
                return _decode(raw[:-1], is_raw) + "\\"
            return raw


def _literal(text: str) -> str | bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = ast.literal_eval(text)
    assert isinstance(value, str | bytes)
    return value


class _Builder:
    """The node of a string group, every position in the original text."""

    def __init__(self, text: str, lines: _Lines) -> None:
        self.text = text
        self.lines = lines

    def locate(self, node: ast.AST, start: int, end: int) -> None:
        node.lineno, node.col_offset = self.lines.pos(start)  # type: ignore[attr-defined]
        node.end_lineno, node.end_col_offset = self.lines.pos(end)  # type: ignore[attr-defined]

    def group(self, pieces: list[Piece]) -> ast.expr:
        templates = [p for p in pieces if "t" in p.prefix]
        if templates and len(templates) != len(pieces):
            plain = next(p for p in pieces if "t" not in p.prefix)
            raise _located_error(
                self.text, "cannot mix t-string literals with string literals", plain.start
            )
        values: list[tuple[ast.expr, int, int]] = []
        for piece in pieces:
            if piece.formatted:
                values.extend(self.parts(piece, piece.parts, template=bool(templates)))
                continue
            value = _literal(self.text[piece.start : piece.end])
            if isinstance(value, bytes):
                raise _located_error(
                    self.text, "cannot mix bytes and nonbytes literals", piece.start
                )
            values.append((ast.Constant(value=value), piece.start, piece.end))
        merged = self.merge(values)
        node = TemplateStr(values=merged) if templates else ast.JoinedStr(values=merged)
        self.locate(node, pieces[0].start, pieces[-1].end)
        return node

    def parts(
        self, piece: Piece, parts: list[Chunk | Field], *, template: bool
    ) -> list[tuple[ast.expr, int, int]]:
        out: list[tuple[ast.expr, int, int]] = []
        raw = "r" in piece.prefix
        for part in parts:
            if isinstance(part, Chunk):
                chunk = self.text[part.start : part.end].replace("{{", "{").replace("}}", "}")
                out.append((ast.Constant(value=_decode(chunk, raw)), part.start, part.end))
                continue
            if part.debug_end is not None:
                debug = ast.Constant(value=_decode(part.debug_text, True))
                out.append((debug, part.expr_start, part.debug_end))
            value = self.expression(part.expr_start, part.expr_end)
            conversion = ord(part.conversion) if part.conversion else -1
            if part.debug_end is not None and part.conversion is None and part.spec is None:
                conversion = ord("r")
            spec: ast.JoinedStr | None = None
            if part.spec is not None:
                spec = ast.JoinedStr(
                    values=self.merge(self.parts(piece, part.spec, template=False))
                )
                self.locate(spec, part.spec_start, part.end - 1)
            node: ast.expr
            if template:
                expression = self.text[part.expr_start : part.expr_end]
                node = Interpolation(
                    value=value, str=expression, conversion=conversion, format_spec=spec
                )
            else:
                node = ast.FormattedValue(value=value, conversion=conversion, format_spec=spec)
            self.locate(node, part.start, part.end)
            out.append((node, part.start, part.end))
        return out

    def merge(self, values: list[tuple[ast.expr, int, int]]) -> list[ast.expr]:
        """Adjacent literal parts as one `Constant`, empty ones dropped, as Python 3.12
        gives them."""
        out: list[ast.expr] = []
        pending: list[tuple[ast.expr, int, int]] = []

        def flush() -> None:
            text = "".join(str(node.value) for node, _, _ in pending)  # type: ignore[attr-defined]
            if text:
                constant = ast.Constant(value=text)
                self.locate(constant, pending[0][1], pending[-1][2])
                out.append(constant)
            pending.clear()

        for item in values:
            if isinstance(item[0], ast.Constant):
                pending.append(item)
            else:
                flush()
                out.append(item[0])
        flush()
        return out

    def expression(self, start: int, end: int) -> ast.expr:
        """A replacement field's expression, parsed on its own and moved to its place."""
        line, col = self.lines.pos(start)
        line_start = self.lines.starts[line - 1]
        try:
            tree = parse_source("(" + self.text[start:end] + ")", mode="eval")
        except SyntaxError as exc:
            lineno = exc.lineno or 1
            offset = (exc.offset or 1) + (start - line_start - 1 if lineno == 1 else 0)
            row = line + lineno - 1
            row_start = self.lines.starts[min(row, len(self.lines.starts)) - 1]
            text = self.text[row_start : _line_end(self.text, row_start)]
            raise SyntaxError(exc.msg, ("<unknown>", row, offset, text)) from None
        assert isinstance(tree, ast.Expression)
        body = tree.body
        spans_parentheses = body.lineno == 1 and body.col_offset == 0
        for node in walk(body):
            if "lineno" in node._attributes and hasattr(node, "lineno"):
                _shift(node, line, col)
        if spans_parentheses:  # `{a, b}`: an unparenthesised tuple, as Python 3.12 places it
            expression = self.text[start:end]
            self.locate(
                body,
                start + len(expression) - len(expression.lstrip()),
                start + len(expression.rstrip()),
            )
        return body


def _shift(node: ast.AST, line: int, col: int) -> None:
    """Move a node parsed from `(` + text that sits at (`line`, `col`) of the original."""
    first = node.lineno  # type: ignore[attr-defined]
    node.lineno = first + line - 1  # type: ignore[attr-defined]
    if first == 1:
        node.col_offset += col - 1  # type: ignore[attr-defined]
    last = getattr(node, "end_lineno", None)
    if last is not None:
        node.end_lineno = last + line - 1  # type: ignore[attr-defined]
        if last == 1:
            node.end_col_offset += col - 1  # type: ignore[attr-defined]


class _Restore(ast.NodeTransformer):
    """Positions back to the original text; placeholders replaced by the groups they stand
    for; `type` aliases' names put back where they were written."""

    def __init__(
        self,
        mapping: _Map,
        holders: dict[tuple[int, int], list[Piece]],
        aliases: dict[tuple[int, int], tuple[tuple[int, int], tuple[int, int]]],
        builder: _Builder,
    ) -> None:
        self.mapping = mapping
        self.holders = holders
        self.aliases = aliases
        self.builder = builder

    def visit(self, node: ast.AST) -> ast.AST:
        if "lineno" in node._attributes and hasattr(node, "lineno"):
            line = node.lineno
            node.col_offset = self.mapping.byte_col(line, node.col_offset)  # type: ignore[attr-defined]
            end = getattr(node, "end_lineno", None)
            if end is not None:
                node.end_col_offset = self.mapping.byte_col(end, node.end_col_offset)  # type: ignore[attr-defined]
            where = (line, node.col_offset)  # type: ignore[attr-defined]
            if isinstance(node, ast.Name) and node.id == "_" and where in self.holders:
                return self.builder.group(self.holders[where])
            if isinstance(node, ast.Assign) and where in self.aliases:
                self.generic_visit(node)
                target = node.targets[0]
                (
                    (target.lineno, target.col_offset),
                    (
                        target.end_lineno,
                        target.end_col_offset,
                    ),
                ) = self.aliases[where]
                return node
        return self.generic_visit(node)


def parse_source(text: str, filename: str = "<unknown>", mode: str = "exec") -> ast.AST:
    """`ast.parse(text)`, for Python 3.8 to 3.14 source on any interpreter that runs this
    code; positions are those of `text`. Raises `SyntaxError`, located in `text`, when the
    text is not Python."""
    try:
        return ast.parse(text, filename=filename, mode=mode)
    except SyntaxError as exc:
        return _parse_lowered(text, filename, mode, exc)


def _parse_lowered(text: str, filename: str, mode: str, native: SyntaxError) -> ast.AST:
    tokens = _Lexer(text).tokens()
    lowering = _lower(text, tokens)
    if not lowering.edits:
        raise native
    lines = _Lines(text)
    mapping = _Map(text, lines, lowering.edits)
    lowered = _apply(text, lowering.edits)
    try:
        tree = ast.parse(lowered, filename=filename, mode=mode)
    except SyntaxError as exc:
        raise _mapped_error(exc, mapping, text, lines, filename) from None
    holders = {lines.pos(start + 1): group for start, group in lowering.groups.items()}
    aliases = {
        lines.pos(start): (lines.pos(name[0]), lines.pos(name[1]))
        for start, name in lowering.aliases.items()
    }
    return _Restore(mapping, holders, aliases, _Builder(text, lines)).visit(tree)


def _mapped_error(
    exc: SyntaxError, mapping: _Map, text: str, lines: _Lines, filename: str
) -> SyntaxError:
    line = exc.lineno or 1
    offset = mapping.char_col(line, (exc.offset or 1) - 1) + 1
    row_start = lines.starts[min(line, len(lines.starts)) - 1]
    source_line = text[row_start : _line_end(text, row_start)]
    error = SyntaxError(exc.msg, (filename, line, offset, source_line))
    if exc.end_lineno is not None and exc.end_offset is not None:
        error.end_lineno = exc.end_lineno
        error.end_offset = mapping.char_col(exc.end_lineno, exc.end_offset - 1) + 1
    return error
