"""Text from outside: characters that hide or reorder what a reader sees.

An address or a name is read by people -- in a list of customers, in the
greeting of an email -- so it must show what it is.  Some characters do not:

* **invisible** ones: zero-width spaces and joiners, the byte order mark, soft
  hyphens, variation selectors, Hangul fillers, tag characters (U+E0000-E007F)
  and every other *default ignorable* code point of Unicode, which renderers
  skip;
* **direction-changing** ones: bidirectional embeddings, overrides and
  isolates (U+202A-202E, U+2066-2069) and the directional marks (a
  right-to-left override before ``moc.elpmaxe@ana`` displays it as
  ``ana@example.com``);
* every other *format* character (general category ``Cf``), and the Unicode
  line and paragraph separators (U+2028, U+2029).

:func:`first_invisible` finds the first of them; the address parser and the
name checks refuse text that has one, naming it with :func:`describe`.

:func:`quoted` is how an error message quotes outside input (and
:func:`shorten` how it passes on a dependency's message that may quote some):
short, and with every control, invisible or direction-changing character
replaced, so that a message can neither grow with its input nor hide what it
says.
"""

from __future__ import annotations

import unicodedata

__all__ = ["MAX_QUOTED", "describe", "first_invisible", "quoted", "shorten"]

#: At most this many characters of outside input are quoted in an error message.
MAX_QUOTED = 80

# Default_Ignorable_Code_Point (Unicode's DerivedCoreProperties.txt) beyond the
# format characters, which are refused by category: the combining grapheme
# joiner, Hangul and Khmer fillers, Mongolian and other variation selectors,
# and the whole tag and ignorable planes.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0xE0000, 0xE0FFF),
)
_REFUSED_CATEGORIES = frozenset({"Cf", "Zl", "Zp"})


def _is_invisible(char: str) -> bool:
    if unicodedata.category(char) in _REFUSED_CATEGORIES:
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _IGNORABLE_RANGES)


def first_invisible(text: str) -> str | None:
    """The first invisible or direction-changing character of ``text``, or ``None``.

    Control characters (CR, LF, NUL, ...) are not counted here: callers refuse
    them with a message of their own.
    """
    return next((char for char in text if not char.isascii() and _is_invisible(char)), None)


def describe(char: str) -> str:
    """Name one character for an error message: ``U+202E (RIGHT-TO-LEFT OVERRIDE)``.

    The character itself is never shown, so the message cannot hide or reorder
    the text around it.
    """
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}"
    return f"{code} ({name})" if name else code


def quoted(value: object, *, limit: int = MAX_QUOTED) -> str:
    """Quote outside input for an error message: at most ``limit`` characters, all visible.

    Text is cut by :func:`shorten` and put in quotes, as ``repr`` writes it;
    anything else is quoted by its ``repr``, cut the same way.  Use it for every
    value an error message quotes, so a 1 MB id gives a short message.

    >>> quoted("ana@example.com")
    "'ana@example.com'"
    >>> quoted("x" * 1_000_000, limit=10)
    "'xxxxxxx...'"
    """
    if isinstance(value, str):
        return repr(shorten(value, limit=limit))
    return shorten(repr(value), limit=limit)


def shorten(text: str, *, limit: int = MAX_QUOTED) -> str:
    """``text`` cut to ``limit`` characters (ending in ``...`` when cut), all visible.

    Each control, invisible or direction-changing character becomes U+FFFD, so
    the result can neither hide nor reorder what surrounds it.  For a message of
    a dependency that may quote outside input (a jinja2 syntax error); values
    are quoted with :func:`quoted`.  The work done does not grow with ``text``.
    """
    cut = text[: limit + 1]
    if len(cut) > limit:
        cut = cut[: max(limit - 3, 0)] + "..."
    return "".join(
        char if char.isprintable() and not _is_invisible(char) else "\N{REPLACEMENT CHARACTER}"
        for char in cut
    )
