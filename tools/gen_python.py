#!/usr/bin/env python3
"""Writes the Python bindings' function table from include/kimi.h.

    python3 tools/gen_python.py           # writes bindings/python/src/libkimi/_declarations.py
    python3 tools/gen_python.py --check   # exits 1 when that file is not what the header gives

The table is every KIMI_API function's ctypes argument and result types,
the callback types, and the set of functions tagged `blocks` (bound
through ctypes.CDLL, which releases the GIL for the call). It is written to
a committed file, so the installed package needs no header and pays no
parse at import."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kimi_header  # noqa: E402
from kimi_ctypes import ALIASES, ctype, python_name  # noqa: E402

OUTPUT = os.path.join(kimi_header.ROOT, "bindings", "python", "src", "libkimi", "_declarations.py")

def comment(text, indent=""):
    """`text` as comment lines of at most 120 characters, broken after commas."""
    lines, line = [], indent + "# "
    for piece in text.split(", "):
        piece = piece if line.endswith("# ") or line.endswith("#     ") else " " + piece
        if len(line) + len(piece) + 1 > 120 and not line.endswith(("# ", "#     ")):
            lines.append(line)
            line = indent + "#     " + piece.lstrip()
        else:
            line += piece
        line += ","
    lines.append(line[:-1])
    return lines


def short(text):
    return ALIASES.get(text, text)


def generate(header):
    lines = ['"""Generated from include/kimi.h by tools/gen_python.py: do not edit (`make header`',
             'writes it again). FUNCTIONS: every C function\'s ctypes argument and result types,',
             'under its C prototype; the C callback types; and BLOCKING, the functions tagged',
             '`blocks`, which may wait (libkimi._lib binds them through CDLL, releasing the GIL)."""',
             "",
             "from ctypes import CFUNCTYPE, POINTER, c_char_p, c_double, c_int, c_int32, c_int64, c_size_t, "
             "c_uint32, \\",
             "    c_uint64, c_void_p",
             "",
             "P = c_void_p              # a kimi_* handle, user data, or a string to free or read by length",
             "S = c_char_p              # a NUL-terminated string in, or a borrowed one out (as bytes)",
             "OUT = POINTER(c_void_p)   # where a handle or pointer is stored",
             "LEN = POINTER(c_size_t)   # where a length is stored",
             ""]
    for callback in header.callbacks.values():
        params = ", ".join(p.declaration() for p in callback.params)
        types = [ctype(header, callback.returns)] + [ctype(header, p.type) for p in callback.params]
        lines += comment(f"typedef {callback.returns} (*{callback.name})({params});")
        lines.append(f"{python_name(callback.name)} = CFUNCTYPE({', '.join(short(t) for t in types)})")
    lines += ["", "FUNCTIONS = {"]
    for f in header.functions:
        kind = f.tags.returns if f.tags else None
        result = short(ctype(header, f.returns, f, role="return", kind=kind))
        args = [short(ctype(header, p.type, f)) for p in f.params]
        lines += comment(f.signature(), "    ")
        entry = f'    "{f.name}": (({", ".join(args)}{"," if len(args) == 1 else ""}), {result}),'
        lines.append(entry if len(entry) <= 120 else
                     f'    "{f.name}":\n        (({", ".join(args)}), {result}),')
    lines.append("}")
    lines += ["", "BLOCKING = frozenset(("]
    lines += [f'    "{f.name}",' for f in header.functions if f.is_blocking]
    lines += ["))", ""]
    return "\n".join(lines)


def main(argv):
    header = kimi_header.parse()
    problems = kimi_header.check(header)
    if problems:
        print("\n".join("FAIL include/kimi.h " + p for p in problems))
        return 1
    text = generate(header)
    relative = os.path.relpath(OUTPUT, kimi_header.ROOT)
    if "--check" in argv:
        current = open(OUTPUT).read() if os.path.exists(OUTPUT) else ""
        if current != text:
            print(f"FAIL {relative} is not what include/kimi.h gives: run `make header` (or "
                  f"python3 tools/gen_python.py) and commit it")
            return 1
        print(f"ok   {relative} matches include/kimi.h ({len(header.functions)} functions)")
        return 0
    with open(OUTPUT, "w") as f:
        f.write(text)
    print(f"wrote {relative}: {len(header.functions)} functions, "
          f"{sum(f.is_blocking for f in header.functions)} blocking")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
