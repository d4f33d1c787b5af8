#!/usr/bin/env python3
"""make test-dist: each artifact of build/dist as a user meets it.

1. binaries: every ELF file of the wheel, the Debian packages and the tarball
   needs no glibc symbol newer than 2.28, no DT_RELR, has no debug sections,
   has a build id (and the library and kimi a debuglink); auditwheel
   finds the wheel consistent with manylinux_2_28 or lower.
2. gdb: kimi from the tarball, stopped inside libcurl, shows Swift frames
   (KimiCore, KimiABI) and C frames (cli/*.c) with file and line once the
   -dbg tarball is unpacked next to it, and none without it.
3. clean roots (mmdebstrap, minimal Debian 12 from this machine's mirror; no
   Swift, no -dev packages), each run against the mock on 127.0.0.1:
   - debs: apt installs the three packages (apt resolves libcurl4 and
     libjansson4); `kimi chat` answers; with the -dbgsym packages and gdb,
     gdb finds the debug files by build id;
   - tarball: only gcc, pkg-config and the runtime libraries; hello.c builds
     with the tarball's libkimi.pc and answers; bin/kimi answers;
   - wheel: no libcurl at all; pip installs the wheel in a venv and an
     openai-python script prints the same transcript as the build tree's
     library; HTTPS works with the Debian CA layout, the RHEL layout (the
     library finds /etc/pki/tls/certs/ca-bundle.crt) and fails without any;
   - Debian 11 (glibc 2.31, below the 2.34-2.36 the development build needs):
     the wheel runs; the tarball's kimi, on Debian 11's libcurl 7.74, stops
     with a message naming the libcurl it needs (7.85). No glibc 2.28 root is
     reachable from here (Debian 10 left the mirrors); 2.28 is proved by (1).
   The mirror is the one this machine's apt uses (KIMI_DIST_MIRROR names
   another); with none answering, the roots are skipped with a message (set
   KIMI_DIST_REQUIRE_ROOTS=1 to fail instead).
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import kimi_header  # noqa: E402

FLOOR = (2, 28)
VERSION = kimi_header.parse().version
TARBALL = f"libkimi-{VERSION}-linux-x86_64"
passed, failed = [], []


def check(condition, message, detail=""):
    print(("ok   " if condition else "FAIL ") + message + ("" if condition or not detail else f"\n     {detail}"))
    (passed if condition else failed).append(message)
    return condition


def run(cmd, **kw):
    kw.setdefault("timeout", 900)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


# ------------------------------------------------------------------ binaries


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def elf_files(tree):
    return sorted(os.path.join(d, n) for d, _, names in os.walk(tree) for n in names
                  if not os.path.islink(os.path.join(d, n)) and is_elf(os.path.join(d, n)))


def glibc_versions(path):
    text = run(["objdump", "-T", path]).stdout
    return {tuple(map(int, v.split("."))) for v in re.findall(r"\(GLIBC_([0-9.]+)\)", text)}


def check_binary(path, name, debug_file):
    versions = glibc_versions(path)
    newest = max(versions) if versions else (0,)
    check(newest <= FLOOR, f"{name}: newest glibc symbol GLIBC_{'.'.join(map(str, newest))} <= 2.28",
          "newer: " + ", ".join(f"{s}" for s in re.findall(r"\(GLIBC_2\.(?:29|[3-9]\d)[^)]*\)\s+(\S+)",
                                                             run(["objdump", "-T", path]).stdout)))
    needs = run(["readelf", "-V", path]).stdout
    dynamic = run(["readelf", "-d", path]).stdout
    check("GLIBC_ABI_DT_RELR" not in needs and "(RELR)" not in dynamic, f"{name}: no DT_RELR (glibc 2.36)")
    sections = run(["readelf", "-S", "-W", path]).stdout
    check(".debug_info" not in sections and ".symtab" not in sections, f"{name}: stripped (no .debug_info, .symtab)")
    check("Build ID:" in run(["readelf", "-n", path]).stdout, f"{name}: has a build id")
    if debug_file:
        check(".gnu_debuglink" in sections, f"{name}: has a debuglink")


def unpack_debs(debs, into):
    for deb in debs:
        run(["dpkg-deb", "-x", deb, into])


def check_binaries(dist, work):
    wheel = glob.glob(os.path.join(dist, "libkimi-*.whl"))
    debs = [d for d in glob.glob(os.path.join(dist, "*.deb")) if "dbgsym" not in d]
    tarball = os.path.join(dist, TARBALL + ".tar.gz")
    if not check(len(wheel) == 1 and len(debs) == 3 and os.path.exists(tarball),
                 "artifacts: one wheel, three Debian packages and the tarball in build/dist"):
        return
    trees = {name: os.path.join(work, "unpacked", name) for name in ("wheel", "debs", "tarball")}
    for tree in trees.values():
        shutil.rmtree(tree, ignore_errors=True)
        os.makedirs(tree)
    zipfile.ZipFile(wheel[0]).extractall(trees["wheel"])
    unpack_debs(debs, trees["debs"])
    run(["tar", "xzf", tarball, "-C", trees["tarball"]])
    for kind, tree in trees.items():
        files = elf_files(tree)
        check(len(files) >= (3 if kind == "wheel" else 2), f"{kind}: {len(files)} ELF files")
        for path in files:
            base = os.path.basename(path)
            ours = base.startswith("libkimi.so") or base == "kimi"
            check_binary(path, f"{kind}: {os.path.relpath(path, tree)}", debug_file=ours)
    shown = run([os.path.join(ROOT, "build/portable/venv/bin/auditwheel"), "show", wheel[0]],
                env=dict(os.environ, PATH=os.path.join(ROOT, "build/portable/venv/bin") + ":" + os.environ["PATH"]))
    tag = re.search(r'consistent with the\s+following platform tag:\s+"manylinux_(\d+)_(\d+)_x86_64"', shown.stdout)
    check(tag and (int(tag.group(1)), int(tag.group(2))) <= FLOOR,
          f"wheel: auditwheel show finds it consistent with manylinux_{tag.group(1)}_{tag.group(2)} "
          f"(<= manylinux_2_28)" if tag else "wheel: auditwheel show names a manylinux tag", shown.stdout[-600:])
    check(re.search(r"manylinux_2_28_x86_64", os.path.basename(wheel[0])) is not None,
          f"wheel: tagged manylinux_2_28 ({os.path.basename(wheel[0])})")
    vendored = sorted(os.path.basename(p) for p in glob.glob(os.path.join(trees["wheel"], "libkimi.libs", "*")))
    check(any(v.startswith("libcurl") for v in vendored) and any(v.startswith("libjansson") for v in vendored),
          f"wheel: libcurl and jansson vendored in libkimi.libs ({vendored})")
    licenses = sorted(os.path.basename(p) for p in glob.glob(os.path.join(trees["wheel"], "*.dist-info/licenses/*")))
    check({"curl.txt", "openssl.txt", "nghttp2.txt", "jansson.txt", "swift-runtime.txt"} <= set(licenses),
          f"wheel: the licences of what it carries ({licenses})")
    record = open(glob.glob(os.path.join(trees["wheel"], "*.dist-info/RECORD"))[0]).read()
    check(all(f"licenses/{name}," in record for name in licenses), "wheel: its RECORD lists the licences")
    return trees


# ------------------------------------------------------------------ gdb

GDB_COMMANDS = ["-batch", "-ex", "set breakpoint pending on", "-ex", "break curl_easy_setopt", "-ex", "run",
                "-ex", "bt"]


def frames(gdb_output):
    """(Swift frames with file:line, C frames of kimi with file:line)."""
    lines = [line for line in gdb_output.splitlines() if re.match(r"#\d+ ", line)]
    swift = [line for line in lines if re.search(r"\.swift:\d+", line)]
    c = [line for line in lines if re.search(r"cli/\w+\.c:\d+", line)]
    return swift, c


def check_gdb_tarball(dist, work, env):
    if not shutil.which("gdb"):
        check(False, "gdb: installed (apt-get install gdb)")
        return
    bare = os.path.join(work, "gdb-bare")
    full = os.path.join(work, "gdb-full")
    for where in (bare, full):
        shutil.rmtree(where, ignore_errors=True)
        os.makedirs(where)
        run(["tar", "xzf", os.path.join(dist, TARBALL + ".tar.gz"), "-C", where])
    run(["tar", "xzf", os.path.join(dist, TARBALL + "-dbg.tar.gz"), "-C", full])
    for where, with_debug in ((full, True), (bare, False)):
        kimi = os.path.join(where, TARBALL, "bin/kimi")
        shown = run(["gdb", "-nx", *GDB_COMMANDS, "--args", kimi, "chat", "debug me"], env=env, timeout=300)
        swift, c = frames(shown.stdout)
        if with_debug:
            check(len(swift) >= 3 and any("KimiCore" in f for f in swift) and any("KimiABI" in f for f in swift)
                  and any("main.c" in f for f in c),
                  f"gdb: with the -dbg tarball, {len(swift)} Swift frames (KimiCore, KimiABI) and {len(c)} C frames "
                  "of kimi with file:line", shown.stdout[-1500:])
        else:
            check(not swift and not c, "gdb: without the -dbg tarball, no file:line (the files above are what "
                                       "gave them)", shown.stdout[-800:])


# ------------------------------------------------------------------ roots


def machine_mirrors():
    """(Debian main mirror URI, security URI) from this machine's apt sources."""
    text = ""
    for path in glob.glob("/etc/apt/sources.list") + glob.glob("/etc/apt/sources.list.d/*"):
        if path.endswith((".list", ".sources")) or path.endswith("sources.list"):
            text += open(path).read() + "\n"
    uris = re.findall(r"^URIs:\s*(\S+)", text, re.M) + re.findall(r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)", text, re.M)
    main = [u for u in uris if re.search(r"/debian/?$", u)]
    security = [u for u in uris if re.search(r"/debian-security/?$", u)]
    return (main[0].rstrip("/") if main else None), (security[0].rstrip("/") if security else None)


