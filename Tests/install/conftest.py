"""What the install tests share: `make install` into a staging directory and
into a prefix, and the staged `kimi` run with its own XDG directories (so no
test reads or writes the machine's ~/.config/kimi or logs.db)."""

import os
import subprocess

import pytest

from kimi_helpers import ROOT, Home, run


@pytest.fixture(scope="session")
def stage(tmp_path_factory):
    """`make install DESTDIR=<stage> PREFIX=/usr/local`; the staged prefix."""
    dest = tmp_path_factory.mktemp("stage")
    done = run(["make", "-s", "-C", ROOT, "install", f"DESTDIR={dest}", "PREFIX=/usr/local"])
    assert done.returncode == 0, done.stderr
    return os.path.join(dest, "usr", "local")


@pytest.fixture(scope="session")
def prefix(tmp_path_factory):
    """`make install PREFIX=<dir>`: a copy installed where it runs from."""
    where = str(tmp_path_factory.mktemp("prefix"))
    done = run(["make", "-s", "-C", ROOT, "install", f"PREFIX={where}"])
    assert done.returncode == 0, done.stderr
    return where


@pytest.fixture(scope="session")
def kimi(stage, tmp_path_factory):
    """The staged kimi: kimi("chat", "hi", input=..., env={...}). Runs with
    standard input from /dev/null unless given, and with XDG directories of
    the session unless env names others (see the `home` fixture)."""
    path = os.path.join(stage, "bin", "kimi")
    shared = Home(tmp_path_factory.mktemp("home"))

    def call(*args, input=None, env=None, stdin=None):
        kw = {"input": input} if input is not None else {"stdin": stdin if stdin is not None else subprocess.DEVNULL}
        return run([path] + list(args), env={**os.environ, **shared.env, **(env or {})}, **kw)
    call.path = path
    call.env = lambda extra=None: {**os.environ, **shared.env, **(extra or {})}
    return call


@pytest.fixture
def home(tmp_path):
    """Fresh XDG directories for one test: home.env for kimi's env=, and
    home.logs_db, home.config, home.templates, home.history."""
    return Home(tmp_path / "home")
