"""Packaging hooks (the metadata is in pyproject.toml).

`pip install ./bindings/python` after `make` puts the library `make` built
(../../build/libkimi.so.0) inside the package, so the installed package
works from any directory with no environment variable. A wheel that
carries the library is tagged for the platform it was built on
(py3-none-linux_x86_64, say): the library is a binary for this machine's
architecture and C library. Built where no library was made, the package
is pure Python and loads an installed libkimi.so.0 (`make install`).
"""

import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
BUILT_LIBRARY = os.path.join(HERE, os.pardir, os.pardir, "build", "libkimi.so.0")


def built_library():
    """The library of the checkout this package is built from, or None."""
    return os.path.realpath(BUILT_LIBRARY) if os.path.isfile(BUILT_LIBRARY) else None


class build_py_with_library(build_py):
    def run(self):
        super().run()
        library = built_library()
        if library and not self.dry_run:
            target = os.path.join(self.build_lib, "libkimi", "libkimi.so.0")
            shutil.copyfile(library, target)
            os.chmod(target, 0o755)


class platform_wheel(bdist_wheel):
    def finalize_options(self):
        if built_library():
            # A binary inside: the wheel is platform-specific (installed to
            # platlib, tagged below).
            self.distribution.has_ext_modules = lambda: True
        super().finalize_options()

    def get_tag(self):
        python, abi, platform = super().get_tag()
        # ctypes, not the C API of Python: any Python 3 loads it.
        return ("py3", "none", platform) if built_library() else (python, abi, platform)


setup(cmdclass={"build_py": build_py_with_library, "bdist_wheel": platform_wheel})
