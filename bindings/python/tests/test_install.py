"""The package installs as the README says: `pip install ./bindings/python`
after `make`, into a fresh virtual environment, from a clean copy of the
checkout, then used from another directory with no environment variable.
Without a built library the package is pure Python and loads an installed
libkimi.so.0."""

import glob
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from conftest import REPO

LIBRARY = os.path.join(REPO, "build", "libkimi.so.0")
CHAT = """
import libkimi
client = libkimi.Client(api_key="sk-install", base_url=BASE_URL)
reply = client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": "installed"}])
print(reply.choices[0].message.content)
print(libkimi.library_path)
"""


def clean_copy(root, with_library):
    """bindings/python as a fresh clone has it (and build/libkimi.so.0 when
    `make` has run), under `root`."""
    package = os.path.join(root, "bindings", "python")
    shutil.copytree(os.path.join(REPO, "bindings", "python"), package,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".pytest_cache",
                                                  "libkimi.so*", "tests"))
    if with_library:
        os.makedirs(os.path.join(root, "build"))
        shutil.copyfile(os.path.realpath(LIBRARY), os.path.join(root, "build", "libkimi.so.0"))
    return package


def fresh_venv(path):
    subprocess.run([sys.executable, "-m", "venv", path], check=True)
    return os.path.join(path, "bin", "python")


def pip(python, *args):
    result = subprocess.run([python, "-m", "pip", "--disable-pip-version-check", "-q", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert result.returncode == 0, result.stdout


def bare_environment(**extra):
    """No LIBKIMI_LIBRARY, no library or Python search paths of ours."""
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("LIBKIMI_LIBRARY", "LD_LIBRARY_PATH", "PYTHONPATH")}
    environment.update(extra)
    return environment


def run_chat(python, mock_url, **extra):
    return subprocess.run([python, "-c", f"BASE_URL = {mock_url!r}\n" + CHAT], cwd="/", text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=bare_environment(**extra))


def test_pip_install_after_make_works_anywhere(tmp_path, mock_url):
    package = clean_copy(str(tmp_path / "checkout"), with_library=True)
    python = fresh_venv(str(tmp_path / "venv"))
    pip(python, "install", package)
    result = run_chat(python, mock_url)
    assert result.returncode == 0, result.stderr
    content, library = result.stdout.splitlines()
    assert content == "You said: installed"
    assert library.startswith(str(tmp_path / "venv")) and library.endswith("site-packages/libkimi/libkimi.so.0")


def test_wheels_are_tagged_for_what_they_carry(tmp_path):
    with_binary = clean_copy(str(tmp_path / "with"), with_library=True)
    pure = clean_copy(str(tmp_path / "pure"), with_library=False)
    for source, out in ((with_binary, tmp_path / "wheels-with"), (pure, tmp_path / "wheels-pure")):
        pip(sys.executable, "wheel", "--no-deps", "-w", str(out), source)
    (binary_wheel,) = glob.glob(str(tmp_path / "wheels-with" / "*.whl"))
    (pure_wheel,) = glob.glob(str(tmp_path / "wheels-pure" / "*.whl"))
    machine = os.uname().machine
    assert binary_wheel.endswith(f"-py3-none-linux_{machine}.whl"), binary_wheel
    assert "libkimi/libkimi.so.0" in zipfile.ZipFile(binary_wheel).namelist()
    assert pure_wheel.endswith("-py3-none-any.whl"), pure_wheel
    assert not any(".so" in name for name in zipfile.ZipFile(pure_wheel).namelist())


def test_a_pure_install_loads_the_installed_library(tmp_path, mock_url):
    pure = clean_copy(str(tmp_path / "checkout"), with_library=False)
    python = fresh_venv(str(tmp_path / "venv"))
    pip(python, "install", pure)
    # `make install DESTDIR=...`, with the loader pointed at that libdir as
    # ldconfig would point it at /usr/local/lib.
    destdir = tmp_path / "root"
    result = subprocess.run(["make", "-s", "-C", REPO, "install", f"DESTDIR={destdir}", "PREFIX=/usr/local"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert result.returncode == 0, result.stdout
    libdir = os.path.dirname(glob.glob(str(destdir / "usr" / "local" / "lib*" / "**" / "libkimi.so.0"),
                                       recursive=True)[0])
    result = run_chat(python, mock_url, LD_LIBRARY_PATH=libdir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["You said: installed", "libkimi.so.0"]
    missing = run_chat(python, mock_url)
    if missing.returncode == 0:
        pytest.skip("a libkimi.so.0 is installed system-wide here")
    assert "cannot load libkimi" in missing.stderr and "make install" in missing.stderr
