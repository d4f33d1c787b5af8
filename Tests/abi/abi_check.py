#!/usr/bin/env python3
"""make abi-check: the C ABI under KIMI_0 against the last release's.

libabigail reads C and C++ DWARF; libkimi's functions are Swift
(`@c @implementation`), whose DWARF it skips, so `abidw libkimi.so` alone
describes the exported symbols but no function type. The ABI is therefore
described from what defines it, include/kimi.h: a C stub with every
KIMI_API declaration turned into an empty definition (and every enumerator
gathered into one enum, so a changed constant shows as a changed type),
compiled with -g and linked with libkimi's version script and SONAME. Its
abidw corpus has each function under KIMI_0 with its full C type.

  1. abidiff BASELINE (the last release's stub) against the current stub:
     removed or changed functions, variables or constants fail; added ones
     pass (libabigail files enumerator additions as harmless).
  2. The built library exports exactly the stub's functions, each @@KIMI_0
     (so the header describes the binary).

--write-baseline FILE writes FILE from --header (a release's header);
--self-test proves that a removed function, a changed parameter, return or
callback type and a changed constant fail, and that an added function or
constant and a renamed parameter pass.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import kimi_header  # noqa: E402

MAP = os.path.join(ROOT, "Sources/KimiABI/libkimi.map")
CONSTANTS = "kimi__abi_constants"  # the stub's own function: not in the library


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def stub_source(header_text):
    """C defining every KIMI_API function of the header, plus the constants."""
    header = kimi_header.parse(header_text)  # tags are not needed: a release's header may have none
    definitions = [f"KIMI_API {f.signature()}" + (" {}" if f.returns == "void" else " { return 0; }")
                   for f in header.functions]
    constants = ",\n    ".join(f"{CONSTANTS}_{c.name} = {c.name}" for c in header.constants)
    return ("#include <kimi.h>\n\n" + "\n".join(definitions)
            + f"\n\nenum {CONSTANTS} {{\n    {constants}\n}};\n"
            + f"KIMI_API void {CONSTANTS}(enum {CONSTANTS} value);\nvoid {CONSTANTS}(enum {CONSTANTS} value) {{ (void)value; }}\n")


def describe(header, out_abi, work, cc):
    """Builds the stub of HEADER in WORK and writes its abidw corpus to OUT_ABI."""
    include = os.path.join(work, "include")
    os.makedirs(include, exist_ok=True)
    shutil.copyfile(header, os.path.join(include, "kimi.h"))
    source = os.path.join(work, "stub.c")
    with open(source, "w") as f:
        f.write(stub_source(open(header).read()))
    lib = os.path.join(work, "libkimi.so.0")
    built = run([cc, "-std=c99", "-g", "-O0", "-fPIC", "-shared", "-I" + include, source, "-o", lib,
                 "-Wl,--version-script=" + MAP, "-Wl,-soname=libkimi.so.0"])
    if built.returncode != 0:
        sys.exit(f"abi-check: the stub of {header} does not build:\n{built.stdout}")
    described = run(["abidw", "--headers-dir", include, "--no-show-locs", "--no-comp-dir-path", "--no-corpus-path",
                     "--out-file", out_abi, lib])
    if described.returncode != 0:
        sys.exit(f"abi-check: abidw failed:\n{described.stdout}")
    return lib


def compare(baseline, current):
    """(ok, report): abidiff's verdict under this project's rule."""
    diff = run(["abidiff", "--no-show-locs", baseline, current])
    report = diff.stdout
    if diff.returncode & 3:  # 1: abidiff's own error, 2: usage error
        return False, f"abidiff failed ({diff.returncode}):\n{report}"
    counts = {}
    for kind, line in (("functions", r"Functions changes summary: (\d+) Removed, (\d+) Changed"),
                       ("variables", r"Variables changes summary: (\d+) Removed, (\d+) Changed")):
        match = re.search(line, report)
        counts[kind] = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    symbols = re.search(r"(\d+) Removed function symbols? not referenced", report)
    broken = (diff.returncode & 8) or any(removed or changed for removed, changed in counts.values()) \
        or (symbols and int(symbols.group(1)))
    return not broken, report


def exported(lib):
    out = run(["nm", "-D", "--defined-only", lib]).stdout
    return {line.split()[-1] for line in out.splitlines() if " T " in line}


def check_library(stub, lib):
    """The built library exports the stub's functions, versioned alike."""
    want = {name for name in exported(stub) if not name.startswith(CONSTANTS)}
    have = exported(lib)
    missing, extra = sorted(want - have), sorted(have - want)
    return not missing and not extra, f"library exports: {len(have)}, header declares: {len(want)}" + \
        (f"; missing {missing[:5]}" if missing else "") + (f"; not in the header {extra[:5]}" if extra else "")


