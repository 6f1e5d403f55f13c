"""The text a business edits: checked when saved, rendered in jinja2's sandbox.

A business's subject and body are jinja2 templates restricted to a short,
documented list of placeholders (:data:`PLACEHOLDERS`), ``{% if %}`` on them,
and a few harmless filters (:data:`FILTERS`).  The restriction is enforced twice:

* :func:`check_template` reads the template's syntax tree and refuses anything
  else -- an unknown name, attribute or item access, a call (``range(10**9)``,
  ``cycler()``, ``lipsum()``), a loop, a macro, ``{% include %}``,
  ``{% extends %}``, ``{% import %}``, ``{% set %}`` -- with a
  :class:`~invitekit.exceptions.TemplateError` that names the problem and its line.
  This is what makes a bad template fail when it is *saved*, not when a campaign
  is sent.
* :func:`render_template` renders in an
  :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` with no globals, no
  tests, only the allowed filters and no loader, so even a template that were to
  slip past the check could reach nothing.

Parsing, checking and compiling a template are recursive, so its *shape* is
bounded too, before any of them runs: blocks (``{% if %}``) nest at most
:data:`MAX_NESTING` deep, parentheses at most :data:`MAX_NESTING` deep in one
placeholder or condition, and a placeholder or condition has at most
:data:`MAX_OPERATORS` operators (``not``, ``and``, ``or``, ``|``).  A template
past a bound is refused with a :class:`~invitekit.exceptions.TemplateError`
that says which, never a ``RecursionError``; rendering repeats the check, and
turns what the compiler still refuses into a ``TemplateError`` as well.

The output is plain text; HTML escaping happens in the email layout.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import jinja2
import jinja2.meta
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from invitekit.exceptions import TemplateError
from invitekit.text import quoted, shorten

__all__ = [
    "FILTERS",
    "MAX_BODY_LENGTH",
    "MAX_NESTING",
    "MAX_OPERATORS",
    "MAX_SUBJECT_LENGTH",
    "PLACEHOLDERS",
    "check_body",
    "check_subject",
    "check_template",
    "render_template",
]

#: The placeholders a business may use, and what each one is.
PLACEHOLDERS: Mapping[str, str] = {
    "first_name": "the customer's first name (empty when unknown)",
    "last_name": "the customer's last name (empty when unknown)",
    "business_name": "the business's name",
}

#: The filters a business may apply to a placeholder, without arguments.
FILTERS: Mapping[str, str] = {
    "upper": "ALL CAPITALS",
    "lower": "all lower case",
    "capitalize": "First letter capital, the rest lower case",
    "title": "Each Word Capitalised",
    "trim": "without surrounding spaces",
}

MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 10_000
#: How deep blocks (``{% if %}`` in ``{% if %}``) and parentheses may nest.
MAX_NESTING = 10
#: How many operators (``not``, ``and``, ``or``, ``|`` ...) one placeholder or condition may have.
MAX_OPERATORS = 20

# Tags that open a block closed by an {% end... %} tag ({% set %} only without "=").
_BLOCK_TAGS = frozenset(
    {"if", "for", "macro", "call", "filter", "block", "with", "autoescape", "trans", "set"}
)
_WORD_OPERATORS = frozenset({"not", "and", "or", "is", "in", "if", "else"})
_OPENING_BRACKETS = frozenset("([{")
_CLOSING_BRACKETS = frozenset(")]}")

# The nodes that only hold other nodes or plain text.
_STRUCTURE = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.If)
# Boolean logic over placeholders in an {% if %}.
_LOGIC = (nodes.Not, nodes.And, nodes.Or)

# What to call a refused node in an error message.
_DESCRIBE: dict[type[nodes.Node], str] = {
    nodes.For: "loops ({% for %})",
    nodes.Macro: "macros ({% macro %})",
    nodes.CallBlock: "call blocks ({% call %})",
    nodes.Include: "{% include %}",
    nodes.Extends: "{% extends %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from ... import %}",
    nodes.Block: "blocks ({% block %})",
    nodes.Assign: "{% set %}",
    nodes.AssignBlock: "{% set %}",
    nodes.With: "{% with %}",
    nodes.FilterBlock: "filter blocks ({% filter %})",
    nodes.Call: "calling a function",
    nodes.Getattr: "attribute access (a dot after a name)",
    nodes.Getitem: "item access ([...] after a name)",
    nodes.Test: "tests (is ...)",
    nodes.Compare: "comparisons",
    nodes.BinExpr: "arithmetic",
    nodes.UnaryExpr: "arithmetic",
    nodes.CondExpr: "inline if ... else",
    nodes.Concat: "joining with ~",
    nodes.Slice: "slices",
    nodes.List: "lists",
    nodes.Tuple: "tuples",
    nodes.Dict: "dictionaries",
    nodes.ExprStmt: "{% do %}",
    nodes.Scope: "scoped blocks",
}

_ENVIRONMENT = ImmutableSandboxedEnvironment(
    autoescape=False,
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)
# Nothing but the placeholders is reachable: no range, cycler, joiner, lipsum,
# namespace, dict; no tests; only the documented filters.
_ENVIRONMENT.globals.clear()
_ENVIRONMENT.tests.clear()
_ENVIRONMENT.filters = {name: _ENVIRONMENT.filters[name] for name in FILTERS}


def check_template(source: str, *, field: str = "body") -> None:
    """Refuse ``source`` unless it uses only the documented placeholders and filters.

    Args:
        source: the template text.
        field: ``"subject"`` or ``"body"``, named in the error.

    Raises:
        TemplateError: the template does not parse, or uses something not allowed;
            the message says what and on which line (``lineno`` holds it too).
    """
    if not isinstance(source, str):
        raise TemplateError(f"the {field} must be text", field=field, code="not_text")
    try:
        _check_shape(source, field)
        tree = _ENVIRONMENT.parse(source)
        _check_node(tree, field=field, in_test=False)
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(
            f"{field}, line {err.lineno}: {shorten(err.message or 'syntax error', limit=200)}",
            field=field,
            code="syntax",
            lineno=err.lineno,
        ) from err
    except RecursionError:
        # Only when called with the stack nearly full already: the bounds keep
        # a template's own depth far below the limit.
        raise _too_deep(field) from None


def _check_shape(source: str, field: str) -> None:
    """Refuse deep nesting and long expressions from the tokens, before anything recursive runs.

    The lexer is a loop over regular expressions; the parser, :func:`_check_node`
    and jinja2's compiler recurse once per level of nesting and per operator.
    """
    blocks = brackets = operators = 0
    tag: str | None = None  # the tag name of the {% ... %} being read
    assigns = False
    for lineno, kind, value in _ENVIRONMENT.lex(source):
        if kind in ("block_begin", "variable_begin"):
            brackets = operators = 0
            tag, assigns = ("" if kind == "block_begin" else None), False
        elif kind == "name" and tag == "":
            tag = value
        elif kind == "name" and value in _WORD_OPERATORS:
            operators += 1
        elif kind == "operator" and value in _OPENING_BRACKETS:
            brackets += 1
            if brackets > MAX_NESTING:
                raise TemplateError(
                    f"{field}, line {lineno}: parentheses are nested more than {MAX_NESTING} deep",
                    field=field,
                    code="too_complex",
                    lineno=lineno,
                )
        elif kind == "operator" and value in _CLOSING_BRACKETS:
            brackets -= 1
        elif kind == "operator":
            operators += 1
            assigns = assigns or value == "="
        elif kind == "block_end" and tag:
            if tag.startswith("end"):
                blocks = max(blocks - 1, 0)
            elif tag in _BLOCK_TAGS and not (tag == "set" and assigns):
                blocks += 1
                if blocks > MAX_NESTING:
                    raise TemplateError(
                        f"{field}, line {lineno}: blocks ({{% {tag} %}}) are nested more "
                        f"than {MAX_NESTING} deep",
                        field=field,
                        code="too_complex",
                        lineno=lineno,
                    )
        if operators > MAX_OPERATORS:
            raise TemplateError(
                f"{field}, line {lineno}: a placeholder or condition has more than "
                f"{MAX_OPERATORS} operators",
                field=field,
                code="too_complex",
                lineno=lineno,
            )


def _too_deep(field: str) -> TemplateError:
    return TemplateError(
        f"the {field} is nested too deeply: at most {MAX_NESTING} levels of blocks or "
        f"parentheses and {MAX_OPERATORS} operators in a placeholder or condition",
        field=field,
        code="too_complex",
    )


def _check_node(node: nodes.Node, *, field: str, in_test: bool) -> None:
    if isinstance(node, nodes.If):
        _check_node(node.test, field=field, in_test=True)
        for child in [*node.body, *node.elif_, *node.else_]:
            _check_node(child, field=field, in_test=False)
        return
    if isinstance(node, _STRUCTURE):
        pass
    elif isinstance(node, nodes.Name):
        if node.ctx != "load" or node.name not in PLACEHOLDERS:
            _refuse(
                node,
                field,
                f"unknown placeholder {quoted(node.name)}; the placeholders are "
                f"{_listed(PLACEHOLDERS)}",
            )
    elif isinstance(node, nodes.Const):
        if not isinstance(node.value, str):
            _refuse(node, field, "only text and placeholders may be shown")
    elif isinstance(node, nodes.Filter):
        if node.name not in FILTERS:
            _refuse(
                node,
                field,
                f"unknown filter {quoted(node.name)}; the filters are {_listed(FILTERS)}",
            )
        if node.args or node.kwargs or node.dyn_args or node.dyn_kwargs:
            _refuse(node, field, f"the filter {quoted(node.name)} takes no arguments")
    elif in_test and isinstance(node, _LOGIC):
        pass
    else:
        what = next(
            (text for kind, text in _DESCRIBE.items() if isinstance(node, kind)),
            type(node).__name__,
        )
        _refuse(node, field, f"{what} is not allowed; use only {_listed(PLACEHOLDERS)}")
    for child in node.iter_child_nodes():
        _check_node(child, field=field, in_test=in_test)


def _refuse(node: nodes.Node, field: str, message: str) -> None:
    lineno = getattr(node, "lineno", None)
    raise TemplateError(
        f"{field}, line {lineno}: {message}", field=field, code="not_allowed", lineno=lineno
    )


def _listed(names: Mapping[str, str]) -> str:
    return ", ".join(sorted(names))


def check_subject(subject: str) -> str:
    """Check a business's subject line; return it trimmed.

    A subject is one line: a subject with a line break (CR, LF) or another
    control character is refused, not silently joined, so the business sees
    exactly what customers will see.

    Raises:
        TemplateError: empty, longer than :data:`MAX_SUBJECT_LENGTH`, several
            lines, control characters, or not allowed template syntax.
    """
    if not isinstance(subject, str):
        raise TemplateError("the subject must be text", field="subject", code="not_text")
    text = subject.strip()
    if not text:
        raise TemplateError("the subject is empty", field="subject", code="empty")
    if any(ch in text for ch in "\r\n\u2028\u2029\x85"):
        raise TemplateError(
            "the subject must be a single line", field="subject", code="line_break", lineno=2
        )
    if any(not ch.isprintable() for ch in text):
        raise TemplateError(
            "the subject contains a control character",
            field="subject",
            code="control_character",
        )
    if len(text) > MAX_SUBJECT_LENGTH:
        raise TemplateError(
            f"the subject is longer than {MAX_SUBJECT_LENGTH} characters",
            field="subject",
            code="too_long",
            limit=MAX_SUBJECT_LENGTH,
        )
    check_template(text, field="subject")
    return text


def check_body(body: str) -> str:
    """Check a business's body text; return it with line endings made ``\\n``.

    Paragraphs are separated by a blank line; each is kept as a paragraph in the
    HTML part.

    Raises:
        TemplateError: empty, longer than :data:`MAX_BODY_LENGTH`, control
            characters other than line breaks and tabs, or not allowed template syntax.
    """
    if not isinstance(body, str):
        raise TemplateError("the body must be text", field="body", code="not_text")
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise TemplateError("the body is empty", field="body", code="empty")
    for number, line in enumerate(text.split("\n"), start=1):
        if any(not ch.isprintable() and ch != "\t" for ch in line):
            raise TemplateError(
                f"body, line {number}: contains a control character",
                field="body",
                code="control_character",
                lineno=number,
            )
    if len(text) > MAX_BODY_LENGTH:
        raise TemplateError(
            f"the body is longer than {MAX_BODY_LENGTH} characters",
            field="body",
            code="too_long",
            limit=MAX_BODY_LENGTH,
        )
    check_template(text, field="body")
    return text


@functools.lru_cache(maxsize=256)
def _compiled(source: str, field: str) -> jinja2.Template:
    """Check and compile once: a campaign renders one text for many customers."""
    check_template(source, field=field)
    try:
        return _ENVIRONMENT.from_string(source)
    except (RecursionError, SyntaxError):
        # Python's compiler has limits of its own (100 levels of indentation);
        # the bounds of check_template keep templates far below them.
        raise _too_deep(field) from None


@functools.lru_cache(maxsize=256)
def _uses_only_the_business(source: str, field: str) -> bool:
    """Whether ``source`` names no placeholder but ``business_name`` (checked first).

    Such a text (the shipped ones) renders the same for every customer of a
    business: the sandbox offers nothing else, and its filters are pure.
    """
    _compiled(source, field)  # refuses a template that is not allowed
    used = jinja2.meta.find_undeclared_variables(_ENVIRONMENT.parse(source))
    return used <= {"business_name"}


@functools.lru_cache(maxsize=256)
def _rendered_for_business(source: str, field: str, business_name: str) -> str:
    """``source`` rendered for a business (no customer datum: see _uses_only_the_business)."""
    values = dict.fromkeys(PLACEHOLDERS, "")
    values["business_name"] = business_name
    return _compiled(source, field).render(values)


def render_template(source: str, context: Mapping[str, str], *, field: str = "body") -> str:
    """Render a business's template with the placeholder values in ``context``.

    The template is checked first (:func:`check_template`); unknown keys of
    ``context`` are not offered to it.

    Raises:
        TemplateError: the template is not allowed or fails to render.
    """
    values = {name: context.get(name, "") for name in PLACEHOLDERS}
    try:
        if _uses_only_the_business(source, field):
            # The same text for every customer: rendered once per business name.
            return _rendered_for_business(source, field, values["business_name"])
        return _compiled(source, field).render(values)
    except jinja2.TemplateError as err:
        raise TemplateError(
            f"{field}: {shorten(str(err), limit=200)}", field=field, code="syntax"
        ) from err
    except RecursionError:
        raise _too_deep(field) from None
