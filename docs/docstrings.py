"""Docstring touch-ups for the rendered pages (a Griffe extension, also used by gen_pages.py).

The loss docstrings are numpydoc written for Sphinx and for ``help()``; two habits of theirs do not
survive mkdocstrings' numpy parser, so they are rewritten before parsing (the source is unchanged):

* Sphinx roles, ``:func:`dice``` or ``:func:`unilosses.dice```, become cross-references to the
  loss's entry (plain code for names that are not public losses).
* A free paragraph inside the "Parameters" section ("Other arguments as in ...") would be parsed as
  a parameter named "Other": it moves just above the section.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import griffe

ROLE = re.compile(r":(?:func|class|mod|meth|attr|data|obj):`~?([\w.]+)`")
PARAM = re.compile(r"^\*{0,2}\w+(\s*,\s*\*{0,2}\w+)*\s*(:.*)?$")
HEADER = re.compile(r"^-{3,}\s*$")


@cache
def identifiers() -> dict[str, str]:
    """Public loss name -> the identifier of its documented function."""
    import unilosses

    out = {}
    for name in unilosses.__all__:
        fn = getattr(unilosses, name)
        out[name] = f"{fn.__module__}.{fn.__name__}"
    return out


def roles_to_links(text: str) -> str:
    """Sphinx roles as Markdown: links to public losses, code spans otherwise."""

    def link(m: re.Match[str]) -> str:
        target = m.group(1)
        name = target.rsplit(".", 1)[-1]
        ident = identifiers().get(name) if target in (name, f"unilosses.{name}") else None
        return f"[`{name}`][{ident}]" if ident else f"`{target}`"

    return ROLE.sub(link, text)


def lift_free_paragraphs(text: str) -> str:
    """Moves paragraphs of the Parameters section that describe no parameter above the section."""
    lines = text.split("\n")
    try:
        start = next(
            i for i in range(len(lines) - 1)
            if lines[i].strip() == "Parameters" and HEADER.match(lines[i + 1].strip())
        )
    except StopIteration:
        return text
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = next(
        (i - 1 for i in range(start + 2, len(lines)) if HEADER.match(lines[i].strip())),
        len(lines),
    )
    body = lines[start + 2 : end]
    kept: list[str] = []
    lifted: list[str] = []
    i = 0
    while i < len(body):
        line = body[i]
        at_base = line.strip() and len(line) - len(line.lstrip()) == indent
        after_blank = i == 0 or not body[i - 1].strip()
        if at_base and after_blank and not PARAM.match(line.strip()):
            j = i
            while j < len(body) and body[j].strip():
                j += 1
            lifted += [*body[i:j], ""]
            i = j
            continue
        kept.append(line)
        i += 1
    if not lifted:
        return text
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join([*lines[:start], *lifted, *lines[start : start + 2], *kept, "", *lines[end:]])


def fix(text: str) -> str:
    return roles_to_links(lift_free_paragraphs(text))


class DocstringFixes(griffe.Extension):
    """Applies :func:`fix` to every docstring Griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fix(obj.docstring.value)