def answers(uri, suite):
    try:
        with urllib.request.urlopen(f"{uri}/dists/{suite}/Release", timeout=15) as reply:
            return reply.status == 200
    except OSError:
        return False


class Root:
    """A Debian root made by mmdebstrap; commands run chrooted in a private
    mount namespace (its /proc goes away with the command)."""

    def __init__(self, path):
        self.path = path

    def run(self, script, env=None, timeout=900):
        inner = " ".join(f"{k}={shlex_quote(v)}" for k, v in (env or {}).items())
        command = (f"mount -t proc proc {self.path}/proc && "
                   f"exec chroot {self.path} /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "
                   f"LANG=C.UTF-8 {inner} /bin/sh -c {shlex_quote(script)}")
        return run(["unshare", "--mount", "--propagation", "private", "sh", "-c", command], timeout=timeout)

    def apt(self, *packages):
        return self.run("apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
                        "--no-install-recommends " + " ".join(packages))

    def copy_in(self, source, target):
        shutil.copy(source, os.path.join(self.path, target.lstrip("/")))


def shlex_quote(text):
    import shlex
    return shlex.quote(text)


def make_root(path, suite, main, security):
    shutil.rmtree(path, ignore_errors=True)
    sources = [f"deb {main} {suite} main"]
    if security and suite == "bookworm":
        sources.append(f"deb {security} {suite}-security main")
    made = run(["mmdebstrap", "--variant=apt", "--mode=root", "--quiet", suite, path, *sources], timeout=900)
    if not check(made.returncode == 0, f"root: mmdebstrap {suite} from {main}", made.stdout[-1500:]):
        return None
    return Root(path)


