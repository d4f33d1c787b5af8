#!/usr/bin/env python3
"""Every function of kimi.h against bad arguments, found by reading the header
with tools/kimi_header.py (so a new function is covered the day it is
declared):

1. NULL for each pointer argument, the others valid; and every argument
   NULL or zero at once;
2. invalid UTF-8 for each string argument;
3. invalid JSON for each JSON argument;
4. a handle of the wrong kind for each handle argument.

Nothing may crash. A function that returns kimi_status must return a real
status; when it fails, the thread's last error must hold the same status and
a message that starts with the function's name and names the argument.
Only the arguments the header tags null(...) may take NULL and succeed: a
function that accepts a NULL its tags do not allow fails the sweep, so the
tags are held to the library. String accessors and static strings never
return NULL. Run under Tests/mock/with_mock.py, with the library given by
--lib.
"""

import argparse
import ctypes
import os
import re
import sys
import tempfile
from ctypes import POINTER, byref, c_char_p, c_int, c_int64, c_size_t, c_uint32, c_void_p

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import kimi_ctypes  # noqa: E402
import kimi_header  # noqa: E402

HEADER = kimi_header.parse()
SCALARS = {name: kimi_ctypes.resolve(HEADER, text) for name, text in kimi_ctypes.SCALARS.items() if name != "void"}
OUT_SCALARS = {name + " *": ctype for name, ctype in SCALARS.items()}
CALLBACKS = {name: kimi_ctypes.resolve(HEADER, kimi_ctypes.python_name(name)) for name in HEADER.callbacks}
KEEP = [f(lambda *a: 0) for f in CALLBACKS.values()]
CALLBACK_VALUES = dict(zip(CALLBACKS, KEEP))

# A valid value for each string argument, by name (and function where it matters).
STRINGS = {
    "role": "user", "model": "kimi-k2.6", "text": "hi", "name": "lookup", "description": "d",
    "parameters_json": '{"type":"object","properties":{}}', "schema_json": '{"type":"object","properties":{}}',
    "arguments_json": "{}", "json_object": '{"x_extra":1}', "api_key": "sk-test-mock", "user_agent": "ua",
    "proxy": "http://127.0.0.1:1", "value": "v", "purpose": "file-extract", "filename": "a.txt", "mime": "image/png",
    "url": "ms://file-1", "tool_call_id": "functions.lookup:0", "id": "functions.lookup:0", "content": "c",
    "prefix": "p", "reasoning": "r", "choice": "auto", "type": "json_object", "stop": "x", "key": "k",
    "custom_id": "c1", "completion_window": "24h", "metadata_json": '{"k":"v"}', "model_id": "kimi-k2.6",
}
FUNCTION_STRINGS = {
    ("kimi_message_from_json", "json"): '{"role":"user","content":"hi"}',
    ("kimi_conversation_load_json", "json"): '[{"role":"user","content":"hi"}]',
    ("kimi_chat_request_from_json", "body"): '{"model":"kimi-k2.6","messages":[{"role":"user","content":"hi"}]}',
    ("kimi_client_options_add_header", "name"): "X-Test",
}
JSON_ARGUMENTS = {"json", "body", "json_object", "parameters_json", "schema_json", "arguments_json", "metadata_json"}
SCALAR_VALUES = {"max_steps": 2, "level": 3, "enabled": 1, "include": 1, "partial": 1, "reuse": 1, "n": 1,
                 "tokens": 100, "temperature": 1.0, "top_p": 0.95, "bytes": 1 << 20, "ms": 1000, "retries": 0,
                 "base_ms": 1, "max_ms": 2, "status": 0, "mode": 1, "strict": 0, "timeout_ms": 2000,
                 "poll_ms": 1, "limit": 2, "capacity": 1 << 16, "fd": os.open(os.devnull, os.O_WRONLY)}
# A 1x1 PNG and the start of an MP4, for the media functions.
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
       b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
VIDEO = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64
# Functions that free (tagged frees) or end a state get only the all-NULL call.
ENDERS = re.compile(r"^kimi_stream_cancel$|^kimi_task_cancel$|^kimi_cancel_token_(cancel|reset)$")


def bare(ctype):
    """A parameter's type without const: the sweep picks values by it."""
    return " ".join(ctype.replace("const ", "").split())


