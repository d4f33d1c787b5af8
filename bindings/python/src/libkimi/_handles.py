"""Ownership of C handles: each is freed exactly once, by close(), a `with`
block, or (as a backstop) garbage collection. Handles created before a
fork() are never freed in the child: that would close the parent's sockets
and TLS sessions; the child makes its own client instead."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Optional


#: This process's id, kept by a fork hook: every call checks it, and asking
#: the kernel each time cost a system call per call.
_pid = os.getpid()


def _after_fork_in_child() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_after_fork_in_child)


class Handle:
    """Owns one C handle and the function that frees it."""

    __slots__ = ("pointer", "_free", "_pid", "__weakref__")

    pointer: Optional[int]

    def __init__(self, pointer: Optional[int], free: Callable[[Any], Any]) -> None:
        self.pointer = pointer
        self._free = free
        self._pid = _pid

    def close(self) -> None:
        pointer, self.pointer = self.pointer, None
        if pointer and self._pid == _pid:
            self._free(pointer)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: nothing left to report to
            pass

    def __bool__(self) -> bool:
        return bool(self.pointer)

    def require(self, what: str) -> int:
        if not self.pointer:
            raise ValueError(f"this {what} is closed")
        if self._pid != _pid:
            raise RuntimeError(f"this {what} was created in another process; create a new Client after fork()")
        return self.pointer