def clone(base, path):
    shutil.rmtree(path, ignore_errors=True)
    run(["cp", "-a", base.path, path])
    return Root(path)


def mock_env(url):
    return {"KIMI_BASE_URL": url, "MOONSHOT_API_KEY": "sk-test-mock"}


def test_debs(root, dist, url):
    debs = sorted(glob.glob(os.path.join(dist, "*.deb")))
    if not check(len(debs) == 5, f"debs: five packages in build/dist ({len(debs)})"):
        return
    for deb in debs:
        root.copy_in(deb, "/tmp/")
    names = [os.path.basename(d) for d in debs if "dbgsym" not in d]
    installed = root.apt(*[f"/tmp/{n}" for n in names])
    if not check(installed.returncode == 0, f"debs: apt install {' '.join(names)} in a minimal Debian 12",
                 installed.stdout[-1500:]):
        return
    listed = [name.split(":")[0] for name in root.run("dpkg -l | awk '/^ii/ {print $2}'").stdout.split()]
    check("libcurl4" in listed and "libjansson4" in listed and not any(p.endswith("-dev") and p != "libkimi-dev"
                                                                        for p in listed)
          and not any("swift" in p for p in listed),
          "debs: apt brought libcurl4 and libjansson4 from the Depends; no -dev package but libkimi-dev, no Swift")
    answer = root.run('kimi chat "hello from the deb"', env=mock_env(url))
    check(answer.stdout.strip() == "You said: hello from the deb", "debs: kimi chat answers from /usr/bin/kimi",
          answer.stdout)
    check(root.run("test -e /usr/include/kimi.h && test -e /usr/lib/x86_64-linux-gnu/pkgconfig/libkimi.pc && "
                   "test -e /usr/lib/x86_64-linux-gnu/cmake/libkimi/libkimiConfig.cmake && "
                   "test -e /usr/share/man/man3/kimi_chat_create.3.gz && test -e /usr/share/man/man1/kimi.1.gz"
                   ).returncode == 0, "debs: header, pkg-config, CMake and man pages installed")
    installed_lib = os.path.realpath(os.path.join(root.path, "usr/lib/x86_64-linux-gnu", f"libkimi.so.{VERSION}"))
    sections = run(["readelf", "-S", "-W", installed_lib]).stdout
    check(".debug_info" in run(["readelf", "-S", "-W", os.path.join(ROOT, "build/portable/lib",
                                                                      f"libkimi.so.{VERSION}")]).stdout
          and ".debug_" not in sections and ".gnu_debuglink" in sections,
          "debs: the installed library has no debug sections (the unstripped build has) and a debuglink")
    dbgsym = [os.path.basename(d) for d in debs if "dbgsym" in d]
    debugged = root.apt("gdb", *[f"/tmp/{n}" for n in dbgsym])
    if check(debugged.returncode == 0, f"debs: apt install gdb {' '.join(dbgsym)}", debugged.stdout[-800:]):
        shown = root.run("gdb -nx " + " ".join(shlex_quote(a) for a in GDB_COMMANDS)
                         + ' --args /usr/bin/kimi chat "debug me"', env=mock_env(url), timeout=300)
        swift, c = frames(shown.stdout)
        check(len(swift) >= 3 and c, f"debs: gdb finds the -dbgsym files by build id: {len(swift)} Swift frames, "
                                     f"{len(c)} C frames with file:line", shown.stdout[-1500:])


