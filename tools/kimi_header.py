#!/usr/bin/env python3
"""The one reader of include/kimi.h.

Everything that reads the header goes through `parse()`: the man pages
(man/gen_man.py), the Python function table (tools/gen_python.py), the ABI
checks (Tests/abi/) and the Python and install tests. It gives, per
function, the return type, each parameter's type and name, the doc comment,
the section, and the tags:

    /*@ of(kimi_client) blocks out(out: owned) null(opts) */
    KIMI_API kimi_status kimi_client_new(const kimi_client_options *opts, kimi_client **out);

A tag comment (`/*@ ... */`, one or more lines) sits right above each
KIMI_API declaration, below its prose. Its words, in this order:

    of(T)          the object the function belongs to: the handle type it
                   works on (its first parameter's) or makes; `library`
                   or `last_error` for functions of neither
    frees(p)       it frees `p` (a kimi_x_free, or kimi_string_free)
    blocks         it may wait: on the network, a timer, another thread or
                   file I/O of any size (Python releases the GIL for it)
    accessor       it reads a field: never fails, never blocks; a NULL
                   first parameter reads as absent ("", 0 or -1)
    returns(k)     a returned pointer is `owned` (the caller frees it),
                   `borrowed` (valid as the prose says) or `static`
    out(p: k, ...) out-parameters, each receiving an `owned` handle or
                   string, a `borrowed` one, or a `scalar`
    null(p, ...)   parameters that may be NULL (as the prose says)

    python3 tools/kimi_header.py          checks every tag against its
                                          signature; exits 1 on a problem
    python3 tools/kimi_header.py --list   one line per function and tags
"""

import bisect
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = os.path.join(ROOT, "include", "kimi.h")

SCALARS = ("kimi_status", "int", "int32_t", "int64_t", "uint32_t", "uint64_t", "size_t", "double")
PSEUDO_OWNERS = ("library", "last_error")
TAG_WORDS = ("of", "frees", "blocks", "accessor", "returns", "out", "null")
RETURN_KINDS = ("owned", "borrowed", "static")
OUT_KINDS = ("owned", "borrowed", "scalar")

SECTION = re.compile(r"/\* -{20,} \*/\n/\* (.+?)\s*\*/\n/\* -{20,} \*/")
COMMENT = re.compile(r"/\*.*?\*/", re.S)
DECLARATION = re.compile(r"^KIMI_API\s+([^;{]*?)\b(kimi_\w+)\s*\(([^;{]*?)\)\s*;", re.S | re.M)
HANDLE = re.compile(r"^typedef\s+struct\s+(kimi_\w+)\s+(kimi_\w+)\s*;", re.M)
CALLBACK = re.compile(r"^typedef\s+([^;{]*?)\(\s*\*\s*(kimi_\w+)\s*\)\s*\(([^;{]*?)\)\s*;", re.S | re.M)
TYPEDEF = re.compile(r"^typedef\s+[^;{]*?\(?\*?\s*(kimi_\w+)\)?\s*[;(]", re.S | re.M)
ENUM = re.compile(r"\benum\s*\{(.*?)\}\s*;", re.S)
ENUMERATOR = re.compile(r"\b(KIMI_[A-Z0-9_]+)\s*(?:=\s*(-?\w+)\s*)?(?=,|$)")
STATUS = re.compile(r"\bKIMI_(?:OK|E_[A-Z_]+)\b")
# Prose that hands a function's statuses over to another function's.
STATUS_REFERENCE = re.compile(r"[Ss]tatus(?:es)? (?:of|as) (kimi_\w+)|[Ss]tatus(?:es)? (kimi_\w+) (?:would )?return"
                              r"|[Rr]eturns as (kimi_\w+)|[Oo]therwise as (kimi_\w+)")


class HeaderError(Exception):
    """The header cannot be read as the contract is written."""


def normalize_type(text):
    """'const  kimi_x*' -> 'const kimi_x *'; pointers as ' *', '**'."""
    text = " ".join(text.replace("*", " * ").split())
    return re.sub(r"\* \*", "**", re.sub(r"\* \*", "**", text))