def self_test(baseline, header, cc):
    """Each kind of change, made to a copy of the header, meets the rule."""
    text = open(header).read()
    first = re.search(r"^KIMI_API (const char \*)(kimi_\w+)\((\w+ \w+)\);", text, re.M)
    setter = re.search(r"^KIMI_API kimi_status (kimi_client_options_set_timeout_ms)\(([^;]*)\);", text, re.M)
    constant = re.search(r"^\s*(KIMI_E_\w+) = (\d+),", text, re.M)
    callback = "typedef void (*kimi_log_cb)(int level,"
    cases = [
        ("a function removed", text.replace(setter.group(0), ""), False),
        ("a parameter's type changed", text.replace(setter.group(0), setter.group(0).replace("uint32_t", "uint64_t")),
         False),
        ("a return type changed", text.replace(first.group(0), first.group(0).replace(first.group(1), "int ")), False),
        ("a constant's value changed", text.replace(constant.group(0),
                                                    constant.group(0).replace(constant.group(2), "9999")), False),
        ("a callback type changed", text.replace(callback, callback.replace("int level", "long level")), False),
        ("a parameter renamed", text.replace(setter.group(0), setter.group(0).replace("uint32_t ms", "uint32_t millis")),
         True),
        ("a function added", text.replace(setter.group(0), setter.group(0)
                                          + "\nKIMI_API int kimi_abi_check_added(const kimi_client_options *options);"), True),
        ("a constant added", text.replace(constant.group(0), constant.group(0) + "\n    KIMI_E_ABI_CHECK_ADDED = 9998,"),
         True),
    ]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, changed, should_pass) in enumerate(cases):
            assert changed != text, f"self-test: {name} changed nothing (the header's shape moved?)"
            case_header = os.path.join(tmp, f"case{i}.h")
            with open(case_header, "w") as f:
                f.write(changed)
            work = os.path.join(tmp, f"case{i}")
            describe(case_header, os.path.join(tmp, f"case{i}.abi"), work, cc)
            ok, _ = compare(baseline, os.path.join(tmp, f"case{i}.abi"))
            good = ok == should_pass
            failures += not good
            print(("ok   " if good else "FAIL ") + f"self-test: {name} {'passes' if ok else 'fails'} the check")
    return failures == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--header", default=os.path.join(ROOT, "include/kimi.h"))
    parser.add_argument("--baseline", help="the last release's corpus (Tests/abi/libkimi-X.Y.Z.abi)")
    parser.add_argument("--lib", help="the built library to hold to the header")
    parser.add_argument("--cc", default="cc")
    parser.add_argument("--write-baseline", metavar="FILE")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.write_baseline:
            stub = describe(args.header, args.write_baseline, os.path.join(tmp, "baseline"), args.cc)
            if args.lib:
                ok, why = check_library(stub, args.lib)
                print(("ok   " if ok else "FAIL ") + why)
                if not ok:
                    return 1
            print(f"abi-check: wrote {args.write_baseline}")
            return 0
        current = os.path.join(tmp, "current.abi")
        stub = describe(args.header, current, os.path.join(tmp, "current"), args.cc)
        ok, report = compare(args.baseline, current)
        print(report.strip() or "abidiff: no change")
        print(("ok   " if ok else "FAIL ") + f"abidiff against {os.path.basename(args.baseline)}: "
              + ("nothing removed or changed under KIMI_0" if ok else "a function, variable or constant was removed "
                 "or changed (see above); an incompatible change needs a new SONAME"))
        good = ok
        if args.lib:
            lib_ok, why = check_library(stub, args.lib)
            print(("ok   " if lib_ok else "FAIL ") + why)
            good = good and lib_ok
        if args.self_test:
            good = self_test(args.baseline, args.header, args.cc) and good
    print("abi-check passed" if good else "abi-check FAILED")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
