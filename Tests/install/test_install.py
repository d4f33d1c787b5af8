"""What a packager and a new user meet after `make install`: the `kimi`
command (every subcommand, a pipe, a failing server, Ctrl-C), the man pages,
the CMake package and pkg-config, from a DESTDIR-staged copy and from a
copy installed under a prefix. Run by `make test-install` against the mock
(KIMI_BASE_URL); cmake comes from PyPI in the test venv."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from kimi_helpers import BUILD, ROOT, on_a_terminal, run

MOCK = os.environ.get("KIMI_BASE_URL")
pytestmark = pytest.mark.skipif(not MOCK, reason="run through Tests/mock/with_mock.py (make test-install)")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import kimi_header  # noqa: E402

HEADER = kimi_header.parse()
VERSION = HEADER.version


def header_functions():
    return sorted(HEADER.names)


# --- the staged files --------------------------------------------------------


def test_everything_is_staged_under_the_prefix(stage):
    for path in ("bin/kimi", "include/kimi.h", "lib/libkimi.so", "lib/libkimi.so.0", "lib/pkgconfig/libkimi.pc",
                 "lib/cmake/libkimi/libkimiConfig.cmake", "lib/cmake/libkimi/libkimiConfigVersion.cmake",
                 "share/man/man1/kimi.1", "share/man/man3/libkimi.3", "share/man/man3/kimi_chat_create.3"):
        assert os.path.lexists(os.path.join(stage, path)), path
    for name in ("libkimi.pc", "libkimiConfig.cmake"):
        found = next(os.path.join(d, name) for d, _, files in os.walk(stage) if name in files)
        assert os.path.dirname(stage) not in open(found).read(), f"{name} names the staging directory"


# --- man pages ---------------------------------------------------------------


def test_every_function_has_a_page_and_every_page_a_function(stage):
    pages = {f[:-2] for f in os.listdir(os.path.join(stage, "share/man/man3")) if f.startswith("kimi_")}
    functions = set(header_functions())
    exported = {line.split()[-1].split("@")[0] for line in run(["nm", "-D", "--defined-only",
                os.path.join(BUILD, "libkimi.so.0")]).stdout.splitlines() if " T kimi_" in line}
    assert exported == functions
    assert pages == functions, (sorted(functions - pages)[:5], sorted(pages - functions)[:5])
    # Pages name only functions that exist.
    for page in os.listdir(os.path.join(stage, "share/man/man3")):
        text = open(os.path.join(stage, "share/man/man3", page)).read()
        named = set(re.findall(r"\.BR (kimi_\w+) \(3\)", text))
        assert named <= functions, (page, named - functions)


def test_the_hand_written_pages_carry_the_version():
    for page in ("man/kimi.1", "man/libkimi.3"):
        assert f'"libkimi {VERSION}"' in open(os.path.join(ROOT, page)).readline(), page


def test_the_pages_render_without_warnings(stage):
    if not shutil.which("groff") or not shutil.which("man"):
        pytest.skip("man and groff are not installed (apt-get install man-db groff-base)")
    man = os.path.join(stage, "share/man")
    for page in ("man1/kimi.1", "man3/libkimi.3", "man3/kimi_chat_create.3"):
        shown = run(["man", "--warnings", "-l", os.path.join(man, page)], env=dict(os.environ, MANWIDTH="80"))
        assert shown.returncode == 0 and not shown.stderr, (page, shown.stderr)
        assert len(shown.stdout.splitlines()) > 10
    for page in os.listdir(os.path.join(man, "man3")):
        checked = run(["groff", "-man", "-Tutf8", "-ww", "-z", os.path.join(man, "man3", page)])
        assert checked.returncode == 0 and not checked.stderr, (page, checked.stderr)
    rendered = run(["man", "-l", os.path.join(man, "man3/kimi_chat_create.3")], env=dict(os.environ, MANWIDTH="80"))
    assert "kimi_status kimi_chat_create(kimi_client *client," in rendered.stdout
    assert "KIMI_E_INVALID_ARGUMENT" in rendered.stdout


# --- pkg-config and CMake ----------------------------------------------------

HELLO = os.path.join(ROOT, "examples", "hello.c")


def check_hello(program, libdir):
    answer = run([program], env=dict(os.environ, LD_LIBRARY_PATH=libdir))
    assert answer.stdout.strip() == "You said: Hello", answer.stderr


def test_pkg_config_with_only_libkimis_pc(stage, tmp_path):
    pcdir = os.path.join(stage, "lib/pkgconfig")
    text = open(os.path.join(pcdir, "libkimi.pc")).read()
    assert "Requires" not in text
    env = dict(os.environ, PKG_CONFIG_LIBDIR=pcdir)  # nothing else on the search path
    env.pop("PKG_CONFIG_PATH", None)
    flags = run(["pkg-config", "--cflags", "--libs", "libkimi"], env=env)
    assert flags.returncode == 0, flags.stderr
    paths = {flag[:2]: os.path.normpath(flag[2:]) for flag in flags.stdout.split() if flag[:2] in ("-I", "-L")}
    assert paths == {"-I": f"{stage}/include", "-L": f"{stage}/lib"}, flags.stdout
    program = str(tmp_path / "hello")
    built = run(["cc", "-std=c99", "-Wall", "-Werror", HELLO, "-o", program] + flags.stdout.split())
    assert built.returncode == 0, built.stderr
    check_hello(program, os.path.join(stage, "lib"))
    # The same file at its final place names the final prefix.
    final = tmp_path / "root/usr/local/lib/pkgconfig"
    final.mkdir(parents=True)
    shutil.copy(os.path.join(pcdir, "libkimi.pc"), final)
    prefix = run(["pkg-config", "--variable=prefix", "libkimi"], env=dict(env, PKG_CONFIG_LIBDIR=str(final)))
    assert os.path.normpath(prefix.stdout.strip()) == str(tmp_path / "root/usr/local")


CMAKELISTS = """cmake_minimum_required(VERSION 3.16)
project(hello C)
find_package(libkimi {version} REQUIRED)
add_executable(hello hello.c)
target_link_libraries(hello PRIVATE libkimi::libkimi)
"""


def cmake_build(tmp_path, name, prefix_path, version="0.2"):
    cmake = shutil.which("cmake", path=os.path.dirname(sys.executable)) or shutil.which("cmake")
    if not cmake:
        pytest.fail("cmake is missing: make test-install installs it in build/test-venv from PyPI")
    source = tmp_path / name
    source.mkdir()
    shutil.copy(HELLO, source / "hello.c")
    (source / "CMakeLists.txt").write_text(CMAKELISTS.format(version=version))
    configured = run([cmake, "-S", str(source), "-B", str(source / "build"), f"-DCMAKE_PREFIX_PATH={prefix_path}"])
    if configured.returncode != 0:
        return None, configured.stdout + configured.stderr
    built = run([cmake, "--build", str(source / "build")])
    assert built.returncode == 0, built.stdout + built.stderr
    return str(source / "build" / "hello"), ""


def test_cmake_find_package_staged_and_installed(stage, prefix, tmp_path):
    program, _ = cmake_build(tmp_path, "staged", stage)
    check_hello(program, os.path.join(stage, "lib"))
    program, _ = cmake_build(tmp_path, "installed", prefix)
    check_hello(program, os.path.join(prefix, "lib"))
    # The version file refuses what this copy is not.
    major, minor, _ = VERSION.split(".")
    program, why = cmake_build(tmp_path, "too_new", prefix, version=f"{major}.{int(minor) + 1}")
    assert program is None and VERSION in why
    program, why = cmake_build(tmp_path, "other_major", prefix, version="1.0")
    assert program is None


# --- kimi(1) -------------------------------------------------------------------


def test_help_and_version(kimi):
    shown = kimi("--help")
    assert shown.returncode == 0 and re.search(r"chat +\[PROMPT\.\.\.\]", shown.stdout)
    assert kimi("--version").stdout.strip() == f"kimi {VERSION}"
    for command in (["chat"], ["files"], ["batch"], ["models"], ["balance"], ["estimate"]):
        helped = kimi(*command, "--help")
        assert helped.returncode == 0 and helped.stdout.startswith("usage: kimi " + command[0]), command
    wrong = kimi("nope")
    assert wrong.returncode == 2 and "unknown command" in wrong.stderr
    assert kimi("chat", "--thinking", "sometimes", "x").returncode == 2
    assert kimi("chat", "--bogus", "x").returncode == 2


def test_chat_from_arguments_and_from_a_pipe(kimi):
    answer = kimi("chat", "hello", "there")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout == "You said: hello there\n"  # into a pipe: the answer alone
    piped = kimi("chat", "-v", input="from a pipe\n")
    assert piped.stdout == "You said: from a pipe\n"
    assert re.search(r"kimi-k2\.6, finish stop, \d+ prompt tokens \(\d+ cached\), \d+ completion tokens, \$[\d.]+, request req-",
                     piped.stderr)
    both = kimi("chat", "--reasoning", "why")
    assert both.stdout.startswith('The user said "why".\n\nYou said: why')
    assert kimi("chat", "--reasoning-only", "why").stdout == 'The user said "why".\n'
    whole = json.loads(kimi("chat", "--output", "json", "hi").stdout)
    assert whole["choices"][0]["message"]["content"] == "You said: hi"


def test_chat_options_reach_the_request(kimi, tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_text('{"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}')
    shaped = kimi("chat", "--schema", str(schema), "--thinking", "off", "--max-tokens", "100", "a name")
    assert shaped.returncode == 0, shaped.stderr
    assert "name" in json.loads(shaped.stdout)
    image = os.path.join(BUILD, "samples", "image.png")
    if os.path.exists(image):
        seen = kimi("chat", "--image", image, "what is this?")
        assert seen.returncode == 0 and "[image image/png" in seen.stdout, seen.stdout + seen.stderr
    refused = kimi("chat", "--temperature", "0.2", "x")
    assert refused.returncode == 17 and refused.stderr.count("\n") == 1 and "temperature" in refused.stderr


def test_an_interactive_session_keeps_the_conversation(kimi):
    session = kimi("chat", "-i", "--system", "be brief", input="first\n\nsecond\n")
    assert session.returncode == 0, session.stderr
    assert session.stdout.splitlines() == ["You said: first", "You said: second"]


def test_files(kimi, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("the notes\n")
    uploaded = kimi("files", "upload", str(notes))
    assert uploaded.returncode == 0, uploaded.stderr
    file_id = uploaded.stdout.strip()
    assert file_id.startswith("file-") and "uploading 100%" in uploaded.stderr
    assert any(line.startswith(file_id + "\t") for line in kimi("files", "list").stdout.splitlines())
    assert json.loads(kimi("files", "get", file_id).stdout)["filename"] == "notes.txt"
    assert kimi("files", "content", file_id).stdout == "the notes\n"
    assert kimi("files", "delete", file_id).stdout.strip() == f"deleted {file_id}"
    gone = kimi("files", "get", file_id)
    assert gone.returncode == 16 and "not found" in gone.stderr
    missing = kimi("files", "upload", str(tmp_path / "nothing.txt"))
    assert missing.returncode == 1 and "nothing.txt" in missing.stderr


def test_batches(kimi, tmp_path):
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("".join(json.dumps({"custom_id": f"r{i}", "method": "POST", "url": "/v1/chat/completions",
                                        "body": {"model": "kimi-k2.6", "messages": [{"role": "user",
                                                                                     "content": f"job {i}"}]}}) + "\n"
                            for i in range(3)))
    submitted = kimi("batch", "submit", str(jobs), "--wait")
    assert submitted.returncode == 0, submitted.stderr
    batch_id = submitted.stdout.splitlines()[0]
    assert batch_id.startswith("batch")
    assert re.search(rf"{batch_id} 100% \w+ 3/3", submitted.stderr)  # plain progress lines when not a terminal
    assert submitted.stdout.splitlines()[1].startswith(f"{batch_id}\tcompleted\t3/3 done")
    assert kimi("batch", "status", batch_id).stdout.startswith(f"{batch_id}\tcompleted")
    assert json.loads(kimi("batch", "status", batch_id, "--json").stdout)["id"] == batch_id
    results = [json.loads(line) for line in kimi("batch", "results", batch_id).stdout.splitlines()]
    assert sorted((r["custom_id"], r["content"]) for r in results) == [(f"r{i}", f"You said: job {i}") for i in range(3)]
    assert kimi("batch", "wait", batch_id).returncode == 0
    assert any(line.startswith(batch_id) for line in kimi("batch", "list").stdout.splitlines())
    late = kimi("batch", "cancel", batch_id)
    assert late.returncode == 17 and "is completed" in late.stderr


def test_account_commands(kimi):
    models = kimi("models").stdout.splitlines()
    assert "kimi-k2.6\t262144\timage\tvideo\treasoning" in models
    assert kimi("balance").stdout.startswith("available ")
    assert int(kimi("estimate", "count", "these").stdout) > 0
    assert int(kimi("estimate", input="from a pipe").stdout) > 0


def test_a_failing_server_and_configuration(kimi, tmp_path):
    refused = kimi("chat", "x [[mock: status=401 type=invalid_authentication_error message=bad]]")
    assert refused.returncode == 14 and refused.stderr.startswith("kimi chat: ") and refused.stderr.count("\n") == 1
    nowhere = kimi("--base-url", "http://127.0.0.1:9/v1", "models")
    assert nowhere.returncode == 20 and nowhere.stderr.startswith("kimi models: ")
    key = tmp_path / "key"
    key.write_text("sk-from-a-file\n")
    seen = kimi("--api-key-file", str(key), "chat", "hi", env={"MOONSHOT_API_KEY": ""})
    assert seen.returncode == 0, seen.stderr
    no_key = kimi("models", env={"MOONSHOT_API_KEY": "", "KIMI_API_KEY": ""})
    assert no_key.returncode == 17 and "key" in no_key.stderr


def test_ctrl_c_stops_a_stream_and_keeps_what_arrived(kimi):
    child = subprocess.Popen([kimi.path, "chat", "--reasoning", "a b c d e f [[mock: delay_ms=300]]"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=kimi.env(),
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(1.5)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=10)
    assert child.returncode == 130, err
    assert out.startswith('The user said "a b c d e f".') and out.endswith("\n")
    assert err == "kimi chat: interrupted\n"


def test_kimi_against_an_independent_server(kimi):
    """Tests/recorder/recording_server.py: another OpenAI-compatible server."""
    server = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests/recorder/recording_server.py"), "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{server.stdout.readline().split()[1]}"
        answer = kimi("--base-url", url + "/v1", "chat", "hi", env={"MOONSHOT_API_KEY": "sk-other"})
        assert answer.returncode == 0 and answer.stdout == "ok\n", answer.stderr
        assert "small-model\t4096" in kimi("--base-url", url + "/v1", "models").stdout
        with urllib.request.urlopen(url + "/recorded") as seen:
            bodies = [r["body"] for r in json.load(seen) if r["method"] == "POST"]
        assert bodies[0]["stream"] is True and bodies[0]["messages"] == [{"role": "user", "content": "hi"}]
    finally:
        server.terminate()
        server.wait()


def test_on_a_terminal_reasoning_is_dimmed_and_uploads_show_a_bar(kimi, tmp_path):
    status, shown = on_a_terminal([kimi.path, "chat", "why"], env=kimi.env())
    shown = shown.decode()
    assert status == 0 and '\x1b[2mThe user said "why".' in shown and "\x1b[0m" in shown and "You said: why" in shown
    assert b"\x1b[2m" not in on_a_terminal([kimi.path, "chat", "--no-reasoning", "why"], env=kimi.env())[1]
    notes = tmp_path / "big.txt"
    notes.write_text("x" * 300000)
    status, bar = on_a_terminal([kimi.path, "files", "upload", str(notes)], env=kimi.env())
    assert status == 0 and re.search(rb"\ruploading \[#{30}\] 100%", bar), repr(bar[-200:])