class Parameter:
    def __init__(self, ctype, name):
        self.type = ctype        # normalized, e.g. "const kimi_chat_request *"
        self.name = name

    @property
    def is_pointer(self):
        return self.type.endswith("*")

    @property
    def pointee(self):
        """The type pointed at: 'kimi_chat_response *' for
        'kimi_chat_response **', 'const kimi_x' for 'const kimi_x *'."""
        return normalize_type(self.type[:-1]) if self.is_pointer else None

    @property
    def handle(self):
        """The handle type of a `kimi_x *` or `const kimi_x *`, else None."""
        if self.is_pointer and self.type.count("*") == 1:
            return normalize_type(self.type[:-1].replace("const ", ""))
        return None

    @property
    def is_const(self):
        return self.type.startswith("const ")

    def declaration(self):
        return self.type + ("" if self.type.endswith("*") else " ") + self.name

    def __repr__(self):
        return f"Parameter({self.type!r}, {self.name!r})"


class Tags:
    """A tag comment, read (not yet checked against the signature)."""

    def __init__(self, text, line):
        self.text = " ".join(text.split())
        self.line = line
        self.owner = None
        self.frees = None
        self.blocks = False
        self.accessor = False
        self.returns = None
        self.out = {}            # parameter name -> "owned" | "borrowed" | "scalar"
        self.null = ()
        self.problems = []
        self._read()

    def _read(self):
        seen = []
        position = 0
        for m in re.finditer(r"\s*(\w+)(?:\(([^()]*)\))?", self.text, re.ASCII):
            if m.start() != position:
                break
            position = m.end()
            word, argument = m.group(1), m.group(2)
            if word not in TAG_WORDS:
                self.problems.append(f"unknown tag {word!r}")
                continue
            if word in seen:
                self.problems.append(f"tag {word!r} given twice")
                continue
            seen.append(word)
            takes_argument = word not in ("blocks", "accessor")
            if takes_argument != (argument is not None):
                self.problems.append(f"tag {word!r} " + ("needs (...)" if takes_argument else "takes no (...)"))
                continue
            if word == "of":
                self.owner = argument.strip()
            elif word == "frees":
                self.frees = argument.strip()
            elif word == "blocks":
                self.blocks = True
            elif word == "accessor":
                self.accessor = True
            elif word == "returns":
                self.returns = argument.strip()
            elif word == "out":
                for item in argument.split(","):
                    name, _, kind = (part.strip() for part in item.partition(":"))
                    if name in self.out:
                        self.problems.append(f"out({name}) given twice")
                    self.out[name] = kind
            elif word == "null":
                self.null = tuple(name.strip() for name in argument.split(","))
        if position != len(self.text):
            self.problems.append(f"cannot read the tags from {self.text[position:]!r}")
        if seen != sorted(seen, key=TAG_WORDS.index):
            self.problems.append("tags out of order: write them as " + " ".join(TAG_WORDS))


class Function:
    def __init__(self, name, returns, params, tags, doc, group, section, line):
        self.name = name
        self.returns = returns   # normalized type, e.g. "const char *"
        self.params = params
        self.tags = tags         # Tags, or None when the declaration has none
        self.doc = doc           # paragraphs of the prose written for it
        self.group = group       # paragraphs of the comment introducing its group, if any
        self.section = section
        self.line = line

    def signature(self):
        params = ", ".join(p.declaration() for p in self.params) or "void"
        return self.returns + ("" if self.returns.endswith("*") else " ") + f"{self.name}({params})"

    def param(self, name):
        return next((p for p in self.params if p.name == name), None)

    @property
    def is_blocking(self):
        return bool(self.tags and self.tags.blocks)

    def nullable(self, name):
        """True when the tags say `name` may be NULL (an accessor's first
        parameter always may)."""
        if not self.tags:
            return False
        first = self.params[0] if self.params else None
        return name in self.tags.null or (self.tags.accessor and first is not None and first.name == name
                                          and first.handle == self.tags.owner)


class Callback:
    def __init__(self, name, returns, params, doc):
        self.name, self.returns, self.params, self.doc = name, returns, params, doc


class Constant:
    def __init__(self, name, value, doc):
        self.name, self.value, self.doc = name, value, doc


