"""The library's log lines in Python's logging.

By default a client sends its lines to the logger "libkimi" (retries at
WARNING, each exchange at DEBUG with the key redacted), asking the C library
only for the levels that logger is enabled for when the client is made; the
logger has a NullHandler, so nothing is printed unless the application
configures logging. A program that has not imported logging when it makes a
client has not configured it: the C library is asked for warnings, the
logging default, and logging is imported when a line comes (a script that
never logs does not pay for importing it). KIMI_LOG=error|warn|info|debug
keeps working: when it is set, the C library writes to stderr itself (and
reports a value that is no level). `Client(log=...)` takes a callable(level,
message) or a level name (lines to stderr) instead.
"""

from __future__ import annotations

import os
import sys

from . import _lib
from ._errors import check

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from typing import Any, Callable, Optional, Union

L = _lib.functions

#: KIMI_LOG_* -> logging's level numbers (logging.ERROR ...), and level names -> KIMI_LOG_*.
PYTHON_LEVELS = {1: 40, 2: 30, 3: 20, 4: 10}
C_LEVELS = {"error": 1, "warn": 2, "warning": 2, "info": 3, "debug": 4}
#: logging's default: a logger nobody configured is enabled for warnings.
DEFAULT_LEVEL = 2


def logger() -> logging.Logger:
    """The logger "libkimi" (with its NullHandler), imported on first use."""
    import logging
    named = logging.getLogger("libkimi")
    if not any(isinstance(h, logging.NullHandler) for h in named.handlers):
        named.addHandler(logging.NullHandler())
    return named


def _to_logger(level: int, message: bytes, _user_data: Optional[int]) -> None:
    try:
        logger().log(PYTHON_LEVELS.get(level, 20), "%s", message.decode("utf-8", "replace"))
    except Exception:  # a log line must never break a call
        pass


_logger_callback = _lib.log_cb(_to_logger)


def _c_level(name: object) -> int:
    try:
        return C_LEVELS[str(name).lower()]
    except KeyError:
        raise ValueError(f"log_level must be one of error, warn, info, debug, not {name!r}") from None


def configure(options: int, log: Union[None, str, Callable[[int, str], Any]], log_level: object) -> Any:
    """Sets where a client's log lines go; returns what must stay alive as
    long as the client (a ctypes callback), or None."""
    if log is None:
        if os.environ.get("KIMI_LOG"):
            return None  # the C library logs to stderr (or reports the bad value)
        if "logging" in sys.modules:
            named = logger()
            level = next((c for c, py in sorted(PYTHON_LEVELS.items(), reverse=True) if named.isEnabledFor(py)), 0)
        else:
            level = DEFAULT_LEVEL
        if level:
            check(L.kimi_client_options_set_log(options, level, _logger_callback, None))
        return None
    if isinstance(log, str):
        check(L.kimi_client_options_set_log(options, _c_level(log), _lib.log_cb(), None))
        return None
    if not callable(log):
        raise TypeError("log must be a callable(level, message) or a level name")

    def forward(level_number: int, message: bytes, _user_data: Optional[int]) -> None:
        try:
            log(level_number, message.decode("utf-8", "replace"))
        except Exception:  # a logger must never break a call
            pass

    callback = _lib.log_cb(forward)
    check(L.kimi_client_options_set_log(options, _c_level(log_level), callback, None))
    return callback
