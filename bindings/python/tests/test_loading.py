"""The loader's search order and errors, the version check, and that every
exported C function has a ctypes declaration."""

import os
import re
import subprocess
import sys

import pytest

from conftest import REPO

SRC = os.path.join(REPO, "bindings", "python", "src")
LIBRARY = os.path.join(REPO, "build", "libkimi.so.0")


def run_python(code, **env):
    environment = {k: v for k, v in os.environ.items() if k != "LIBKIMI_LIBRARY"}
    environment.update(env)
    environment["PYTHONPATH"] = SRC
    return subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=environment)


def test_explicit_library_wins():
    result = run_python("import libkimi; print(libkimi.library_path)", LIBKIMI_LIBRARY=LIBRARY)
    assert result.stdout.strip() == LIBRARY, result.stderr


def test_build_tree_of_a_checkout_is_found():
    result = run_python("import libkimi; print(libkimi.library_path)")
    assert result.stdout.strip() == LIBRARY, result.stderr


def test_one_error_lists_every_place_tried():
    result = run_python("import libkimi", LIBKIMI_LIBRARY="/nonexistent/libkimi.so.0")
    assert result.returncode != 0
    assert "OSError: cannot load libkimi; tried:" in result.stderr
    assert "/nonexistent/libkimi.so.0 (LIBKIMI_LIBRARY: not found)" in result.stderr


def test_search_order_without_override(tmp_path):
    # A copy of the package with no library beside it and no build tree.
    import shutil
    package = tmp_path / "site" / "libkimi"
    shutil.copytree(os.path.join(SRC, "libkimi"), package)
    code = "import libkimi._lib"
    environment = {k: v for k, v in os.environ.items() if k not in ("LIBKIMI_LIBRARY", "LD_LIBRARY_PATH")}
    environment["PYTHONPATH"] = str(tmp_path / "site")
    result = subprocess.run([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True, env=environment)
    if result.returncode == 0:
        pytest.skip("libkimi is installed system-wide here")
    lines = result.stderr
    inside = lines.index(str(package / "libkimi.so.0"))
    build = lines.index("the build tree")
    system = lines.index("libkimi.so.0 (the system")
    assert inside < build < system


def test_version_mismatch_is_a_clear_error(monkeypatch):
    from libkimi import _lib
    monkeypatch.setattr(_lib, "EXPECTED_VERSION", (0, 9, 0))
    version = re.escape(".".join(map(str, _lib.version_tuple(_lib.functions.kimi_version_number()))))
    with pytest.raises(ImportError, match=rf"is libkimi {version}; this package needs 0\.9\.x"):
        _lib._check_version()


def test_every_exported_function_is_declared():
    from libkimi import _lib
    out = subprocess.run(["nm", "-D", "--defined-only", LIBRARY], stdout=subprocess.PIPE, text=True).stdout
    exported = {line.split()[-1].split("@")[0] for line in out.splitlines() if " T kimi_" in line}
    assert exported == set(_lib.DECLARED)
    for name in _lib.DECLARED:
        assert getattr(_lib.functions, name).argtypes is not None, name


def header():
    sys.path.insert(0, os.path.join(REPO, "tools"))
    import kimi_header
    return kimi_header.parse()


def test_the_function_table_is_what_the_header_gives():
    # _declarations.py is generated from kimi.h's tags: editing either alone fails here.
    result = subprocess.run([sys.executable, os.path.join(REPO, "tools", "gen_python.py"), "--check"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert result.returncode == 0, result.stdout


def test_no_pointer_returning_function_uses_the_int_default():
    import ctypes
    from libkimi import _lib
    functions = header().functions
    assert {f.name for f in functions} == set(_lib.DECLARED)
    for f in functions:
        restype = getattr(_lib.functions, f.name).restype
        if f.returns.endswith("*"):
            assert restype in (ctypes.c_void_p, ctypes.c_char_p), f.name
        elif f.returns == "void":
            assert restype is None, f.name
        assert len(getattr(_lib.functions, f.name).argtypes) == len(f.params), f.name


def test_exactly_the_calls_tagged_blocks_release_the_gil():
    import ctypes
    from libkimi import _lib
    keeps_gil = ctypes._FUNCFLAG_PYTHONAPI
    for f in header().functions:
        bound = getattr(_lib.functions, f.name)
        assert bool(bound._flags_ & keeps_gil) != f.is_blocking, f.name
    assert not _lib.hot.stream_next._flags_ & keeps_gil
    assert _lib.hot.event_read._flags_ & keeps_gil and _lib.hot.queue_read._flags_ & keeps_gil