class Header:
    def __init__(self, text):
        self.text = text
        self.functions = []
        self.handles = []        # every `typedef struct kimi_x kimi_x;`
        self.callbacks = {}      # name -> Callback
        self.constants = []      # every enumerator, in order
        self.type_docs = {}      # typedef name -> paragraphs of the /** */ comment right above it
        self.stray_tags = []     # tag comments with no declaration below
        self.version = None      # KIMI_VERSION, e.g. "0.3.0"
        self.version_parts = None  # (KIMI_VERSION_MAJOR, _MINOR, _PATCH)

    def function(self, name):
        return next((f for f in self.functions if f.name == name), None)

    @property
    def names(self):
        return [f.name for f in self.functions]

    def statuses(self, function, seen=None):
        """The statuses `function` can return as its prose tells them (its
        own comment, else its group's), following "the statuses of
        kimi_x"; KIMI_OK first. Empty for functions not returning one."""
        if function.returns != "kimi_status":
            return []
        seen = (seen or set()) | {function.name}
        for paragraphs in (function.doc, function.group):
            text = " ".join(" ".join(paragraphs).split())
            found = STATUS.findall(text)
            references = [next(g for g in m.groups() if g) for m in STATUS_REFERENCE.finditer(text)]
            for name in references:
                other = self.function(name)
                if other and name not in seen:
                    found += self.statuses(other, seen)
            if found:
                ordered = ["KIMI_OK"] + [c.name for c in self.constants if c.name in found and c.name != "KIMI_OK"]
                return ordered
        return []


def clean(comment):
    """The text of a comment (with its /* */), without its stars, as paragraphs."""
    body = re.sub(r"^/\*+|\*/$", "", comment)
    lines = []
    for line in body.splitlines():
        line = re.sub(r"^\s*\*( |$)", "", line).rstrip()
        lines.append(line.strip() if not line.startswith("  ") else line)
    text = "\n".join(lines).strip()
    return [p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip()]


def split_params(text):
    params = []
    text = " ".join(text.split())
    if text in ("", "void"):
        return params
    for piece in text.split(","):
        m = re.match(r"^(.*?)(\w+)\s*$", piece.strip())
        if not m or not m.group(1).strip():
            raise HeaderError(f"cannot read the parameter {piece.strip()!r}")
        params.append(Parameter(normalize_type(m.group(1)), m.group(2)))
    return params


