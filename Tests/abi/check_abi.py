#!/usr/bin/env python3
"""Mechanical checks that keep the C contract honest.

1. exports: the .so exports exactly the KIMI_API functions of kimi.h, each
   as name@@KIMI_0, and nothing else;
2. header: kimi.h compiles alone as C99 and as C++ with -Wall -Wextra
   -pedantic -Werror;
3. version: the macros, kimi_version(), kimi_version_number(), the .pc file,
   the Swift core and ABI, the Python package (pyproject, __version__,
   EXPECTED_VERSION), the man pages and the find_package examples agree, and
   the number is MAJOR*1000000 + MINOR*1000 + PATCH;
4. runtime: ldd names no Swift library; SONAME is libkimi.so.<major>; the
   symlink chain is libkimi.so -> libkimi.so.0 -> libkimi.so.X.Y.Z;
5. pkg-config: a program builds with `pkg-config --cflags --libs libkimi`
   from the build tree and from a `make install DESTDIR=...` copy (with only
   libkimi's relocatable .pc on the search path), and runs;
6. README: its first C example is examples/hello.c, verbatim.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEADER = os.path.join(ROOT, "include", "kimi.h")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import kimi_header  # noqa: E402

failures = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message)
    if not condition:
        failures.append(message)


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def header_functions():
    return set(kimi_header.parse().names)


def check_exports(lib):
    out = run(["nm", "-D", "--defined-only", lib]).stdout.split("\n")
    exported, unversioned, others = set(), [], []
    for line in filter(None, out):
        fields = line.split()
        kind, name = fields[-2], fields[-1]
        if kind == "A" and name == "KIMI_0":
            continue  # the version node some linkers list
        symbol, _, version = name.partition("@@")
        if not symbol.startswith("kimi_") or kind != "T":
            others.append(line.strip())
        elif version != "KIMI_0":
            unversioned.append(symbol)
        exported.add(symbol)
    declared = header_functions()
    check(not others, f"exports: only kimi_* functions ({len(others)} other symbols: {others[:3]})")
    check(not unversioned, f"exports: every symbol is versioned KIMI_0 ({unversioned[:3]})")
    check(exported == declared, f"exports: {len(exported)} exported == {len(declared)} declared in kimi.h"
          f" (missing: {sorted(declared - exported)[:5]}, extra: {sorted(exported - declared)[:5]})")


def check_header(cc):
    flags = ["-Wall", "-Wextra", "-pedantic", "-Werror", "-fsyntax-only"]
    c = run([cc, "-std=c99", *flags, "-x", "c", HEADER])
    check(c.returncode == 0, "header: compiles alone as C99 with -Wall -Wextra -pedantic -Werror " + c.stdout.strip())
    c89 = run([cc, "-std=c89", "-Wno-long-long", *flags, "-x", "c", HEADER])
    check(c89.returncode == 0, "header: compiles alone as C89 " + c89.stdout.strip())
    cxx = run(["c++", "-std=c++11", *flags, "-x", "c++", HEADER])
    check(cxx.returncode == 0, "header: compiles alone as C++11 with -Wall -Wextra -pedantic -Werror " + cxx.stdout.strip())


def check_version(build, cc):
    header = kimi_header.parse()
    parts, string = list(header.version_parts), header.version
    check(string == ".".join(map(str, parts)), f"version: KIMI_VERSION {string} matches the MAJOR/MINOR/PATCH macros")
    number = parts[0] * 1000000 + parts[1] * 1000 + parts[2]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "v.c")
        open(src, "w").write('#include <kimi.h>\n#include <stdio.h>\nint main(void){printf("%d %d %s %s\\n",'
                             ' KIMI_VERSION_NUMBER, kimi_version_number(), KIMI_VERSION, kimi_version()); return 0;}\n')
        exe = os.path.join(tmp, "v")
        built = run([cc, "-std=c99", "-I" + os.path.join(ROOT, "include"), src, "-o", exe, "-L" + build, "-lkimi",
                     "-Wl,-rpath," + build])
        out = run([exe]).stdout.split() if built.returncode == 0 else []
    check(out == [str(number), str(number), string, string],
          f"version: KIMI_VERSION_NUMBER == kimi_version_number() == {number}; kimi_version() == {string} (got {out})")
    pc = open(os.path.join(build, "libkimi.pc")).read()
    check(f"Version: {string}\n" in pc, f"version: build/libkimi.pc says {string}")
    swift = open(os.path.join(ROOT, "Sources/KimiCore/Support/Version.swift")).read()
    swift_parts = [int(re.search(rf"static let {p} = (\d+)", swift).group(1)) for p in ("major", "minor", "patch")]
    check(swift_parts == parts, f"version: Sources/KimiCore Version == {parts}")
    abi = re.search(r'versionText: StaticString = "([^"]+)"', open(os.path.join(ROOT, "Sources/KimiABI/Version.swift")).read())
    check(abi and abi.group(1) == string, f"version: Sources/KimiABI/Version.swift says {string}")
    python = os.path.join(ROOT, "bindings/python")
    if os.path.exists(python):
        py = re.search(r'^version = "([^"]+)"', open(os.path.join(python, "pyproject.toml")).read(), re.M)
        check(py and py.group(1) == string, f"version: bindings/python pyproject.toml says {string}")
        init = re.search(r'^__version__ = "([^"]+)"', open(os.path.join(python, "src/libkimi/__init__.py")).read(), re.M)
        check(init and init.group(1) == string, f"version: libkimi.__version__ is {string}")
        expected = re.search(r"^EXPECTED_VERSION = \((\d+), (\d+), (\d+)\)",
                             open(os.path.join(python, "src/libkimi/_lib.py")).read(), re.M)
        check(expected and [int(x) for x in expected.groups()] == parts,
              f"version: libkimi._lib.EXPECTED_VERSION is {tuple(parts)}")
    for page in ("man/kimi.1", "man/libkimi.3"):
        check(f'"libkimi {string}"' in open(os.path.join(ROOT, page)).readline(), f"version: {page} says {string}")
    minor = f"find_package(libkimi {parts[0]}.{parts[1]} REQUIRED)"
    for doc in ("README.md", "man/libkimi.3", "cmake/libkimiConfig.cmake.in"):
        check(minor in open(os.path.join(ROOT, doc)).read(), f"version: {doc} shows {minor}")


def check_runtime(build):
    lib = os.path.join(build, "libkimi.so")
    major = kimi_header.parse().version_parts[0]
    ldd = run(["ldd", lib]).stdout
    check("swift" not in ldd.lower(), "runtime: ldd names no Swift runtime library")
    soname = re.search(r"SONAME\)\s+Library soname: \[([^\]]+)\]", run(["readelf", "-d", lib]).stdout)
    check(soname and soname.group(1) == f"libkimi.so.{major}", f"runtime: SONAME is libkimi.so.{major}")
    check(os.path.islink(lib) and os.readlink(lib) == f"libkimi.so.{major}", f"runtime: libkimi.so -> libkimi.so.{major}")
    link = os.path.join(build, f"libkimi.so.{major}")
    target = os.readlink(link) if os.path.islink(link) else ""
    check(re.fullmatch(r"libkimi\.so\.\d+\.\d+\.\d+", target) and os.path.isfile(os.path.join(build, target))
          and not os.path.islink(os.path.join(build, target)), f"runtime: libkimi.so.{major} -> {target} (a real file)")


def build_with_pkg_config(env, source, exe, cc):
    flags = run(["pkg-config", "--cflags", "--libs", "libkimi"], env=env)
    if flags.returncode != 0:
        return False, flags.stdout
    built = run([cc, "-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", source, "-o", exe] + flags.stdout.split(), env=env)
    return built.returncode == 0, built.stdout


def check_pkg_config(build, cc):
    hello = os.path.join(ROOT, "examples", "hello.c")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, PKG_CONFIG_PATH=build)
        exe = os.path.join(tmp, "hello-build-tree")
        ok, out = build_with_pkg_config(env, hello, exe, cc)
        check(ok, "pkg-config: hello.c builds with PKG_CONFIG_PATH=build " + out.strip())

        dest = os.path.join(tmp, "dest")
        installed = run(["make", "-s", "-C", ROOT, "install", f"DESTDIR={dest}", "PREFIX=/usr/local"])
        check(installed.returncode == 0, "install: make install DESTDIR=... succeeds " + installed.stdout.strip()[-300:])
        libdir = os.path.join(dest, "usr/local/lib")
        expected = {"include/kimi.h", "lib/libkimi.so", "lib/libkimi.so.0", "lib/pkgconfig/libkimi.pc"}
        present = {p for p in expected if os.path.lexists(os.path.join(dest, "usr/local", p))}
        check(present == expected, f"install: header, versioned lib, symlinks and .pc installed ({sorted(expected - present)} missing)")
        pc = open(os.path.join(libdir, "pkgconfig/libkimi.pc")).read() if os.path.exists(os.path.join(libdir, "pkgconfig/libkimi.pc")) else ""
        check("Requires" not in pc and "prefix=${pcfiledir}/../.." in pc and dest not in pc,
              "install: libkimi.pc is relocatable (prefix=${pcfiledir}/../..), requires nothing, names no DESTDIR")
        # Only libkimi's .pc on the search path, and no sysroot tricks.
        env = dict(os.environ, PKG_CONFIG_LIBDIR=os.path.join(libdir, "pkgconfig"))
        env.pop("PKG_CONFIG_PATH", None)
        exe = os.path.join(tmp, "hello-installed")
        ok, out = build_with_pkg_config(env, hello, exe, cc)
        check(ok, "install: hello.c builds against the DESTDIR copy with pkg-config " + out.strip())
        if ok:
            run_env = dict(os.environ, LD_LIBRARY_PATH=libdir)
            linked = run(["ldd", exe], env=run_env).stdout
            check(libdir in linked, "install: the program loads the installed libkimi.so.0")
            if os.environ.get("KIMI_MOCK_PORT"):
                answer = run([exe], env=run_env).stdout.strip()
                check(answer == "You said: Hello", f"install: the installed program chats with the mock ({answer!r})")
        uninstalled = run(["make", "-s", "-C", ROOT, "uninstall", f"DESTDIR={dest}", "PREFIX=/usr/local"])
        left = [p for p in expected if os.path.lexists(os.path.join(dest, "usr/local", p))]
        check(uninstalled.returncode == 0 and not left, f"install: make uninstall removes everything ({left} left)")


def check_readme():
    readme = open(os.path.join(ROOT, "README.md")).read()
    block = re.search(r"```c\n(.*?)```", readme, re.S)
    hello = open(os.path.join(ROOT, "examples", "hello.c")).read()
    check(block is not None and block.group(1) == hello, "README: the first C example is examples/hello.c verbatim")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--cc", default="cc")
    args = parser.parse_args()
    check_exports(os.path.join(args.build, "libkimi.so"))
    check_header(args.cc)
    check_version(args.build, args.cc)
    check_runtime(args.build)
    check_pkg_config(args.build, args.cc)
    check_readme()
    print(f"{len(failures) == 0 and 'ABI checks passed' or f'{len(failures)} ABI checks failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