def present(path):
    return check(os.path.exists(path), f"{os.path.basename(path)} is in build/dist")


#: What the tarball's INSTALL says to install: the library's libcurl and
#: jansson, and kimi's SQLite (its log) and libedit (chat -i).
TARBALL_NEEDS = ["libcurl4", "libjansson4", "libsqlite3-0", "libedit2"]


def test_tarball(root, dist, url, runtime):
    if not present(os.path.join(dist, TARBALL + ".tar.gz")):
        return
    root.copy_in(os.path.join(dist, TARBALL + ".tar.gz"), "/tmp/")
    installed = root.apt("gcc", "libc6-dev", "pkg-config", *runtime)
    if not check(installed.returncode == 0, f"tarball: apt install gcc libc6-dev pkg-config {' '.join(runtime)}",
                 installed.stdout[-1500:]):
        return
    told = root.run(f"tar xzf /tmp/{TARBALL}.tar.gz -O {TARBALL}/INSTALL").stdout
    check(all(package in told for package in runtime), f"tarball: INSTALL names {' '.join(runtime)}", told[:600])
    built = root.run(f"mkdir -p /srv/elsewhere && cd /srv/elsewhere && tar xzf /tmp/{TARBALL}.tar.gz && "
                     f"cd {TARBALL} && export PKG_CONFIG_PATH=$PWD/lib/pkgconfig && "
                     "gcc examples/hello.c $(pkg-config --cflags --libs libkimi) -Wl,-rpath,$PWD/lib -o /tmp/hello")
    if check(built.returncode == 0, "tarball: hello.c builds with only gcc and the tarball's libkimi.pc",
             built.stdout[-1500:]):
        answer = root.run("/tmp/hello", env=mock_env(url))
        check(answer.stdout.strip() == "You said: Hello", "tarball: hello answers", answer.stdout)
    answer = root.run(f'/srv/elsewhere/{TARBALL}/bin/kimi chat "hello from the tarball"', env=mock_env(url))
    check(answer.stdout.strip() == "You said: hello from the tarball", "tarball: bin/kimi answers from where it was "
                                                                       "unpacked", answer.stdout)


