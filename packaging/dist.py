#!/usr/bin/env python3
"""The release's packaging steps (packaging/dist.mk runs them):

  strip     stripped copies of ELF files, each with its build id and a
            debuglink to NAME.debug (objcopy --only-keep-debug) beside it
  deb       libkimi0, libkimi-dev, kimi and their -dbgsym packages from a
            `make install` tree (Depends from dpkg-shlibdeps), with dpkg-deb
  tarball   the relocatable tarball and its -dbg tarball from a `make install`
            tree
  licenses  third-party licences into a wheel's .dist-info/licenses
  sums      SHA256SUMS of a folder
"""

import argparse
import gzip
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MULTIARCH = "usr/lib/x86_64-linux-gnu"
MAINTAINER = "libkimi maintainers <libkimi@users.noreply.github.com>"
HOMEPAGE = "https://github.com/libkimi/libkimi"


def run(cmd, **kw):
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if done.returncode != 0:
        sys.exit(f"dist.py: {' '.join(cmd)} failed:\n{done.stdout}")
    return done.stdout


def build_id(path):
    """The hex build id of an ELF file (every shipped binary must have one)."""
    match = re.search(r"Build ID: ([0-9a-f]+)", run(["readelf", "-n", path]))
    if not match:
        sys.exit(f"dist.py: {path} has no build id")
    return match.group(1)


def debug_path(path):
    """Where debuggers look for PATH's debug file by build id."""
    bid = build_id(path)
    return os.path.join(".build-id", bid[:2], bid[2:] + ".debug")


# ---------------------------------------------------------------- strip


def strip(args):
    os.makedirs(args.out, exist_ok=True)
    for source in args.files:
        name = os.path.basename(source)
        stripped = os.path.join(args.out, name)
        debug = stripped + ".debug"
        shutil.copyfile(os.path.realpath(source), stripped)
        os.chmod(stripped, 0o755)
        run(["objcopy", "--only-keep-debug", "--compress-debug-sections=zlib", stripped, debug])
        os.chmod(debug, 0o644)
        # As Debian's dh_strip does: symbols not needed for linking and the
        # compiler's comments go; the build id note stays.
        run(["objcopy", "--strip-unneeded", "--remove-section=.comment", "--remove-section=.note",
             f"--add-gnu-debuglink={debug}", stripped])
        # SwiftPM links libraries with RUNPATH $ORIGIN: an installed library
        # finds its dependencies where the system keeps them.
        if "RUNPATH" in run(["readelf", "-d", stripped]):
            run([args.patchelf, "--remove-rpath", stripped])
        build_id(stripped)
        print(f"strip: {name} {os.path.getsize(os.path.realpath(source))} -> {os.path.getsize(stripped)} bytes"
              f" (+ {os.path.getsize(debug)} bytes of {name}.debug)")


# ---------------------------------------------------------------- Debian

COPYRIGHT = """Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: libkimi
Source: {homepage}
Comment: libkimi.so links statically the Swift runtime (Apache-2.0 with the
 Runtime Library Exception, https://swift.org/LICENSE.txt; the Apache
 License is /usr/share/common-licenses/Apache-2.0) and GCC's libstdc++
 (GPL-3 with the GCC Runtime Library Exception).

Files: *
Copyright: libkimi contributors
License: MIT
{license}
"""


def debian_license():
    lines = open(os.path.join(ROOT, "LICENSE")).read().strip().split("\n")
    return "\n".join(" " + line if line.strip() else " ." for line in lines)