def parse(text=None):
    """Reads a header (kimi.h's text by default). Tags are read where they
    are; `check()` says what is missing or wrong."""
    if text is None:
        with open(HEADER) as f:
            text = f.read()
    header = Header(text)
    version = re.search(r'#define KIMI_VERSION "([^"]+)"', text)
    header.version = version.group(1) if version else None
    parts = [re.search(rf"#define KIMI_VERSION_{part} (\d+)", text) for part in ("MAJOR", "MINOR", "PATCH")]
    header.version_parts = tuple(int(m.group(1)) for m in parts) if all(parts) else None
    newlines = [m.start() for m in re.finditer("\n", text)]
    line_of = lambda position: bisect.bisect_left(newlines, position) + 1

    banners = [(m.start(), m.end(), m.group(1)) for m in SECTION.finditer(text)]
    in_banner = lambda position: any(start <= position < end for start, end, _ in banners)
    comments = [m for m in COMMENT.finditer(text) if not in_banner(m.start())]
    # The code alone (comments blanked, positions kept) for declarations.
    code = COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)

    tokens = [(start, "section", title, end) for start, end, title in banners]
    for m in comments:
        kind = "tag" if m.group(0).startswith("/*@") else "doc" if m.group(0).startswith("/**") else "plain"
        tokens.append((m.start(), kind, m.group(0), m.end()))
    for m in DECLARATION.finditer(code):
        tokens.append((m.start(), "function", m, m.end()))
    header.handles = [m.group(2) for m in HANDLE.finditer(code)]
    for m in CALLBACK.finditer(code):
        header.callbacks[m.group(2)] = Callback(m.group(2), normalize_type(m.group(1)), split_params(m.group(3)), [])
    for m in TYPEDEF.finditer(code):
        tokens.append((m.start(), "type", m.group(1), m.end()))
    tokens.sort(key=lambda t: t[0])

    section, doc, doc_kind, doc_end, group, pending_tag = "", [], None, 0, [], None
    between_is_empty = lambda start, end: not re.sub(r"/\*@.*?\*/|^KIMI_API[^;]*;", "", text[start:end],
                                                       flags=re.S | re.M).strip()
    for index, (position, kind, value, end) in enumerate(tokens):
        if kind == "section":
            section, doc, group = value, [], []
        elif kind in ("doc", "plain"):
            doc, doc_kind, doc_end = clean(value), kind, end
            following = tokens[index + 1][1] if index + 1 < len(tokens) else None
            if kind == "plain" and following in ("doc", "plain"):
                group = doc  # introduces the documented declarations below it
        elif kind == "tag":
            if pending_tag:
                header.stray_tags.append(pending_tag)
            pending_tag = (value, position, end)
        elif kind == "type":
            if doc_kind == "doc" and not text[doc_end:position].strip():
                header.type_docs[value] = doc  # a /** */ comment right above it
                if value in header.callbacks:
                    header.callbacks[value].doc = doc
            doc = []
        else:
            m = value
            tags = None
            if pending_tag and not text[pending_tag[2]:position].strip():
                tags = Tags(pending_tag[0][3:-2], line_of(pending_tag[1]))
            elif pending_tag:
                header.stray_tags.append(pending_tag)
            pending_tag = None
            own = doc if doc and between_is_empty(doc_end, position) else []
            header.functions.append(Function(m.group(2), normalize_type(m.group(1)), split_params(m.group(3)), tags,
                                             own, group, section, line_of(position)))
    if pending_tag:
        header.stray_tags.append(pending_tag)
    header.stray_tags = [line_of(position) for _, position, _ in header.stray_tags]

    for block in ENUM.finditer(text):
        body = block.group(1)
        for m in ENUMERATOR.finditer(COMMENT.sub(lambda c: " " * len(c.group(0)), body)):
            before = body[:m.start()]
            last = list(COMMENT.finditer(before))
            # A constant's doc is the comment right above it.
            doc = clean(last[-1].group(0)) if last and not before[last[-1].end():].strip(" \n,") else []
            value = m.group(2)
            header.constants.append(Constant(m.group(1), int(value) if value and value.lstrip("-").isdigit() else value,
                                             doc))
    return header


# ------------------------------------------------------------------ checks


def free_function(header, pointee):
    """The function that frees what a `pointee *` points at, or None."""
    name = "kimi_string_free" if pointee == "char" else f"{pointee}_free"
    return name if name in header.names else None