def test_old_curl(root, dist, url):
    """The tarball uses the system's libcurl: one older than the library
    needs is refused with a message, not a crash at the first missing symbol."""
    if not present(os.path.join(dist, TARBALL + ".tar.gz")):
        return
    root.copy_in(os.path.join(dist, TARBALL + ".tar.gz"), "/tmp/")
    installed = root.apt(*TARBALL_NEEDS)
    if not check(installed.returncode == 0, f"old libcurl: apt install {' '.join(TARBALL_NEEDS)}",
                 installed.stdout[-800:]):
        return
    version = root.run("dpkg-query -W -f='${Version}' libcurl4").stdout
    answer = root.run(f"cd /tmp && tar xzf {TARBALL}.tar.gz && {TARBALL}/bin/kimi chat hello", env=mock_env(url))
    check(answer.returncode != 0 and "older than 7.85.0" in answer.stdout and "wheel" in answer.stdout,
          f"old libcurl: the tarball's kimi on libcurl {version} stops with a message naming the version it needs",
          answer.stdout[-600:])


def openai_script():
    """sync_script.py of the Python tests, written for openai-python, on libkimi."""
    text = open(os.path.join(ROOT, "bindings/python/tests/openai_scripts/sync_script.py")).read()
    return text.replace("import openai  #", "import libkimi as openai  #", 1)


def reference_transcript(work, url):
    """The script's transcript with the build tree's library (make all)."""
    script = os.path.join(work, "openai_script.py")
    with open(script, "w") as f:
        f.write(openai_script())
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "bindings/python/src"),
               LIBKIMI_LIBRARY=os.path.join(ROOT, "build/libkimi.so.0"), **mock_env(url))
    done = run([sys.executable, script], env=env)
    return done.stdout.strip() if done.returncode == 0 else None


def test_wheel(root, dist, url, tls_url, reference, label):
    wheels = glob.glob(os.path.join(dist, "libkimi-*.whl"))
    if not check(len(wheels) == 1, f"{label}: one wheel in build/dist"):
        return
    wheel = wheels[0]
    root.copy_in(wheel, "/tmp/")
    with open(os.path.join(root.path, "tmp/openai_script.py"), "w") as f:
        f.write(openai_script())
    installed = root.apt("python3", "python3-venv", "ca-certificates")
    if not check(installed.returncode == 0, f"{label}: apt install python3 python3-venv ca-certificates",
                 installed.stdout[-1500:]):
        return
    curl = root.run("dpkg -l | grep -i curl; find / -xdev -name 'libcurl*' 2>/dev/null; true").stdout.strip()
    check(curl == "", f"{label}: no libcurl in the root (no package, no file)", curl)
    jansson = root.run("find / -xdev -name 'libjansson*' 2>/dev/null; true").stdout.strip()
    check(jansson == "", f"{label}: no jansson in the root", jansson)
    pip = root.run(f"python3 -m venv /opt/venv && /opt/venv/bin/pip install -q --no-index /tmp/{os.path.basename(wheel)}")
    if not check(pip.returncode == 0, f"{label}: pip installs the wheel in a fresh venv", pip.stdout[-1500:]):
        return
    answer = root.run("cd / && /opt/venv/bin/python /tmp/openai_script.py", env=mock_env(url))
    transcript = answer.stdout.strip()
    check('"You said: Hello"' in transcript and (reference is None or transcript == reference),
          f"{label}: an openai-python script gives the build tree's transcript", transcript[-800:])
    if tls_url is None:
        return
    # HTTPS: the test certificate trusted the way each distribution keeps its bundle.
    cert = open(os.path.join(ROOT, "Tests/tls/cert.pem")).read()
    hello = ("import libkimi\nc = libkimi.OpenAI(api_key='sk-test-mock', base_url=%r, max_retries=0)\n"
             "print(c.chat.completions.create(model='kimi-k2.6', messages=[{'role': 'user', 'content': 'over "
             "TLS'}]).choices[0].message.content)\n" % tls_url)
    with open(os.path.join(root.path, "tmp/tls.py"), "w") as f:
        f.write(hello)
    with open(os.path.join(root.path, "etc/ssl/certs/ca-certificates.crt"), "a") as f:
        f.write(cert)
    debian = root.run("/opt/venv/bin/python /tmp/tls.py")
    check(debian.stdout.strip() == "You said: over TLS", f"{label}: HTTPS with Debian's CA layout "
                                                         "(/etc/ssl/certs)", debian.stdout[-800:])
    moved = root.run("mkdir -p /etc/pki/tls/certs && mv /etc/ssl/certs/ca-certificates.crt "
                     "/etc/pki/tls/certs/ca-bundle.crt && rm -rf /etc/ssl/certs /usr/lib/ssl/certs && "
                     "/opt/venv/bin/python /tmp/tls.py")
    check(moved.stdout.strip() == "You said: over TLS", f"{label}: HTTPS with RHEL's CA layout "
                                                        "(/etc/pki/tls/certs/ca-bundle.crt only)", moved.stdout[-800:])
    none = root.run("rm -rf /etc/pki && /opt/venv/bin/python /tmp/tls.py")
    check(none.returncode != 0 and "certificate" in none.stdout.lower(),
          f"{label}: without any CA bundle the same call is refused (the checks above can fail)", none.stdout[-400:])


