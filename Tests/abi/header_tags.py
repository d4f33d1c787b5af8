#!/usr/bin/env python3
"""The tags of include/kimi.h and what is generated from them:

1. every declaration has tags, and no tag contradicts its signature
   (tools/kimi_header.py);
2. the Python function table is what the header gives (tools/gen_python.py
   --check), and so are the man pages' ownership and status sections;
3. the checker catches each kind of mistake: each case below changes a
   copy of the header and must produce the problem named, and a header
   that is not C the way kimi.h writes it is refused, never half-read.
"""

import importlib.util
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import kimi_header  # noqa: E402
from check_abi import check, failures  # noqa: E402  (the same ok/FAIL lines as the other ABI checks)


TEXT = open(kimi_header.HEADER).read()

# (what the case is, text replaced, its replacement, words the problem must hold)
CASES = [
    ("a declaration without tags",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "KIMI_API kimi_status kimi_chat_create(", "kimi_chat_create: no tags"),
    ("a tag comment with no declaration below it",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(kimi_client) */\n\n/** prose */\n/*@ of(kimi_client) blocks out(out: owned) */\n"
     "KIMI_API kimi_status kimi_chat_create(", "no KIMI_API declaration right below it"),
    ("an unknown tag word",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(kimi_client) blocks slow out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(", "unknown tag 'slow'"),
    ("a tag given twice",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(kimi_client) blocks blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(", "given twice"),
    ("tags out of order",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ blocks of(kimi_client) out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(", "out of order"),
    ("an unclosed parenthesis",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(kimi_client blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(", "cannot read the tags"),
    ("text that is not a tag",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(kimi_client) blocks; out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(", "cannot read the tags"),
    ("an owner that is no handle",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(kimi_session) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(", "not a handle type"),
    ("an owner the function neither takes first nor makes",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(kimi_batch) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(", "neither the type"),
    ("library as the owner of a handle's function",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(library) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(", "works on a handle"),
    ("an out tag on a parameter that is no pointer",
     "/*@ of(kimi_chat_response) accessor returns(borrowed) */\nKIMI_API const char *kimi_chat_response_tool_call_id(",
     "/*@ of(kimi_chat_response) accessor returns(borrowed) out(i: scalar) */\n"
     "KIMI_API const char *kimi_chat_response_tool_call_id(", "an out-parameter is a pointer"),
    ("an out tag on an input (const) pointer",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(kimi_client) blocks out(req: borrowed, out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "an out-parameter is a pointer"),
    ("an out tag naming no parameter",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(kimi_client) blocks out(result: owned) */\nKIMI_API kimi_status kimi_chat_create(", "no such parameter"),
    ("an out-parameter left untagged",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(kimi_client) blocks */\nKIMI_API kimi_status kimi_chat_create(", "is an out-parameter"),
    ("a scalar out that is a handle",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(kimi_client) blocks out(out: scalar) */\nKIMI_API kimi_status kimi_chat_create(", "not a pointer to a number"),
    ("an owned out the caller could not free",
     "/*@ of(kimi_stream) blocks out(event_out: borrowed) */",
     "/*@ of(kimi_stream) blocks out(event_out: owned) */", "could not free"),
    ("an out kind that does not exist",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(kimi_client) blocks out(out: mine) */\nKIMI_API kimi_status kimi_chat_create(", "write one of"),
    ("frees on a function that is no _free",
     "/*@ of(kimi_message) */\nKIMI_API kimi_status kimi_message_add_text(",
     "/*@ of(kimi_message) frees(msg) null(msg) */\nKIMI_API kimi_status kimi_message_add_text(", "not void"),
    ("a _free function without frees",
     "/*@ of(kimi_message) frees(msg) null(msg) */", "/*@ of(kimi_message) null(msg) */", "without frees"),
    ("frees without null",
     "/*@ of(kimi_message) frees(msg) null(msg) */", "/*@ of(kimi_message) frees(msg) */", "freeing NULL does nothing"),
    ("blocks on an accessor",
     "/*@ of(kimi_chat_response) accessor returns(borrowed) out(len_out: scalar) null(len_out) */\n"
     "KIMI_API const char *kimi_chat_response_content(",
     "/*@ of(kimi_chat_response) blocks accessor returns(borrowed) out(len_out: scalar) null(len_out) */\n"
     "KIMI_API const char *kimi_chat_response_content(", "blocks on an accessor"),
    ("an accessor returning a status",
     "/*@ of(kimi_task) */\nKIMI_API kimi_status kimi_task_status(",
     "/*@ of(kimi_task) accessor */\nKIMI_API kimi_status kimi_task_status(", "accessors return the field"),
    ("a returned pointer without its ownership",
     "/*@ of(kimi_client) accessor returns(borrowed) */", "/*@ of(kimi_client) accessor */", "without returns"),
    ("owned on a const string",
     "/*@ of(kimi_client) accessor returns(borrowed) */", "/*@ of(kimi_client) accessor returns(owned) */",
     "could not free"),
    ("returns on a function returning no pointer",
     "/*@ of(kimi_chat_request) accessor */\nKIMI_API size_t kimi_chat_request_message_count(",
     "/*@ of(kimi_chat_request) accessor returns(owned) */\nKIMI_API size_t kimi_chat_request_message_count(",
     "not a pointer"),
    ("null on a number",
     "/*@ of(kimi_task) blocks */\nKIMI_API kimi_status kimi_task_wait(",
     "/*@ of(kimi_task) blocks null(timeout_ms) */\nKIMI_API kimi_status kimi_task_wait(", "only pointers"),
    ("null out of the signature's order",
     "null(available_out, voucher_out, cash_out) */\nKIMI_API kimi_status kimi_balance_get(",
     "null(cash_out, available_out, voucher_out) */\nKIMI_API kimi_status kimi_balance_get(", "out of order"),
    ("an empty tag comment",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ */\nKIMI_API kimi_status kimi_chat_create(", "no of(...)"),
    ("nested parentheses",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(kimi_client(x)) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(", "cannot read the tags"),
    ("an out tag without its kind",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(kimi_client) blocks out(out) */\nKIMI_API kimi_status kimi_chat_create(", "write one of"),
    ("an empty null()",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(kimi_client) blocks out(out: owned) null() */\nKIMI_API kimi_status kimi_chat_create(", "no such parameter"),
    ("a word that takes no argument given one",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(kimi_client) blocks(network) out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(", "takes no (...)"),
    ("text that is not ASCII",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(kimi_client) blocks out(out: owned) \u00e9 */\nKIMI_API kimi_status kimi_chat_create(", "cannot read the tags"),
    ("prose between the tags and the declaration",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(kimi_client) blocks out(out: owned) */\n/** prose */\nKIMI_API kimi_status kimi_chat_create(",
     "kimi_chat_create: no tags"),
    ("a function declared twice",
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(",
     "/*@ of(library) */\nKIMI_API int kimi_version_number(void);\n"
     "/*@ of(kimi_client) blocks out(out: owned) */\nKIMI_API kimi_status kimi_chat_create(", "declared more than once"),
    ("a status function whose prose names no status",
     "/** Deletes a file. Returns KIMI_OK or the statuses of kimi_chat_create.",
     "/** Deletes a file.", "kimi_file_delete: returns kimi_status but its prose names no status"),
]


def problems_of(text):
    return kimi_header.check(kimi_header.parse(text))


def man_page_problems(header):
    """Each page, as man/gen_man.py writes it, against the tags: its
    statuses, what each argument hands over or receives, whether it waits."""
    spec = importlib.util.spec_from_file_location("gen_man", os.path.join(ROOT, "man", "gen_man.py"))
    gen_man = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen_man)
    problems = []
    for f in header.functions:
        text = gen_man.page(header, f, [f.name])
        arguments = dict(re.findall(r"^\.I (\w+)\n(.*)$", text, re.M))
        for status in header.statuses(f):
            if f"\n.B {status}\n" not in text.split(".SH RETURN VALUE")[-1]:
                problems.append(f"{f.name}: its page does not list {status}")
        for name, kind in f.tags.out.items():
            inner = f.param(name).pointee.replace("const ", "").rstrip(" *")
            if kind == "owned" and f"\\fB{kimi_header.free_function(header, inner)}\\fP(3)" not in arguments.get(name, ""):
                problems.append(f"{f.name}: its page does not say how to free what `{name}` receives")
        if f.tags.frees and "Freed by this call" not in arguments.get(f.tags.frees, ""):
            problems.append(f"{f.name}: its page does not say it frees `{f.tags.frees}`")
        for p in f.params:
            if f.nullable(p.name) and p.name != f.tags.frees and "may be null" not in arguments.get(p.name, "").lower():
                problems.append(f"{f.name}: its page does not say `{p.name}` may be NULL")
        if ("May wait:" in text) != f.is_blocking:
            problems.append(f"{f.name}: its page says it {'may' if 'May wait:' in text else 'does not'} wait")
    return problems


def main():
    header = kimi_header.parse()
    problems = kimi_header.check(header)
    for problem in problems:
        print("FAIL include/kimi.h " + problem)
    check(not problems, f"tags: every one of {len(header.functions)} declarations is tagged, as its signature allows")
    generated = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_python.py"), "--check"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    check(generated.returncode == 0, "python: " + generated.stdout.strip())
    pages = man_page_problems(header)
    for problem in pages:
        print("FAIL man: " + problem)
    check(not pages, "man: every page lists its statuses, ownership and waits as the tags say")

    for name, old, new, expected in CASES:
        assert TEXT.count(old) >= 1, f"case {name!r}: the header's shape moved ({old[:60]!r} not found)"
        found = problems_of(TEXT.replace(old, new, 1))
        check(any(expected in p for p in found), f"self-test: {name} is caught ({expected!r}"
              + ("" if any(expected in p for p in found) else f"; got {found[:3]}") + ")")

    # What the parser refuses outright rather than reading half of it.
    for name, text in [("a parameter without a name", "/*@ of(library) */\nKIMI_API int kimi_x(int);\n"),
                       ("a parameter that is only a type", "/*@ of(library) */\nKIMI_API int kimi_x(const char *);\n"),
                       ("an inline function pointer", "/*@ of(library) */\nKIMI_API int kimi_x(int (*cb)(int), int a);\n"),
                       ("a variadic function", "/*@ of(library) */\nKIMI_API int kimi_x(const char *format, ...);\n")]:
        try:
            kimi_header.parse(text)
            refused = False
        except kimi_header.HeaderError:
            refused = True
        check(refused, f"self-test: {name} is refused")
    print(f"{len(failures) == 0 and 'header tag checks passed' or f'{len(failures)} header tag checks failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