def check(header):
    """Every problem with the tags, as "line N: kimi_x: what" strings."""
    problems = [f"line {line}: a tag comment with no KIMI_API declaration right below it"
                for line in header.stray_tags]
    handles = set(header.handles)
    for f in header.functions:
        say = lambda what: problems.append(f"line {f.line}: {f.name}: {what}")
        t = f.tags
        if t is None:
            say("no tags: write /*@ of(...) ... */ right above the declaration")
            continue
        for problem in t.problems:
            say(problem)
        params = {p.name: p for p in f.params}
        first = f.params[0] if f.params else None
        first_handle = first.handle if first and first.handle in handles else None
        made = {p.pointee[:-2] for p in f.params if t.out.get(p.name) == "owned" and p.type.endswith("**")}
        if t.returns == "owned" and f.returns.endswith("*"):
            made.add(normalize_type(f.returns[:-1].replace("const ", "")))

        # of(...)
        if t.owner is None:
            say("no of(...): say which object it belongs to")
        elif t.owner in PSEUDO_OWNERS:
            if any(p.handle in handles for p in f.params) or made & handles:
                say(f"of({t.owner}) but it works on a handle: name the handle's type")
            if t.owner == "last_error" and not f.name.startswith("kimi_error_"):
                say("of(last_error) is for the kimi_error_* functions")
        elif t.owner not in handles:
            say(f"of({t.owner}): not a handle type of the header")
        elif t.owner != first_handle and t.owner not in made:
            say(f"of({t.owner}): neither the type of its first parameter nor a handle it makes")

        # frees(...)
        if f.name.endswith("_free") and not t.frees:
            say("a _free function without frees(...)")
        if t.frees:
            freed = params.get(t.frees)
            if freed is None:
                say(f"frees({t.frees}): no such parameter")
            else:
                if f.returns != "void":
                    say(f"frees({t.frees}) but it returns {f.returns}, not void")
                if len(f.params) != 1:
                    say(f"frees({t.frees}) but it takes {len(f.params)} parameters")
                if not freed.is_pointer or freed.type.count("*") != 1 or freed.is_const:
                    say(f"frees({t.frees}): {freed.type} is not a pointer it could free")
                else:
                    expected = "kimi_string_free" if freed.pointee == "char" else f"{freed.pointee}_free"
                    if f.name != expected:
                        say(f"frees({t.frees}): what frees {freed.type} is {expected}")
                if t.frees not in t.null:
                    say(f"frees({t.frees}) without null({t.frees}): freeing NULL does nothing")

        # accessor, blocks
        if t.accessor:
            if t.blocks:
                say("blocks on an accessor: reading a field never waits")
            if f.returns in ("void", "kimi_status"):
                say(f"accessor returning {f.returns}: accessors return the field and never fail")
            if t.owner not in PSEUDO_OWNERS and (first_handle is None or first_handle != t.owner):
                say("accessor whose first parameter is not its object")
            if t.frees or any(kind == "owned" for kind in t.out.values()):
                say("accessor that frees or hands over ownership")
            if first_handle and first.name in t.null:
                say(f"null({first.name}) on an accessor: an accessor's object may always be NULL")

        # returns(...)
        if f.returns.endswith("*"):
            if t.returns is None:
                say(f"returns {f.returns} without returns(owned|borrowed|static)")
            elif t.returns not in RETURN_KINDS:
                say(f"returns({t.returns}): write one of {', '.join(RETURN_KINDS)}")
            elif t.returns == "owned":
                pointee = normalize_type(f.returns[:-1])
                if pointee.startswith("const ") or not free_function(header, pointee):
                    say(f"returns(owned) on {f.returns}: the caller could not free it")
            elif t.returns == "static" and f.returns != "const char *":
                say("returns(static) is for static strings")
        elif t.returns is not None:
            say(f"returns({t.returns}) but it returns {f.returns}, not a pointer")

        # out(...)
        for name, kind in t.out.items():
            p = params.get(name)
            if p is None:
                say(f"out({name}): no such parameter")
                continue
            if kind not in OUT_KINDS:
                say(f"out({name}: {kind}): write one of {', '.join(OUT_KINDS)}")
            elif not p.is_pointer or p.is_const and p.type.count("*") == 1:
                say(f"out({name}) on {p.type}: an out-parameter is a pointer to what it receives")
            elif kind == "scalar" and p.pointee not in SCALARS:
                say(f"out({name}: scalar) on {p.type}: not a pointer to a number")
            elif kind in ("owned", "borrowed") and not p.type.endswith("**"):
                say(f"out({name}: {kind}) on {p.type}: a handle or string is received through a **")
            elif kind == "owned" and (p.is_const or not free_function(header, p.pointee[:-2])):
                say(f"out({name}: owned) on {p.type}: the caller could not free what it receives")
        for p in f.params:
            receives = p.type.endswith("**") or (p.is_pointer and not p.is_const and p.pointee in SCALARS)
            if receives and p.name not in t.out:
                say(f"{p.type}{p.name} is an out-parameter: tag it out({p.name}: ...)")

        # null(...)
        for name in t.null:
            p = params.get(name)
            if p is None:
                say(f"null({name}): no such parameter")
            elif not p.is_pointer and p.type not in header.callbacks:
                say(f"null({name}) on {p.type}: only pointers can be NULL")

        order = [p.name for p in f.params]
        for word, names in (("out", list(t.out)), ("null", list(t.null))):
            known = [n for n in names if n in order]
            if known != sorted(known, key=order.index):
                say(f"{word}(...) lists its parameters out of order: write them as the signature does")

        if f.returns == "kimi_status" and not header.statuses(f):
            say("returns kimi_status but its prose names no status (write which, or \"statuses as kimi_x\")")
    names = header.names
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{name}: declared more than once")
    return problems


def main(argv):
    header = parse()
    if "--list" in argv:
        for f in header.functions:
            print(f"{f.name}: {f.tags.text if f.tags else '(no tags)'}")
        return 0
    problems = check(header)
    for problem in problems:
        print("FAIL include/kimi.h " + problem)
    print(f"tags: {len(header.functions)} functions, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
