#!/usr/bin/env python3
"""Writes one man page per function declared in include/kimi.h, from the
header as tools/kimi_header.py reads it (as curl has a page per function).

    python3 man/gen_man.py OUT_DIR        # writes OUT_DIR/man3/kimi_*.3

A function's page holds its declaration, the comment written for it (the
doc comment just above it, or, for a run of declarations under one comment,
that comment), the comments of the types it names, what it returns (its
statuses, from the prose, or the ownership of the pointer it returns), the
ownership of its arguments and whether it may block (from its tags), and
the other functions of its header section under SEE ALSO. The page's
one-line summary is the comment's first sentence. Nothing here is
hand-edited: change the header and run it again."""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import kimi_header  # noqa: E402


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


def status_meaning(header, name):
    constant = next((c for c in header.constants if c.name == name), None)
    return summary(constant.doc, name) + "." if constant and constant.doc else ("Success." if name == "KIMI_OK" else "")


def fn(name):
    """A function named in generated text, as man pages set it."""
    return f"\\fB{name}\\fP(3)"


def returns_section(header, f):
    """RETURN VALUE: the statuses the prose names, or what the pointer or
    value returned is, by the tags."""
    tags = f.tags
    if f.returns == "void":
        return []
    lines = [".SH RETURN VALUE"]
    if f.returns == "kimi_status":
        lines += [".PP", "One of these statuses (see DESCRIPTION for when); on failure "
                  f"{fn('kimi_error_message')} and the other kimi_error_* functions tell more:"]
        for status in header.statuses(f):
            lines += [".TP", f".B {status}", roff(status_meaning(header, status))]
        return lines
    if f.returns.endswith("*"):
        pointee = kimi_header.normalize_type(f.returns[:-1].replace("const ", ""))
        thing = "A string" if pointee == "char" else "Untouched user data" if pointee == "void" \
            else f"A \\fB{pointee}\\fP"
        if tags.returns == "owned":
            free = kimi_header.free_function(header, pointee)
            text = f"{thing} the caller owns: free it with {fn(free)}. NULL on failure, with the last error set."
        elif tags.returns == "static":
            text = f"{thing} that lives as long as the program; never free it."
        else:
            text = f"{thing} borrowed from the library, valid as DESCRIPTION says; never free it."
            if tags.accessor and pointee == "char":
                text += ' Never NULL: "" when there is nothing.'
        return lines + [".PP", text]
    text = "The field's value; reading it never fails." if tags.accessor else "The value DESCRIPTION names."
    return lines + [".PP", text]


def ownership_section(header, f):
    """OWNERSHIP: what each argument hands over or receives, by the tags."""
    tags = f.tags
    items = []
    for p in f.params:
        said = []
        if p.name == tags.frees:
            said.append("freed by this call; NULL does nothing")
        kind = tags.out.get(p.name)
        if kind:
            received = kimi_header.normalize_type(p.pointee.replace("const ", ""))
            if kind == "scalar":
                said.append("receives a number")
            elif kind == "owned":
                inner = received[:-1].strip()
                what = "a string" if inner == "char" else f"a new \\fB{inner}\\fP"
                said.append(f"receives {what} the caller owns (free it with "
                            f"{fn(kimi_header.free_function(header, inner))})")
            else:
                inner = received[:-1].strip()
                what = "a string" if inner == "char" else "a pointer" if inner == "void" else f"a \\fB{inner}\\fP"
                said.append(f"receives {what} borrowed from the library, valid as DESCRIPTION says (never free it)")
        if f.nullable(p.name) and p.name != tags.frees:
            said.append("may be NULL")
        if said:
            text = "; ".join(said)  # made of identifiers and fixed words: nothing to escape
            items += [".TP", f".I {p.name}", text[0].upper() + text[1:] + "."]
    if not items:
        return []
    return [".SH OWNERSHIP"] + items


def blocking_section(f):
    if f.is_blocking:
        text = ("May wait: for the network, a timer, another thread or file I/O. Bindings release their "
                "interpreter's lock around it (Python's GIL).")
    else:
        text = "Returns without waiting for the network, a timer or another thread."
    return [".SH BLOCKING", ".PP", text]


def page(header, f, siblings):
    declaration = f.signature()
    # Left-aligned and unhyphenated: long identifiers would otherwise stretch lines.
    lines = [f'.TH {f.name.upper()} 3 "" "libkimi {header.version}" "libkimi Manual"', ".ad l", ".nh",
             ".SH NAME", f"{f.name} \\- {roff(summary(f.doc, f.name))}",
             ".SH SYNOPSIS", ".nf", ".B #include <kimi.h>", ".PP", roff(wrap(declaration + ";")), ".fi",
             ".PP", "Link with \\fB\\-lkimi\\fP (\\fBpkg\\-config \\-\\-cflags \\-\\-libs libkimi\\fP)."]
    lines += [".SH DESCRIPTION"]
    if f.doc:
        lines += [paragraph(p) for p in f.doc]
    else:
        lines += [".PP", f"Part of the {roff(f.section)} functions; see the functions below and libkimi(3)."]
    named = [t for t in header.type_docs if re.search(r"\b" + re.escape(t) + r"\b", declaration)]
    for type_name in named:
        lines += [".SS " + roff(type_name)] + [paragraph(p) for p in header.type_docs[type_name]]
    lines += returns_section(header, f) + ownership_section(header, f) + blocking_section(f)
    lines += [".SH SEE ALSO", ",\n".join([".BR libkimi (3)"] + [f".BR {s} (3)" for s in siblings if s != f.name])]
    return "\n".join(lines) + "\n"


def main(out):
    header = kimi_header.parse()
    problems = kimi_header.check(header)
    if problems:  # the pages say what the tags say: only from tags that hold
        sys.exit("\n".join("include/kimi.h " + p for p in problems))
    os.makedirs(os.path.join(out, "man3"), exist_ok=True)
    by_section = {}
    for f in header.functions:
        by_section.setdefault(f.section, []).append(f.name)
    for f in header.functions:
        with open(os.path.join(out, "man3", f.name + ".3"), "w") as page_file:
            page_file.write(page(header, f, by_section[f.section]))
    print(f"{len(header.functions)} pages in {os.path.join(out, 'man3')}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
