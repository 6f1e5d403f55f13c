"""The business's own text: what the sandbox accepts, refuses, and renders."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Callable

import pytest

from invitekit.exceptions import TemplateError
from invitekit.sandbox import (
    MAX_NESTING,
    MAX_OPERATORS,
    check_body,
    check_subject,
    check_template,
    render_template,
)

VALUES = {"first_name": "Ana", "last_name": "López", "business_name": "Studio One"}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Hi {{ first_name }}!", "Hi Ana!"),
        ("{{ business_name }} - {{ last_name }}", "Studio One - López"),
        ("{{ first_name|upper }} {{ business_name | lower }}", "ANA studio one"),
        ("{% if first_name %}Dear {{ first_name }}{% else %}Hello{% endif %}", "Dear Ana"),
        ("{% if not last_name and first_name %}x{% else %}y{% endif %}", "y"),
        ("Plain text with {% raw %}{{ braces }}{% endraw %}", "Plain text with {{ braces }}"),
        ('{{ "quoted text" }}', "quoted text"),
    ],
)
def test_documented_placeholders_filters_and_if_render(source: str, expected: str) -> None:
    assert render_template(source, VALUES) == expected


def test_a_missing_first_name_renders_empty() -> None:
    assert render_template("[{{ first_name }}]", {"business_name": "X"}) == "[]"


ESCAPES = [
    pytest.param("{{ first_name.__class__ }}", "attribute access", id="__class__"),
    pytest.param("{{ first_name.__class__.__mro__ }}", "attribute access", id="__mro__"),
    pytest.param("{{ self.__init__.__globals__ }}", "attribute access", id="__globals__"),
    pytest.param("{{ self }}", "unknown placeholder 'self'", id="self"),
    pytest.param("{{ cycler.__init__.__globals__.os }}", "attribute access", id="cycler-globals"),
    pytest.param("{{ cycler('a', 'b') }}", "calling a function", id="cycler-call"),
    pytest.param("{{ joiner() }}", "calling a function", id="joiner"),
    pytest.param("{{ lipsum() }}", "calling a function", id="lipsum"),
    pytest.param("{{ namespace(a=1) }}", "calling a function", id="namespace"),
    pytest.param("{{ range(10**9) }}", "calling a function", id="range"),
    pytest.param("{% for i in range(10**9) %}x{% endfor %}", "loops", id="range-loop"),
    pytest.param("{% for c in first_name %}{{ c }}{% endfor %}", "loops", id="loop"),
    pytest.param("{% include 'email.html' %}", "{% include %}", id="include"),
    pytest.param("{% extends 'email.html' %}", "{% extends %}", id="extends"),
    pytest.param("{% import 'x' as x %}", "{% import %}", id="import"),
    pytest.param("{% from 'x' import y %}", "{% from ... import %}", id="from-import"),
    pytest.param(
        "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "macros", id="recursive-macro"
    ),
    pytest.param("{% set x = first_name %}{{ x }}", "{% set %}", id="set"),
    pytest.param("{{ first_name|attr('__class__') }}", "unknown filter 'attr'", id="attr-filter"),
    pytest.param("{{ first_name|format('%s') }}", "unknown filter 'format'", id="format-filter"),
    pytest.param("{{ first_name|upper('x') }}", "takes no arguments", id="filter-arguments"),
    pytest.param("{{ first_name['__class__'] }}", "item access", id="item-access"),
    pytest.param("{{ first_name is defined }}", "tests", id="test"),
    pytest.param("{{ 9 ** 9 ** 9 }}", "arithmetic", id="power"),
    pytest.param("{{ first_name * 1000000 }}", "arithmetic", id="repeat"),
    pytest.param("{{ config }}", "unknown placeholder 'config'", id="unknown-name"),
    pytest.param("{{ email }}", "unknown placeholder 'email'", id="not-a-placeholder"),
]


@pytest.mark.parametrize(("source", "problem"), ESCAPES)
def test_escape_attempts_are_refused_with_what_is_wrong(source: str, problem: str) -> None:
    with pytest.raises(TemplateError) as caught:
        check_template(source)
    assert problem in str(caught.value)


def test_the_error_names_the_line_of_the_problem() -> None:
    with pytest.raises(TemplateError) as caught:
        check_body("Hello {{ first_name }},\n\nWelcome!\n{{ first_name.__class__ }}")
    assert caught.value.lineno == 4
    assert "body, line 4" in str(caught.value)


def test_a_syntax_error_is_a_template_error_with_its_line() -> None:
    with pytest.raises(TemplateError) as caught:
        check_body("one\ntwo {{ first_name\nthree")
    assert caught.value.lineno is not None
    assert str(caught.value).startswith("body, line ")


def test_rendering_refuses_what_checking_refuses() -> None:
    with pytest.raises(TemplateError, match="calling a function"):
        render_template("{{ range(10**9) }}", VALUES)


@pytest.mark.parametrize("subject", ["Hi\r\nBcc: x@example.com", "Hi\nthere", "Hi\rthere"])
def test_a_subject_with_a_line_break_is_refused(subject: str) -> None:
    with pytest.raises(TemplateError, match="single line"):
        check_subject(subject)


def test_a_subject_with_a_nul_is_refused() -> None:
    with pytest.raises(TemplateError, match="control character"):
        check_subject("Hi\x00there")


def test_a_body_with_a_nul_is_refused_naming_the_line() -> None:
    with pytest.raises(TemplateError, match="body, line 2: contains a control character"):
        check_body("fine\nnot\x00fine")


def test_a_body_keeps_its_paragraphs_with_unix_line_endings() -> None:
    assert check_body("  One\r\n\r\nTwo\rthree  ") == "One\n\nTwo\nthree"


@pytest.mark.parametrize(("check", "field"), [(check_subject, "subject"), (check_body, "body")])
def test_empty_text_is_refused(check: object, field: str) -> None:
    assert callable(check)
    with pytest.raises(TemplateError, match=f"the {field} is empty"):
        check("   ")


def test_a_very_long_body_is_refused() -> None:
    with pytest.raises(TemplateError, match="longer than 10000"):
        check_body("x" * 10_001)


# Deep templates: the parser, the check and the compiler recurse per level ----------------

DEEP = [
    pytest.param(
        "{% if first_name %}" * 300 + "x" + "{% endif %}" * 300, "nested more than", id="300-ifs"
    ),
    pytest.param(
        "{{ " + "(" * 3000 + "first_name" + ")" * 3000 + " }}",
        "parentheses are nested",
        id="3000-parentheses",
    ),
    pytest.param(
        "{% if " + "not " * 2000 + "first_name %}x{% endif %}", "operators", id="2000-nots"
    ),
    pytest.param("{{ first_name" + "|upper" * 1500 + " }}", "operators", id="1500-filters"),
    pytest.param(
        "{% if " + " or ".join(["first_name"] * 1500) + " %}x{% endif %}",
        "operators",
        id="1500-ors",
    ),
    pytest.param(
        "{% for x in y %}" * 300 + "{% endfor %}" * 300, "nested more than", id="300-loops"
    ),
    pytest.param(
        "{% set x %}" * 300 + "{% endset %}" * 300, "nested more than", id="300-set-blocks"
    ),
    pytest.param(
        "{% endif %}" * 100 + "{% if first_name %}" * 300 + "{% endif %}" * 300,
        "nested more than",
        id="ends-first",
    ),
]


@pytest.mark.parametrize(("source", "problem"), DEEP)
def test_a_deep_template_is_refused_when_checked_not_a_recursion_error(
    source: str, problem: str
) -> None:
    with pytest.raises(TemplateError, match=problem) as caught:
        check_template(source)
    assert caught.value.lineno == 1


@pytest.mark.parametrize(("source", "problem"), DEEP)
def test_a_deep_template_is_refused_when_rendered(source: str, problem: str) -> None:
    with pytest.raises(TemplateError, match=problem):
        render_template(source, VALUES)


def test_templates_at_the_bounds_render() -> None:
    condition = "not " * 4 + "(" * 5 + " and ".join(["first_name"] * 10) + ")" * 5
    shown = "{{ " + "(" * MAX_NESTING + "first_name" + "|upper" * 10 + ")" * MAX_NESTING + " }}"
    source = ("{% if " + condition + " %}") * MAX_NESTING + shown + "{% endif %}" * MAX_NESTING
    assert check_body(source) == source
    assert render_template(source, VALUES) == "ANA"
    assert render_template("{% if first_name %}x{% endif %}" * 500, VALUES) == "x" * 500
    many = "{{ first_name" + "|trim" * MAX_OPERATORS + " }}"
    assert render_template(many, VALUES) == "Ana"


def test_rendering_with_little_stack_left_is_a_template_error() -> None:
    # Compiled templates are cached: a comment of its own makes this one new.
    source = (
        "{% if first_name %}" * MAX_NESTING
        + f"{{# {secrets.token_hex(8)} #}}{{{{ first_name }}}}"
        + "{% endif %}" * MAX_NESTING
    )

    def deep(levels: int) -> str:
        return render_template(source, VALUES) if levels == 0 else deep(levels - 1)

    with pytest.raises(TemplateError, match="nested too deeply"):
        deep(sys.getrecursionlimit() - 60)


@pytest.mark.parametrize(
    ("check", "source", "field", "code", "lineno"),
    [
        (check_subject, "  ", "subject", "empty", None),
        (check_subject, "Hello\nBcc: x", "subject", "line_break", 2),
        (check_body, "Hi\n\n{{ password }}", "body", "not_allowed", 3),
        (check_body, "Hi {{ first_name ", "body", "syntax", 1),
        (
            check_body,
            "{{ " + "(" * (MAX_NESTING + 1) + "first_name" + ")" * 9 + " }}",
            "body",
            "too_complex",
            1,
        ),
    ],
)
def test_a_refused_template_says_why_as_a_stable_code(
    check: Callable[[str], str], source: str, field: str, code: str, lineno: int | None
) -> None:
    with pytest.raises(TemplateError) as refused:
        check(source)
    assert (refused.value.field, refused.value.code, refused.value.lineno) == (field, code, lineno)


def test_a_text_naming_only_the_business_renders_each_business_name() -> None:
    source = "{{ business_name | upper }} welcomes you"

    first = render_template(source, {"business_name": "Studio", "first_name": "Ana"})
    second = render_template(source, {"business_name": "Club", "first_name": "Ana"})
    again = render_template(source, {"business_name": "Studio", "first_name": "Bea"})

    assert (first, second, again) == ("STUDIO welcomes you", "CLUB welcomes you", first)


def test_a_text_naming_the_customer_renders_each_customer() -> None:
    source = "{{ business_name }}: hello {{ first_name }} {{ last_name }}"

    ana = render_template(source, {"business_name": "Studio", "first_name": "Ana"})
    bea = render_template(
        source, {"business_name": "Studio", "first_name": "Bea", "last_name": "Ruiz"}
    )

    assert (ana, bea) == ("Studio: hello Ana ", "Studio: hello Bea Ruiz")
