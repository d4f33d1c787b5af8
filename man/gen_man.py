#!/usr/bin/env python3
"""Writes one man page per function declared in include/kimi.h, from the
header's doc comments (as curl has a page per function).

    python3 man/gen_man.py OUT_DIR        # writes OUT_DIR/man3/kimi_*.3

A function's page holds its declaration, the comment written for it (the
doc comment just above it, or, for a run of declarations under one comment,
that comment), the comments of the types and enums it names, and the other
functions of its header section under SEE ALSO. The page's one-line summary
is the comment's first sentence. Nothing here is hand-edited: change the
header and run it again."""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = os.path.join(ROOT, "include", "kimi.h")
SECTION = re.compile(r"/\* -{20,} \*/\n/\* (.+?)\s*\*/\n/\* -{20,} \*/")
COMMENT = re.compile(r"/\*\*?(.*?)\*/", re.S)
DECLARATION = re.compile(r"^KIMI_API\s+([^;]*?\b(kimi_\w+)\s*\([^;]*?\))\s*;", re.S | re.M)


def version():
    return re.search(r'#define KIMI_VERSION "([^"]+)"', open(HEADER).read()).group(1)


def clean(comment):
    """The text of a comment, without its stars, as paragraphs."""
    lines = []
    for line in comment.splitlines():
        line = re.sub(r"^\s*\*( |$)", "", line).rstrip()
        lines.append(line.strip() if not line.startswith("  ") else line)
    text = "\n".join(lines).strip()
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def parse(text):
    """[(name, declaration, doc paragraphs, section)] in header order."""
    banners = [(m.start(), m.end(), m.group(1)) for m in SECTION.finditer(text)]
    tokens = [(b[0], "section", b[2], b[1]) for b in banners]
    for m in COMMENT.finditer(text):
        if not any(start <= m.start() < end for start, end, _ in banners):
            tokens.append((m.start(), "comment", clean(m.group(1)), m.end()))
    for m in DECLARATION.finditer(text):
        tokens.append((m.start(), "function", (m.group(2), " ".join(m.group(1).split())), m.end()))
    tokens.sort(key=lambda t: t[0])
    functions, section, doc, doc_end = [], "", [], 0
    for position, kind, value, end in tokens:
        if kind == "section":
            section, doc = value, []
        elif kind == "comment":
            doc, doc_end = value, end
        else:
            # The comment just above it, or the one over its run of declarations.
            between = re.sub(r"KIMI_API[^;]*;", "", text[doc_end:position], flags=re.S)
            functions.append((value[0], value[1], doc if not between.strip() else [], section))
    return functions


def roff(text):
    """Escapes text for man(7)."""
    text = text.replace("\\", "\\e")
    out = []
    for line in text.split("\n"):
        if line.startswith((".", "'")):
            line = "\\&" + line
        out.append(line)
    return "\n".join(out)


def paragraph(text):
    """A doc paragraph: prose is filled; indented lines (code) are kept."""
    lines = text.split("\n")
    if any(line.startswith("  ") for line in lines):
        return ".PP\n.nf\n" + roff(text) + "\n.fi"
    return ".PP\n" + roff(" ".join(line.strip() for line in lines))


def wrap(declaration, width=72):
    """The declaration over lines of at most `width`, arguments aligned
    after the opening parenthesis (no-fill text cannot be broken by troff)."""
    if len(declaration) <= width:
        return declaration
    head, rest = declaration.split("(", 1)
    indent = " " * min(len(head) + 1, 24)
    lines, line = [], head + "("
    for argument in [a.strip() for a in rest.split(",")]:
        piece = argument if line.endswith("(") else " " + argument
        if len(line) + len(piece) + 1 > width and not line.endswith("("):
            lines.append(line)
            line = indent + argument
        else:
            line += piece
        line += "," if not argument.endswith(";") else ""
    lines.append(line)
    return "\n".join(lines)


def summary(doc, name):
    if not doc:
        return f"{name} (see libkimi(3))"
    first = " ".join(doc[0].split()).replace("e.g.", "e\0g\0").replace("i.e.", "i\0e\0")
    sentence = re.split(r"(?<=[a-z)\"'`])\.\s", first + " ", maxsplit=1)[0].rstrip(". ")
    return sentence.replace("\0", ".")


def page(name, declaration, doc, section, siblings, types, release):
    # Left-aligned and unhyphenated: long identifiers would otherwise stretch lines.
    lines = [f'.TH {name.upper()} 3 "" "libkimi {release}" "libkimi Manual"', ".ad l", ".nh",
             ".SH NAME", f"{name} \\- {roff(summary(doc, name))}",
             ".SH SYNOPSIS", ".nf", ".B #include <kimi.h>", ".PP", roff(wrap(declaration + ";")), ".fi",
             ".PP", "Link with \\fB\\-lkimi\\fP (\\fBpkg\\-config \\-\\-cflags \\-\\-libs libkimi\\fP)."]
    lines += [".SH DESCRIPTION"]
    if doc:
        lines += [paragraph(p) for p in doc]
    else:
        lines += [".PP", f"Part of the {roff(section)} functions; see the functions below and libkimi(3)."]
    named = [t for t in types if re.search(r"\b" + re.escape(t) + r"\b", declaration)]
    for type_name in named:
        lines += [".SS " + roff(type_name)] + [paragraph(p) for p in types[type_name]]
    lines += [".SH SEE ALSO", ",\n".join([".BR libkimi (3)"] + [f".BR {s} (3)" for s in siblings if s != name])]
    return "\n".join(lines) + "\n"


def types_of(text):
    """The doc comments of typedefs and of the callback types (by name)."""
    found = {}
    for m in re.finditer(r"/\*\*((?:(?!\*/).)*)\*/\s*typedef\s+[^;{]*?\(?\*?\s*(kimi_\w+)\)?\s*[;(]", text, re.S):
        found[m.group(2)] = clean(m.group(1))
    return found


def main(out):
    text = open(HEADER).read()
    functions = parse(text)
    types = types_of(text)
    release = version()
    os.makedirs(os.path.join(out, "man3"), exist_ok=True)
    by_section = {}
    for name, _, _, section in functions:
        by_section.setdefault(section, []).append(name)
    for name, declaration, doc, section in functions:
        with open(os.path.join(out, "man3", name + ".3"), "w") as f:
            f.write(page(name, declaration, doc, section, by_section[section], types, release))
    print(f"{len(functions)} pages in {os.path.join(out, 'man3')}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