class Sweep:
    def __init__(self, lib, verbose):
        self.L = ctypes.CDLL(lib)
        self.verbose = verbose
        self.failures = []
        self.calls = 0
        # Separate function objects for reading the last error: the sweep
        # sets argtypes on the functions it calls, these included.
        self.errors = ctypes.CDLL(lib)
        self.errors.kimi_error_message.restype = c_char_p
        self.errors.kimi_error_status.restype = c_int
        workdir = tempfile.mkdtemp()
        self.path = os.path.join(workdir, "notes.txt")
        with open(self.path, "w") as f:
            f.write("libkimi notes\n")

    # -------------------------------------------------------------- objects
    def fn(self, name, restype, argtypes):
        f = getattr(self.L, name)
        f.restype = restype
        f.argtypes = argtypes
        return f

    def out_call(self, name, argtypes, *args):
        out = c_void_p()
        status = self.fn(name, c_int, argtypes + [POINTER(c_void_p)])(*args, byref(out))
        if status != 0:
            raise RuntimeError(f"{name}: {self.errors.kimi_error_message().decode()}")
        return out.value

    def make(self, kind, function=""):
        """A fresh, valid handle of `kind` (a kimi_* type name) for `function`."""
        P = c_void_p
        if kind == "kimi_client_options":
            opts = self.fn("kimi_client_options_new", P, [])()
            self.fn("kimi_client_options_set_max_retries", c_int, [P, c_uint32])(opts, 0)
            return opts
        if kind == "kimi_client":
            if not hasattr(self, "client"):
                self.client = self.out_call("kimi_client_new", [P], self.make("kimi_client_options"))
            return self.client
        if kind == "kimi_chat_request":
            req = self.fn("kimi_chat_request_new", P, [c_char_p])(b"kimi-k2.6")
            self.fn("kimi_chat_request_add_message", c_int, [P, c_char_p, c_char_p])(req, b"user", b"hi")
            return req
        if kind == "kimi_message":
            role = b"assistant" if "tool_call" in function or "reasoning" in function else b"user"
            msg = self.fn("kimi_message_new", P, [c_char_p])(role)
            self.fn("kimi_message_add_text", c_int, [P, c_char_p])(msg, b"hi")
            return msg
        if kind == "kimi_chat_response":
            return self.out_call("kimi_chat_create", [P, P], self.make("kimi_client"), self.make("kimi_chat_request"))
        if kind == "kimi_stream":
            return self.out_call("kimi_chat_stream_open", [P, P], self.make("kimi_client"),
                                 self.make("kimi_chat_request"))
        if kind == "kimi_stream_event":
            event = c_void_p()
            self.fn("kimi_stream_next", c_int, [P, POINTER(c_void_p)])(self.make("kimi_stream"), byref(event))
            return event.value
        if kind == "kimi_cancel_token":
            return self.fn("kimi_cancel_token_new", P, [])()
        if kind == "kimi_file":
            return self.out_call("kimi_file_upload", [P, c_char_p, c_char_p, P, P], self.make("kimi_client"),
                                 self.path.encode(), b"file-extract", None, None)
        if kind == "kimi_file_list":
            return self.out_call("kimi_files_list", [P], self.make("kimi_client"))
        if kind == "kimi_model_list":
            return self.out_call("kimi_models_list", [P], self.make("kimi_client"))
        if kind == "kimi_model":
            return self.out_call("kimi_model_retrieve", [P, c_char_p], self.make("kimi_client"), b"kimi-k2.6")
        if kind == "kimi_conversation":
            conv = self.fn("kimi_conversation_new", P, [P, c_char_p])(self.make("kimi_client"), b"kimi-k2.6")
            add = self.fn("kimi_conversation_add_message", c_int, [P, c_char_p, c_char_p])
            add(conv, b"user", b"hi")
            if function == "kimi_conversation_continue":
                add(conv, b"assistant", b"an answer that stopped")
            return conv
        if kind == "kimi_task" and function == "kimi_task_balance":  # its NULL-tolerant outputs need a balance
            task = self.out_call("kimi_balance_start", [P, P, P, P], self.make("kimi_client"), None, None, None)
            self.fn("kimi_task_wait", c_int, [P, c_int64])(task, -1)
            return task
        if kind == "kimi_task":
            return self.out_call("kimi_chat_create_start", [P, P, P, P], self.make("kimi_client"),
                                 self.make("kimi_chat_request"), None, None)
        if kind == "kimi_tool_result":
            return None  # exists only inside a tool handler
        if kind == "kimi_batch_input":
            return self.fn("kimi_batch_input_new", P, [c_char_p])(self.scratch_path().encode())
        if kind == "kimi_batch":
            batch = self.out_call("kimi_batch_submit", [P, c_char_p, c_char_p, c_char_p], self.make("kimi_client"),
                                  self.batch_path().encode(), None, None)
            if function.startswith("kimi_batch_results"):  # results exist once it is done
                self.fn("kimi_batch_wait", c_int, [P, P, c_uint32, P, P])(self.make("kimi_client"), batch, 1, None, None)
            return batch
        if kind == "kimi_call_options":
            opts = self.fn("kimi_call_options_new", P, [])()
            self.fn("kimi_call_options_set_timeout_ms", c_int, [P, c_uint32])(opts, 5000)
            return opts
        if kind == "kimi_event_queue":
            return self.out_call("kimi_event_queue_new", [])
        if kind == "kimi_batch_page":
            return self.out_call("kimi_batch_list", [P, c_char_p, c_int], self.make("kimi_client"), None, 5)
        if kind == "kimi_file_iter":
            return self.out_call("kimi_file_iter_new", [P], self.make("kimi_client"))
        if kind == "kimi_batch_iter":
            return self.out_call("kimi_batch_iter_new", [P, c_char_p, c_int], self.make("kimi_client"), None, 5)
        raise KeyError(kind)

    def scratch_path(self):
        """A new file name for writers (never the notes file)."""
        self.scratch = getattr(self, "scratch", 0) + 1
        return os.path.join(os.path.dirname(self.path), f"scratch-{self.scratch}.jsonl")

    def batch_path(self):
        """A batch input file with one request."""
        if not hasattr(self, "batch_file"):
            self.batch_file = self.scratch_path()
            writer = self.fn("kimi_batch_input_new", c_void_p, [c_char_p])(self.batch_file.encode())
            self.fn("kimi_batch_input_add", c_int, [c_void_p, c_char_p, c_void_p])(writer, b"c1",
                                                                                  self.make("kimi_chat_request"))
            self.fn("kimi_batch_input_close", c_int, [c_void_p, c_void_p])(writer, None)
        return self.batch_file

    def batch_file_id(self):
        if not hasattr(self, "batch_upload"):
            file = self.out_call("kimi_file_upload", [c_void_p, c_char_p, c_char_p, c_void_p, c_void_p],
                                 self.make("kimi_client"), self.batch_path().encode(), b"batch", None, None)
            self.batch_upload = self.fn("kimi_file_id", c_char_p, [c_void_p])(file).decode()
        return self.batch_upload

    def batch_id(self):
        if not hasattr(self, "batch"):
            self.batch = self.fn("kimi_batch_id", c_char_p, [c_void_p])(self.make("kimi_batch")).decode()
        return self.batch

    def file_id(self):
        if not hasattr(self, "uploaded"):
            file = self.make("kimi_file")
            self.uploaded = self.fn("kimi_file_id", c_char_p, [c_void_p])(file).decode()
        return self.uploaded

    # ---------------------------------------------------------- arguments
    def valid(self, function, ctype, name):
        """(ctypes type, value) of a valid argument."""
        if ctype in SCALARS:
            return SCALARS[ctype], SCALAR_VALUES.get(name, 0 if name in ("i", "choice", "index") else 1)
        if ctype in CALLBACKS:
            return CALLBACKS[ctype], CALLBACK_VALUES[ctype]
        if ctype == "char *":
            if name == "string":
                return c_char_p, None
            value = (FUNCTION_STRINGS.get((function, name)) or STRINGS.get(name)
                     or (self.path if name == "path" and function != "kimi_batch_input_new" else None)
                     or (os.environ["KIMI_BASE_URL"] if name == "base_url" else None)
                     or (self.file_id() if name == "file_id" else None)
                     or (self.batch_file_id() if name == "input_file_id" else None)
                     or (self.batch_path() if name == "jsonl_path" else None)
                     or (self.batch_id() if name in ("batch_id", "after") else None)
                     or (self.scratch_path() if (function, name) == ("kimi_batch_input_new", "path") else None))
            if value is None:
                raise KeyError(f"no valid value for {function}({name})")
            return c_char_p, value.encode()
        if ctype == "void *" and name == "buffer":  # a records buffer (kimi_*_read_records)
            self.records = getattr(self, "records", None) or ctypes.create_string_buffer(1 << 16)
            return c_void_p, ctypes.addressof(self.records)
        if ctype == "void *" and name in ("data", "bytes"):
            return c_char_p, VIDEO if "video" in function else PNG
        if ctype == "void *":
            return c_void_p, None  # user data
        if ctype in OUT_SCALARS:
            return POINTER(OUT_SCALARS[ctype]), byref(OUT_SCALARS[ctype]())
        if ctype.endswith("**"):
            return POINTER(c_void_p), byref(c_void_p())
        kind = ctype.rstrip(" *")
        return c_void_p, self.make(kind, function)

    def valid_values(self, function, args):
        values = [self.valid(function, t, n) for t, n in args]
        names = [n for _, n in args]
        if "queue" in names and "on_event" in names:  # one of them, never both: the callback
            values[names.index("queue")] = (c_void_p, None)
        for i, (_, name) in enumerate(args):
            if name == "len" and i > 0:  # the length of the data before it
                values[i] = (c_size_t, len(values[i - 1][1]))
        return values

    def call(self, declared, args, values, bad_index, expect):
        """Calls the `declared` function; `expect` is (what is passed, the
        words its failure message must hold, whether it must fail)."""
        ret, function = declared.returns, declared.name
        self.calls += 1
        f = getattr(self.L, function)
        f.argtypes = [t for t, _ in values]
        f.restype = c_int if ret == "kimi_status" else (c_void_p if "*" in ret else
                                                      (None if ret == "void" else SCALARS.get(ret, c_int)))
        label = f"{function}({', '.join(n if i != bad_index else '<' + n + '>' for i, (_, n) in enumerate(args))})"
        if self.verbose:  # a crash then shows the call that made it
            print(f"  {label}: {expect[0]}", flush=True)
        result = f(*[v for _, v in values])
        never_null = ret == "const char *" and (declared.tags.accessor or declared.tags.returns == "static")
        if never_null and result is None:
            self.failures.append(f"{label}: returned NULL; a string accessor returns \"\" when there is nothing")
        if ret != "kimi_status":
            return
        if not 0 <= result <= 13:
            self.failures.append(f"{label}: returned {result}, not a kimi_status")
        elif result != 0:
            message = self.errors.kimi_error_message().decode("utf-8", "replace")
            if self.errors.kimi_error_status() != result:
                self.failures.append(f"{label}: last error status {self.errors.kimi_error_status()} != {result}")
            if not message.startswith(function + ":"):
                self.failures.append(f"{label}: message does not start with the function name: {message!r}")
            if not all(word in message for word in expect[1]):
                self.failures.append(f"{label}: message lacks {expect[1]}: {message!r}")
        elif expect[2]:
            self.failures.append(f"{label}: accepted {expect[0]}"
                                 + (" (not tagged null: if NULL is fine, say so in its prose and tags)"
                                    if expect[0] == "NULL" else ""))

    def sweep(self, declared):
        function = declared.name
        args = [(bare(p.type), p.name) for p in declared.params]
        # Every argument NULL or zero at once.
        zeros = [(SCALARS[t], 0) if t in SCALARS else (c_void_p, None) for t, _ in args]
        self.call(declared, args, zeros, -1, ("all NULL", [], False))
        if declared.tags.frees or ENDERS.search(function) or any(t == "kimi_tool_result *" for t, _ in args):
            return
        for i, (ctype, name) in enumerate(args):
            if ctype in SCALARS or (ctype == "void *" and name == "user_data"):
                continue
            values = self.valid_values(function, args)
            values[i] = (c_void_p, None)
            # NULL where the tags do not allow it must fail, naming the argument.
            self.call(declared, args, values, i, ("NULL", [name], not declared.nullable(name)))
            if ctype == "char *" and name != "string":
                values = self.valid_values(function, args)
                values[i] = (c_char_p, b"ok\xc3\x28\xff")
                self.call(declared, args, values, i, ("invalid UTF-8", [name, "UTF-8"], True))
                if name in JSON_ARGUMENTS:
                    values = self.valid_values(function, args)
                    values[i] = (c_char_p, b'{"role": "user", ')
                    self.call(declared, args, values, i, ("invalid JSON", [name, "JSON"], True))
            if ctype.startswith("kimi_") and ctype.endswith(" *") and not ctype.endswith("**") \
                    and ctype not in CALLBACKS and ctype != "kimi_cancel_token *":
                values = self.valid_values(function, args)
                values[i] = (c_void_p, self.make("kimi_cancel_token"))
                self.call(declared, args, values, i, ("a kimi_cancel_token", [name, "is not a"], True))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lib", required=True)
    parser.add_argument("--verbose", action="store_true", help="print each call before making it")
    args = parser.parse_args()
    sweep = Sweep(args.lib, args.verbose)
    functions = HEADER.functions
    problems = kimi_header.check(HEADER)
    if problems:  # the sweep trusts the tags
        print("\n".join("FAIL include/kimi.h " + p for p in problems))
        return 1
    for declared in functions:
        sweep.sweep(declared)
    for failure in sweep.failures:
        print("FAIL " + failure)
    print(f"bad arguments: {len(functions)} functions, {sweep.calls} calls, {len(sweep.failures)} failures")
    return 1 if sweep.failures else 0


if __name__ == "__main__":
    sys.exit(main())
