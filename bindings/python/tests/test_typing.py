"""libkimi type-checks like openai-python: mypy --strict and basedpyright
(both in the test venv; the package itself is checked too) judge a typical
openai-python program clean (typing_cases/clean*.py) and each snippet of typing_cases/fail_*.py (a
misspelt keyword, a misspelt attribute, a wrong type, iterating a result
that is not a stream, ...) wrong, and give the same verdict to every file
whether it imports openai or, with only the import changed, libkimi.

Each checker runs once over every file (both imports), and its errors are
counted per file; mypy keeps its cache in build/."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import REPO

CASES = os.path.join(os.path.dirname(__file__), "typing_cases")
PACKAGE = os.path.join(REPO, "bindings", "python", "src", "libkimi")
BIN = os.path.dirname(sys.executable)
MYPY_CACHE = os.path.join(REPO, "build", "mypy-cache")
SNIPPETS = sorted(name[:-3] for name in os.listdir(CASES) if name.endswith(".py"))


def tool(name):
    """The checker's command, or a skip naming what is missing."""
    if name == "mypy":
        try:
            import mypy  # noqa: F401
        except ImportError:
            pytest.skip("mypy is not installed in this Python (make's test venv installs it from PyPI)")
        return [sys.executable, "-m", "mypy"]
    path = shutil.which(name, path=BIN) or shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (make's test venv installs it from PyPI)")
    return [path]


def needs_openai():
    try:
        import openai  # noqa: F401
    except ImportError:
        pytest.skip("openai-python is not installed: the verdicts are compared with it")


def as_libkimi(source):
    """The program with only the import changed."""
    return re.sub(r"^(from|import) openai\b", r"\1 libkimi", source, flags=re.M)


@pytest.fixture(scope="module")
def programs(tmp_path_factory):
    """Every case twice, `openai_<case>.py` and `libkimi_<case>.py`, in one
    folder (one module name each, so one checker run takes them all)."""
    needs_openai()
    folder = tmp_path_factory.mktemp("typing")
    for case in SNIPPETS:
        with open(os.path.join(CASES, case + ".py")) as f:
            source = f.read()
        assert "openai" in source
        (folder / f"openai_{case}.py").write_text(source)
        (folder / f"libkimi_{case}.py").write_text(as_libkimi(source))
    return folder


def run(command, cwd):
    return subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)


def mypy_errors(output):
    """file name -> its error lines, from mypy's output."""
    errors = {}
    for line in output.splitlines():
        match = re.match(r"^(?:.*/)?([^/:]+\.py):\d+: error: ", line)
        if match:
            errors.setdefault(match.group(1), []).append(line)
    return errors


@pytest.fixture(scope="module")
def mypy_verdicts(programs):
    command = tool("mypy") + ["--strict", "--no-error-summary", "--cache-dir", MYPY_CACHE,
                              "--python-executable", sys.executable]
    result = run(command + sorted(p.name for p in programs.iterdir()), programs)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return mypy_errors(result.stdout)


@pytest.fixture(scope="module")
def pyright_verdicts(programs):
    command = tool("basedpyright") + ["--outputjson", "--pythonpath", sys.executable]
    result = run(command + sorted(p.name for p in programs.iterdir()), programs)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    errors = {}
    for diagnostic in json.loads(result.stdout)["generalDiagnostics"]:
        if diagnostic["severity"] == "error":
            line = diagnostic["range"]["start"]["line"] + 1
            errors.setdefault(os.path.basename(diagnostic["file"]), []).append(
                f"{line}: {diagnostic['message']} ({diagnostic.get('rule', '')})")
    return errors


@pytest.mark.parametrize("checker", ["mypy", "basedpyright"])
@pytest.mark.parametrize("case", SNIPPETS)
def test_the_same_verdict_as_openai(case, checker, request):
    errors = request.getfixturevalue("mypy_verdicts" if checker == "mypy" else "pyright_verdicts")
    with_openai = errors.get(f"openai_{case}.py", [])
    with_libkimi = errors.get(f"libkimi_{case}.py", [])
    if case.startswith("clean"):
        assert not with_openai, f"the program does not check clean with openai-python: {with_openai}"
        assert not with_libkimi, f"{checker} finds errors with libkimi: {with_libkimi}"
    else:
        assert with_openai, f"{checker} lets {case} through with openai-python: the snippet proves nothing"
        assert with_libkimi, f"{checker} lets {case} through with libkimi, where openai-python fails it: {with_openai}"
    for error in with_openai + with_libkimi:
        assert not re.search(r"[Cc]annot find implementation|could not be resolved|Cannot find module", error), \
            f"{checker} did not find the package, so its verdict proves nothing: {error}"


def test_the_package_passes_mypy_strict():
    result = run(tool("mypy") + ["--strict", "--cache-dir", MYPY_CACHE, "--python-executable", sys.executable,
                                 "--config-file", os.path.join(REPO, "bindings", "python", "pyproject.toml"),
                                 PACKAGE], REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_package_passes_basedpyright():
    result = run(tool("basedpyright") + ["--pythonpath", sys.executable, "--level", "error", PACKAGE],
                 os.path.join(REPO, "bindings", "python"))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr


#: libkimi's own API (openai-python has no conversation): typed parameters,
#: so a misspelt setting or a wrong type is an error and the right ones check clean.
CONVERSATION_CLEAN = '''
from libkimi import Client


def clock(city: str) -> str:
    return city


client = Client(api_key="key")
with client.conversation("kimi-k2.6", tools=[clock], system="Be brief.", thinking="disabled",
                         max_completion_tokens=64, temperature=0.6, stop=["END"]) as conv:
    conv.add_message("user", "Time in Oslo?")
    answer = conv.run(max_steps=4, on_event=lambda event: print(event.type))
    print(answer.choices[0].message.content, len(conv), conv.messages[0]["role"])
'''
CONVERSATION_FAILS = {
    "misspelt_setting": 'client.conversation(temperatur=0.6)',
    "wrong_thinking": 'client.conversation(thinking="sometimes")',
    "wrong_steps": 'client.conversation().run(max_steps="4")',
}


@pytest.mark.parametrize("checker", ["mypy", "basedpyright"])
def test_the_conversation_api_is_typed(checker, tmp_path):
    head = "from libkimi import Client\n\nclient = Client(api_key=\"key\")\n"
    (tmp_path / "conversation_clean.py").write_text(CONVERSATION_CLEAN)
    for name, line in CONVERSATION_FAILS.items():
        (tmp_path / f"conversation_{name}.py").write_text(head + line + "\n")
    files = sorted(p.name for p in tmp_path.iterdir())
    if checker == "mypy":
        result = run(tool("mypy") + ["--strict", "--no-error-summary", "--cache-dir", MYPY_CACHE,
                                     "--python-executable", sys.executable] + files, tmp_path)
        errors = mypy_errors(result.stdout)
    else:
        result = run(tool("basedpyright") + ["--outputjson", "--pythonpath", sys.executable] + files, tmp_path)
        errors = {}
        for diagnostic in json.loads(result.stdout)["generalDiagnostics"]:
            if diagnostic["severity"] == "error":
                errors.setdefault(os.path.basename(diagnostic["file"]), []).append(diagnostic["message"])
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert not errors.get("conversation_clean.py"), errors
    for name in CONVERSATION_FAILS:
        assert errors.get(f"conversation_{name}.py"), f"{checker} lets {name} through: {errors}"