def start_mock(*extra):
    server = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests/mock/kimi_mock.py"), "--port", "0", *extra],
                              stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    if not line.startswith("PORT "):
        server.kill()
        sys.exit(f"test-dist: the mock did not start ({line!r})")
    return server, line.split()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", default=os.path.join(ROOT, "build/dist"))
    parser.add_argument("--work", default=os.path.join(ROOT, "build/portable/test-dist"))
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    started = time.monotonic()
    os.makedirs(args.work, exist_ok=True)
    servers = []
    try:
        server, port = start_mock()
        servers.append(server)
        tls_server, tls_port = start_mock("--tls", os.path.join(ROOT, "Tests/tls/cert.pem"),
                                          os.path.join(ROOT, "Tests/tls/key.pem"))
        servers.append(tls_server)
        url, tls_url = f"http://127.0.0.1:{port}/v1", f"https://127.0.0.1:{tls_port}/v1"
        env = dict(os.environ, **mock_env(url))

        print("== the binaries")
        check_binaries(args.dist, args.work)
        print("== gdb and the debug files")
        check_gdb_tarball(args.dist, args.work, env)

        main_uri, security_uri = machine_mirrors()
        if os.environ.get("KIMI_DIST_MIRROR"):
            main_uri, security_uri = os.environ["KIMI_DIST_MIRROR"].rstrip("/"), None
        if os.geteuid() != 0:
            check(False, "test-dist: the clean roots need root (mmdebstrap --mode=root, chroot); run as root")
        elif not main_uri or not answers(main_uri, "bookworm"):
            message = (f"test-dist: no Debian mirror answers ({main_uri or 'none in /etc/apt/sources.list*'}): "
                       "the clean-root tests are skipped")
            if os.environ.get("KIMI_DIST_REQUIRE_ROOTS"):
                check(False, message)
            else:
                print("SKIP " + message)
        else:
            reference = reference_transcript(args.work, url)
            check(reference is not None and '"You said: Hello"' in reference,
                  "the openai-python script runs on the build tree's library (the reference transcript)")
            roots = os.path.join(args.work, "roots")
            shutil.rmtree(roots, ignore_errors=True)
            os.makedirs(roots, exist_ok=True)
            print(f"== clean Debian 12 roots from {main_uri}")
            base = make_root(os.path.join(roots, "bookworm"), "bookworm", main_uri, security_uri)
            if base:
                test_debs(clone(base, os.path.join(roots, "debs")), args.dist, url)
                test_tarball(clone(base, os.path.join(roots, "tarball")), args.dist, url, TARBALL_NEEDS)
                test_wheel(clone(base, os.path.join(roots, "wheel")), args.dist, url, tls_url, reference, "wheel")
            if answers(main_uri, "bullseye"):
                print("== Debian 11 (glibc 2.31)")
                old = make_root(os.path.join(roots, "bullseye"), "bullseye", main_uri, None)
                if old:
                    libc = old.run("ldd --version | head -1").stdout.strip()
                    check(libc.endswith("2.31"), f"bullseye: {libc}")
                    test_wheel(old, args.dist, url, None, reference, "bullseye wheel")
                    test_old_curl(old, args.dist, url)
            else:
                print(f"SKIP test-dist: {main_uri} has no bullseye (glibc 2.31)")
    finally:
        if not os.environ.get("KIMI_DIST_KEEP_ROOTS"):
            shutil.rmtree(os.path.join(args.work, "roots"), ignore_errors=True)
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
    print(f"test-dist took {time.monotonic() - started:.0f} s")
    print(f"{len(passed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
