"""kimi.h's C types as Python ctypes: one mapping for the generated
function table (tools/gen_python.py, as text) and the ABI sweep
(Tests/abi/bad_arguments.py, as objects)."""

import ctypes
import re

import kimi_header

SCALARS = {"kimi_status": "c_int", "int": "c_int", "int32_t": "c_int32", "int64_t": "c_int64", "uint32_t": "c_uint32",
           "uint64_t": "c_uint64", "size_t": "c_size_t", "double": "c_double", "void": "None"}
# Short names for the common types, defined in the generated file.
ALIASES = {"c_void_p": "P", "c_char_p": "S", "POINTER(c_void_p)": "OUT", "POINTER(c_size_t)": "LEN"}


def python_name(callback):
    """kimi_stream_cb -> stream_cb: the name the bindings use."""
    return callback[len("kimi_"):]


def has_length(function):
    return any(p.type == "size_t *" and p.name == "len_out" for p in function.params)


def ctype(header, ctype_text, function=None, role="in", kind=None):
    """The ctypes type of a C type. A string with a length beside it (and an
    owned one, which must reach kimi_string_free) stays a c_void_p, so no
    byte is lost at a NUL and the pointer can be freed."""
    if ctype_text in SCALARS:
        return SCALARS[ctype_text]
    if ctype_text in header.callbacks:
        return python_name(ctype_text)
    if ctype_text.endswith("**"):
        if ctype_text == "const char **" and not (function and has_length(function)):
            return "POINTER(c_char_p)"
        return "POINTER(c_void_p)"
    if ctype_text.endswith("*"):
        pointee = kimi_header.normalize_type(ctype_text[:-1].replace("const ", ""))
        if pointee in SCALARS and pointee != "void":
            return f"POINTER({SCALARS[pointee]})"
        if pointee == "char" and role == "in" and not ctype_text.startswith("const"):
            return "c_void_p"  # a string handed back to kimi_string_free
        if pointee == "char" and role == "return" and (kind == "owned" or has_length(function)):
            return "c_void_p"
        if pointee == "char":
            return "c_char_p"
        return "c_void_p"
    raise ValueError(f"no ctypes type for {ctype_text!r}")


def resolve(header, text):
    """The ctypes object a `ctype()` text names (None, c_x, POINTER(c_x) or
    a callback type)."""
    if text == "None":
        return None
    pointer = re.fullmatch(r"POINTER\((c_\w+)\)", text)
    if pointer:
        return ctypes.POINTER(getattr(ctypes, pointer.group(1)))
    for callback in header.callbacks.values():
        if text == python_name(callback.name):
            types = [ctype(header, callback.returns)] + [ctype(header, p.type) for p in callback.params]
            return ctypes.CFUNCTYPE(*(resolve(header, t) for t in types))
    if re.fullmatch(r"c_\w+", text):
        return getattr(ctypes, text)
    raise ValueError(f"not a ctypes type: {text!r}")
