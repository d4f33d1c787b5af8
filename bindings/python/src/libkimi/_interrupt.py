"""Ctrl-C during a blocking call.

Python runs its SIGINT handler (which raises KeyboardInterrupt) only when
the main thread is back in the interpreter, and a call waiting in libkimi
may not come back for minutes. So while the main thread is in a call, the
call carries a cancel token (or is a task, which can be cancelled), Python's
wakeup fd (signal.set_wakeup_fd) points at a pipe, and one watcher thread
per process waits on that pipe: on SIGINT it cancels the calls, the C call
returns at once (KIMI_E_ABORTED, keeping what arrived), and
KeyboardInterrupt is raised where the call was made. Other signals' bytes are passed on to the wakeup fd that was there
before. Only the default SIGINT handler is acted on: with a handler of
your own, calls run on and your handler runs when they return.

Calls on other threads are untouched (Python delivers signals to the main
thread only). A child forked while a call was watched does not keep the
parent's pipe as its wakeup fd: its SIGINT must not cancel the parent's call.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading

from . import _lib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Literal, Optional

    Cancel = Callable[[int], Any]

L = _lib.functions
_check_signals = ctypes.pythonapi.PyErr_CheckSignals
_check_signals.restype = ctypes.c_int
_check_signals.argtypes = []


class _Watcher:
    """The pipe, the thread reading it, and how to cancel each of the main
    thread's calls in progress."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.read_fd, self.write_fd = os.pipe()
        os.set_blocking(self.write_fd, False)
        self.lock = threading.Lock()
        self.calls: Dict[int, Cancel] = {}  # handle -> the function that cancels it
        self.depth = 0           # nested holds on the main thread
        self.previous = -1       # the wakeup fd to restore (and forward to)
        self.interrupted = False
        self.marks = 0           # flush marks read (see flush)
        self.marked = threading.Condition(self.lock)
        threading.Thread(target=self._run, name="libkimi-sigint", daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                data = os.read(self.read_fd, 64)
            except InterruptedError:
                continue
            if not data:
                return
            if signal.SIGINT in data and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                with self.lock:
                    self.interrupted = True
                    for handle, cancel in self.calls.items():
                        cancel(handle)
            if _MARK in data:
                with self.lock:
                    self.marks += data.count(_MARK)
                    self.marked.notify_all()
                data = data.replace(_MARK, b"")
                if not data:
                    continue
            previous = self.previous
            if previous >= 0:
                try:
                    os.write(previous, data)
                except OSError:
                    pass

    def hold(self, handle: int, cancel: Cancel) -> None:
        """Starts watching for the main thread (re-entrant)."""
        with self.lock:
            self.calls[handle] = cancel
            self.depth += 1
            first = self.depth == 1
            if first:
                self.interrupted = False
        if first:
            try:
                self.previous = signal.set_wakeup_fd(self.write_fd)
            except ValueError:  # not the main interpreter
                self.previous = -1

    def flush(self) -> None:
        """Waits until the watcher has read every byte written to the pipe
        so far. After a KeyboardInterrupt Python raised itself (a wait in
        Python, not in C, saw EINTR), the signal's byte may still be unread:
        read late, it would cancel the next call instead of this one."""
        with self.lock:
            target = self.marks + 1
        try:
            os.write(self.write_fd, _MARK)
        except OSError:
            return
        with self.lock:
            self.marked.wait_for(lambda: self.marks >= target, timeout=1.0)

    def release(self, handle: int) -> bool:
        with self.lock:
            self.calls.pop(handle, None)
            self.depth -= 1
            last = self.depth == 0
            interrupted = self.interrupted
        if last:
            try:
                current = signal.set_wakeup_fd(self.previous)
                if current not in (self.write_fd, -1):
                    signal.set_wakeup_fd(current)  # someone replaced ours meanwhile: keep theirs
            except ValueError:
                pass
            self.previous = -1
        return interrupted


#: Written by flush(): no signal has number 0.
_MARK = b"\0"

_watcher: Optional[_Watcher] = None
_watcher_lock = threading.Lock()


def _get_watcher() -> _Watcher:
    global _watcher
    watcher = _watcher
    if watcher is not None:  # a child's is reset by _after_fork_in_child
        return watcher
    with _watcher_lock:
        if _watcher is None or _watcher.pid != os.getpid():  # none yet, or made before fork()
            _watcher = _Watcher()
        return _watcher


def _after_fork_in_child() -> None:
    """The parent's watcher is not the child's: its thread is gone, and its
    pipe is shared with the parent, so a signal byte the child's wakeup fd
    wrote there would cancel the parent's call. Put the wakeup fd back as
    it was before the parent's call and let go of the pipe."""
    global _watcher, _watcher_lock, _spare_token, _main_thread
    watcher, _watcher = _watcher, None
    _main_thread = threading.main_thread()  # the thread that forked (threading's own hook ran first)
    _spare_token = None  # the child's copy: left, not shared with the parent's calls
    _watcher_lock = threading.Lock()  # another thread may have held it at fork()
    if watcher is None:
        return
    try:
        current = signal.set_wakeup_fd(watcher.previous if watcher.depth else -1)
        if current not in (watcher.write_fd, -1):
            signal.set_wakeup_fd(current)  # not ours: keep it
    except ValueError:
        pass
    for fd in (watcher.read_fd, watcher.write_fd):
        try:
            os.close(fd)
        except OSError:
            pass


os.register_at_fork(after_in_child=_after_fork_in_child)


_main_thread = threading.main_thread()


def on_main_thread() -> bool:
    return threading.current_thread() is _main_thread


class Hold:
    """Makes the main thread's calls made with `token` interruptible from
    now until release(): SIGINT calls `cancel(token)` (a cancel token's
    cancel by default; kimi_task_cancel for a task). A stream holds one for
    as long as it is read on the main thread; a blocking call holds one for
    the call (`Call`); a task of the sync client until it ended."""

    __slots__ = ("token", "watcher")
    token: int
    watcher: Optional[_Watcher]

    def __init__(self, token: int, cancel: Optional[Cancel] = None) -> None:
        self.token = token
        watcher = self.watcher = _get_watcher()
        watcher.hold(token, cancel or L.kimi_cancel_token_cancel)

    def flush(self) -> None:
        """See _Watcher.flush: before releasing after a KeyboardInterrupt
        raised in Python while this was held."""
        if self.watcher is not None:
            self.watcher.flush()

    def release(self, raise_interrupt: bool = True) -> None:
        """Stops watching; raises KeyboardInterrupt when SIGINT cancelled
        the call (and the SIGINT handler raises it)."""
        watcher, self.watcher = self.watcher, None
        if watcher is not None and watcher.release(self.token) and raise_interrupt:
            _check_signals()  # runs the pending handler now, raising KeyboardInterrupt


#: The main thread's cancel token between blocking calls: a call that
#: SIGINT did not cancel hands it to the next instead of freeing it (only
#: the watcher cancels it, so one it did not is as new).
_spare_token: Optional[int] = None


class Call:
    """`with Call() as token:` around one blocking C call. `token` is a
    kimi_cancel_token for the call on the main thread (attach it to the
    request or call options), None on other threads (nothing to do). It
    holds the watcher itself (a Hold's work without the object: every
    blocking call of the main thread comes through here)."""

    __slots__ = ("token", "watcher")
    token: Optional[int]
    watcher: Optional[_Watcher]

    def __enter__(self) -> Optional[int]:
        global _spare_token
        self.token = self.watcher = None
        if threading.current_thread() is _main_thread:
            token, _spare_token = _spare_token, None
            token = self.token = token or L.kimi_cancel_token_new()
            if token:
                watcher = self.watcher = _watcher or _get_watcher()
                watcher.hold(token, L.kimi_cancel_token_cancel)
        return self.token

    def __exit__(self, *exc: object) -> Literal[False]:
        global _spare_token
        token, watcher = self.token, self.watcher
        cancelled = True
        try:
            if watcher is not None and token:
                self.watcher = None
                cancelled = watcher.release(token)
                if cancelled:
                    _check_signals()  # runs the pending handler now, raising KeyboardInterrupt
        finally:
            if token:
                if cancelled or _spare_token is not None:
                    L.kimi_cancel_token_free(token)
                else:
                    _spare_token = token
        return False
