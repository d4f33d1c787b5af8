"""Every module of the package imports on its own, first, in a fresh
interpreter: no import circles, no module that works only after another
was imported. Importing libkimi does not import asyncio (a sync program
never pays for it)."""

import os
import pkgutil
import subprocess
import sys

import pytest

from conftest import REPO

SRC = os.path.join(REPO, "bindings", "python", "src")
LIBRARY = os.path.join(REPO, "build", "libkimi.so.0")


def modules():
    import libkimi
    names = ["libkimi"]
    for info in pkgutil.walk_packages(libkimi.__path__, "libkimi."):
        names.append(info.name)
    return sorted(names)


def run(code):
    environment = dict(os.environ, PYTHONPATH=SRC, LIBKIMI_LIBRARY=os.environ.get("LIBKIMI_LIBRARY", LIBRARY))
    return subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=environment)


def test_the_package_has_its_layout():
    names = modules()
    for expected in ("libkimi.resources.chat", "libkimi.resources.files", "libkimi.resources.batches",
                     "libkimi.resources.models", "libkimi.types.chat.chat_completion_chunk", "libkimi.types.batch"):
        assert expected in names


@pytest.mark.parametrize("module", modules())
def test_each_module_imports_alone(module):
    result = run(f"import {module}")
    assert result.returncode == 0, result.stderr


def test_a_sync_program_does_not_import_asyncio():
    result = run("import sys, libkimi; c = libkimi.Client(api_key='k', base_url='http://127.0.0.1:9/v1'); "
                 "print('asyncio' in sys.modules)")
    assert result.stdout.strip() == "False", result.stderr