def write_docs(tree, package, version):
    doc = os.path.join(tree, "usr/share/doc", package)
    os.makedirs(doc, exist_ok=True)
    with open(os.path.join(doc, "copyright"), "w") as f:
        f.write(COPYRIGHT.format(homepage=HOMEPAGE, license=debian_license()))
    changelog = (f"libkimi ({version}) unstable; urgency=medium\n\n"
                 f"  * Release {version.split('-')[0]}; see CHANGELOG.md upstream.\n\n"
                 f" -- {MAINTAINER}  Thu, 01 Jan 2026 00:00:00 +0000\n")
    with open(os.path.join(doc, "changelog.Debian.gz"), "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
            f.write(changelog.encode())


def gzip_man_pages(tree):
    for folder, _, files in os.walk(os.path.join(tree, "usr/share/man")):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as src, open(path + ".gz", "wb") as raw:
                with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as dst:
                    shutil.copyfileobj(src, dst)
            os.remove(path)


def move(stage, tree, relative):
    """Moves STAGE/RELATIVE (a file, a link or a folder) into TREE."""
    target = os.path.join(tree, relative)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.move(os.path.join(stage, relative), target)


def installed_size(tree):
    total = 0
    for folder, _, files in os.walk(tree):
        if "/DEBIAN" in folder + "/" and folder.startswith(os.path.join(tree, "DEBIAN")):
            continue
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                total += os.path.getsize(path)
    return (total + 1023) // 1024


def finish(tree, control, out):
    """Writes DEBIAN/control and md5sums, then builds the .deb into OUT."""
    md5 = []
    for folder, dirs, files in os.walk(tree):
        dirs.sort()
        if folder == os.path.join(tree, "DEBIAN"):
            continue
        for name in sorted(files):
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                md5.append(f"{hashlib.md5(open(path, 'rb').read()).hexdigest()}  {os.path.relpath(path, tree)}\n")
    os.makedirs(os.path.join(tree, "DEBIAN"), exist_ok=True)
    with open(os.path.join(tree, "DEBIAN/md5sums"), "w") as f:
        f.writelines(md5)
    control = dict(control, **{"Installed-Size": str(installed_size(tree))})
    order = ["Package", "Source", "Version", "Architecture", "Maintainer", "Installed-Size", "Depends", "Section",
             "Priority", "Multi-Arch", "Homepage", "Auto-Built-Package", "Build-Ids", "Description"]
    with open(os.path.join(tree, "DEBIAN/control"), "w") as f:
        for key in order:
            if control.get(key):
                f.write(f"{key}: {control[key]}\n")
    for folder, dirs, files in os.walk(tree):
        os.chmod(folder, 0o755)
    name = f"{control['Package']}_{control['Version']}_amd64.deb"
    run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", tree, os.path.join(out, name)])
    print(f"deb: {name}")
    return os.path.join(out, name)


def shlibdeps(work, binary, *search):
    """dpkg-shlibdeps' Depends for BINARY (SEARCH: package trees with DEBIAN/shlibs)."""
    debian = os.path.join(work, "debian")
    os.makedirs(debian, exist_ok=True)
    with open(os.path.join(debian, "control"), "w") as f:
        f.write("Source: libkimi\n\nPackage: libkimi0\nArchitecture: amd64\n\nPackage: kimi\nArchitecture: amd64\n")
    out = run(["dpkg-shlibdeps", "-O", *[f"-S{tree}" for tree in search], "-e" + binary], cwd=work)
    match = re.search(r"^shlibs:Depends=(.*)$", out, re.M)
    if not match:
        sys.exit(f"dist.py: dpkg-shlibdeps gave no Depends for {binary}:\n{out}")
    return match.group(1)


def dbgsym(work, package, version, binaries, debug_files, out):
    """PACKAGE-dbgsym: the debug files under /usr/lib/debug/.build-id."""
    tree = os.path.join(work, package + "-dbgsym")
    ids = []
    for binary, debug in zip(binaries, debug_files):
        target = os.path.join(tree, "usr/lib/debug", debug_path(binary))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(debug, target)
        os.chmod(target, 0o644)
        ids.append(build_id(binary))
    os.makedirs(os.path.join(tree, "usr/share/doc"), exist_ok=True)
    os.symlink(package, os.path.join(tree, "usr/share/doc", package + "-dbgsym"))
    return finish(tree, {"Package": package + "-dbgsym", "Source": "libkimi", "Version": version,
                         "Architecture": "amd64", "Maintainer": MAINTAINER, "Depends": f"{package} (= {version})",
                         "Section": "debug", "Priority": "optional", "Auto-Built-Package": "debug-symbols",
                         "Build-Ids": " ".join(ids), "Description": f"debug symbols for {package}"}, out)


def deb(args):
    version = f"{args.version}-{args.revision}"
    soversion = args.version.split(".")[0]
    real = f"libkimi.so.{args.version}"
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="deb-", dir=args.work)
    stage = args.stage
    # The release binaries replace the ones `make install` copied.
    shutil.copyfile(args.lib, os.path.join(stage, MULTIARCH, real))
    shutil.copyfile(args.kimi, os.path.join(stage, "usr/bin/kimi"))
    os.chmod(os.path.join(stage, MULTIARCH, real), 0o644)
    os.chmod(os.path.join(stage, "usr/bin/kimi"), 0o755)
    describe = ("libkimi is a client library for Moonshot's Kimi K2.6 chat API: streaming,\n"
                " tools, files, batches and cost accounting behind a small C ABI.")

    lib = os.path.join(work, f"libkimi{soversion}")
    move(stage, lib, os.path.join(MULTIARCH, real))
    move(stage, lib, os.path.join(MULTIARCH, f"libkimi.so.{soversion}"))
    write_docs(lib, f"libkimi{soversion}", version)
    os.makedirs(os.path.join(lib, "DEBIAN"))
    with open(os.path.join(lib, "DEBIAN/shlibs"), "w") as f:
        f.write(f"libkimi {soversion} libkimi{soversion} (>= {args.version})\n")
    with open(os.path.join(lib, "DEBIAN/triggers"), "w") as f:
        f.write("activate-noawait ldconfig\n")
    lib_depends = shlibdeps(work, os.path.join(lib, MULTIARCH, real))
    built = [finish(lib, {"Package": f"libkimi{soversion}", "Source": "libkimi", "Version": version,
                          "Architecture": "amd64", "Maintainer": MAINTAINER, "Depends": lib_depends,
                          "Section": "libs", "Priority": "optional", "Multi-Arch": "same", "Homepage": HOMEPAGE,
                          "Description": "client library for the Kimi K2.6 API\n " + describe}, args.out)]

    dev = os.path.join(work, "libkimi-dev")
    for relative in ("usr/include/kimi.h", os.path.join(MULTIARCH, "libkimi.so"), os.path.join(MULTIARCH, "pkgconfig"),
                     os.path.join(MULTIARCH, "cmake"), "usr/share/man/man3"):
        move(stage, dev, relative)
    gzip_man_pages(dev)
    write_docs(dev, "libkimi-dev", version)
    built.append(finish(dev, {"Package": "libkimi-dev", "Source": "libkimi", "Version": version,
                              "Architecture": "amd64", "Maintainer": MAINTAINER,
                              "Depends": f"libkimi{soversion} (= {version})", "Section": "libdevel",
                              "Priority": "optional", "Multi-Arch": "same", "Homepage": HOMEPAGE,
                              "Description": "client library for the Kimi K2.6 API (development files)\n " + describe
                              + "\n .\n This package has the header, pkg-config and CMake files and the man pages."},
                        args.out))

    cli = os.path.join(work, "kimi")
    move(stage, cli, "usr/bin/kimi")
    move(stage, cli, "usr/share/man/man1")
    gzip_man_pages(cli)
    write_docs(cli, "kimi", version)
    cli_depends = shlibdeps(work, os.path.join(cli, "usr/bin/kimi"), lib)
    built.append(finish(cli, {"Package": "kimi", "Source": "libkimi", "Version": version, "Architecture": "amd64",
                              "Maintainer": MAINTAINER, "Depends": cli_depends, "Section": "net",
                              "Priority": "optional", "Homepage": HOMEPAGE,
                              "Description": "command-line client for the Kimi K2.6 API\n " + describe
                              + "\n .\n kimi chats (streamed), uploads files, runs batches and shows models,"
                                "\n the balance and token estimates."}, args.out))

    built.append(dbgsym(work, f"libkimi{soversion}", version, [args.lib], [args.lib + ".debug"], args.out))
    built.append(dbgsym(work, "kimi", version, [args.kimi], [args.kimi + ".debug"], args.out))
    left = [os.path.join(f, n) for f, _, names in os.walk(stage) for n in names]
    if left:
        sys.exit(f"dist.py: files installed by make install but in no package: {left}")
    if args.lintian:
        lintian(built)
    shutil.rmtree(work)


def lintian(debs):
    done = subprocess.run(["lintian", "--no-tag-display-limit", *debs], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    print(done.stdout, end="")
    errors = [line for line in done.stdout.splitlines() if line.startswith("E:")]
    if errors or done.returncode not in (0, 1) and not done.stdout:
        sys.exit(f"dist.py: lintian reports {len(errors)} error(s)")
    print(f"lintian: no errors in {len(debs)} packages")


# ---------------------------------------------------------------- tarball

INSTALL = """libkimi {version} for Linux x86_64 (glibc 2.28 or later)

Needs: libcurl (libcurl.so.4) and jansson (libjansson.so.4) from the system
(Debian and Ubuntu: apt install libcurl4 libjansson4; Fedora, RHEL 8+:
dnf install libcurl jansson){cli_needs}.

Everything finds everything else from where it is, so the folder can go
anywhere:

  bin/kimi                   the command-line client (man share/man/man1/kimi.1)
  include/kimi.h             the C API (a man page per function in share/man/man3)
  lib/libkimi.so.{version}   the library, with libkimi.so.0 and libkimi.so links
  lib/pkgconfig/libkimi.pc   relocatable: PKG_CONFIG_PATH=$PWD/lib/pkgconfig
  lib/cmake/libkimi          find_package(libkimi) with CMAKE_PREFIX_PATH=$PWD
  examples/hello.c           the README's first program
  LICENSE, licenses/         libkimi's licence; the Swift runtime's (linked in)

Build and run hello.c from here:

  export PKG_CONFIG_PATH=$PWD/lib/pkgconfig
  cc examples/hello.c $(pkg-config --cflags --libs libkimi) -Wl,-rpath,$PWD/lib -o hello
  MOONSHOT_API_KEY=sk-... ./hello

Debug files: libkimi-{version}-linux-x86_64-dbg.tar.gz, unpacked over this
folder, puts them where gdb looks (lib/.debug, bin/.debug; debug/.build-id
for `set debug-file-directory`).
"""


def add_tree(tar, folder, arcname):
    """Adds FOLDER as ARCNAME with fixed owners and times (reproducible)."""
    def clean(info):
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mtime = 0
        return info
    entries = [folder]
    for parent, dirs, files in os.walk(folder):
        dirs.sort()
        entries += [os.path.join(parent, d) for d in dirs if os.path.islink(os.path.join(parent, d))]
        entries += [os.path.join(parent, d) for d in dirs if not os.path.islink(os.path.join(parent, d))]
        entries += [os.path.join(parent, f) for f in sorted(files)]
    for path in entries:
        tar.add(path, arcname=os.path.join(arcname, os.path.relpath(path, folder)).rstrip("/."), recursive=False,
                filter=clean)


def write_tar(path, folder, arcname):
    with open(path, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
                add_tree(tar, folder, arcname)
    print(f"tarball: {os.path.basename(path)} ({os.path.getsize(path)} bytes)")


def tarball(args):
    name = f"libkimi-{args.version}-linux-x86_64"
    top = os.path.join(args.stage, name)
    real = f"libkimi.so.{args.version}"
    shutil.copyfile(args.lib, os.path.join(top, "lib", real))
    shutil.copyfile(args.kimi, os.path.join(top, "bin/kimi"))
    os.chmod(os.path.join(top, "lib", real), 0o755)
    os.chmod(os.path.join(top, "bin/kimi"), 0o755)
    run([args.patchelf, "--set-rpath", "$ORIGIN/../lib", os.path.join(top, "bin/kimi")])
    shutil.copyfile(os.path.join(ROOT, "LICENSE"), os.path.join(top, "LICENSE"))
    os.makedirs(os.path.join(top, "licenses"), exist_ok=True)
    for spec in args.licenses:  # what is linked into the library (the Swift runtime)
        source, _, called = spec.partition("=")
        shutil.copyfile(source, os.path.join(top, "licenses", called or os.path.basename(source)))
    os.makedirs(os.path.join(top, "examples"), exist_ok=True)
    shutil.copyfile(os.path.join(ROOT, "examples/hello.c"), os.path.join(top, "examples/hello.c"))
    needed = re.findall(r"\(NEEDED\).*\[(.+)\]", run(["readelf", "-d", args.kimi]))
    extra = [n for n in needed if not re.match(r"lib(kimi|c|m|pthread|dl|rt|gcc_s)\.so|ld-linux", n)]
    debian = {"libsqlite3.so.0": "libsqlite3-0", "libedit.so.2": "libedit2"}  # what apt calls them
    named = [f"{n} ({debian[n]})" if n in debian else n for n in extra]
    cli_needs = f"; bin/kimi also needs {', '.join(named)}" if extra else ""
    with open(os.path.join(top, "INSTALL"), "w") as f:
        f.write(INSTALL.format(version=args.version, cli_needs=cli_needs))
    os.makedirs(args.out, exist_ok=True)
    write_tar(os.path.join(args.out, name + ".tar.gz"), top, name)

    dbg = os.path.join(args.stage, "dbg", name)
    for binary, where in ((args.lib, "lib"), (args.kimi, "bin")):
        debug = binary + ".debug"
        by_link = os.path.join(dbg, where, ".debug", os.path.basename(debug))
        by_id = os.path.join(dbg, "debug", debug_path(binary))
        for target in (by_link, by_id):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(debug, target)
    for extra_debug in args.debug:  # the wheel's libcurl and jansson, by build id
        binary = extra_debug[:-len(".debug")]
        target = os.path.join(dbg, "debug", debug_path(binary))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(extra_debug, target)
    write_tar(os.path.join(args.out, name + "-dbg.tar.gz"), dbg, name)


# ---------------------------------------------------------------- licences


def add_licenses(args):
    """Adds FILES to the wheel's .dist-info/licenses (and its RECORD): the
    licences of what auditwheel vendored and of the static Swift runtime."""
    import base64
    import zipfile
    source = args.wheel
    rewritten = source + ".tmp"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as new:
        info_dir = next(n.split("/")[0] for n in old.namelist() if n.split("/")[0].endswith(".dist-info"))
        record_name = f"{info_dir}/RECORD"
        record = old.read(record_name).decode()
        for item in old.infolist():
            if item.filename != record_name:
                new.writestr(item, old.read(item.filename))
        for spec in args.files:
            path, _, name = spec.partition("=")
            data = open(path, "rb").read()
            arcname = f"{info_dir}/licenses/{name or os.path.basename(path)}"
            new.writestr(arcname, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record += f"{arcname},sha256={digest},{len(data)}\n"
        new.writestr(record_name, record)
    os.replace(rewritten, source)
    print(f"licenses: {len(args.files)} added to {os.path.basename(source)}")


# ---------------------------------------------------------------- sums


def sums(args):
    lines = []
    for name in sorted(os.listdir(args.folder)):
        path = os.path.join(args.folder, name)
        if name != "SHA256SUMS" and os.path.isfile(path):
            lines.append(f"{hashlib.sha256(open(path, 'rb').read()).hexdigest()}  {name}\n")
    with open(os.path.join(args.folder, "SHA256SUMS"), "w") as f:
        f.writelines(lines)
    print(f"SHA256SUMS: {len(lines)} files")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("strip")
    p.add_argument("--out", required=True)
    p.add_argument("--patchelf", default="patchelf")
    p.add_argument("files", nargs="+")
    p = sub.add_parser("deb")
    for option in ("--stage", "--lib", "--kimi", "--version", "--out", "--work"):
        p.add_argument(option, required=True)
    p.add_argument("--revision", default="1")
    p.add_argument("--lintian", action="store_true")
    p = sub.add_parser("tarball")
    for option in ("--stage", "--lib", "--kimi", "--version", "--out", "--patchelf"):
        p.add_argument(option, required=True)
    p.add_argument("--debug", nargs="*", default=[])
    p.add_argument("--licenses", nargs="*", default=[])
    p = sub.add_parser("licenses")
    p.add_argument("wheel")
    p.add_argument("files", nargs="+", help="PATH or PATH=NAME")
    p = sub.add_parser("sums")
    p.add_argument("folder")
    args = parser.parse_args()
    {"strip": strip, "deb": deb, "tarball": tarball, "licenses": add_licenses, "sums": sums}[args.command](args)


if __name__ == "__main__":
    main()
