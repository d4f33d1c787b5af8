"""Helpers for the kimi tests: running a command, a home of XDG directories,
and a pseudo-terminal that records everything kimi writes to it."""

import fcntl
import os
import pty
import select
import signal
import subprocess
import termios
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")


def run(cmd, **kw):
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    if "input" not in kw:
        kw.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run(cmd, text=True, timeout=120, **kw)


class Home:
    """$XDG_CONFIG_HOME, $XDG_DATA_HOME and $XDG_STATE_HOME under one folder."""

    def __init__(self, root):
        root = str(root)
        self.root = root
        self.env = {"XDG_CONFIG_HOME": os.path.join(root, "config"), "XDG_DATA_HOME": os.path.join(root, "data"),
                    "XDG_STATE_HOME": os.path.join(root, "state"), "HOME": root}
        self.config = os.path.join(root, "config", "kimi", "config")
        self.templates = os.path.join(root, "config", "kimi", "templates")
        self.logs_db = os.path.join(root, "data", "kimi", "logs.db")
        self.history = os.path.join(root, "state", "kimi", "history")

    def write_config(self, text):
        os.makedirs(os.path.dirname(self.config), exist_ok=True)
        with open(self.config, "w") as f:
            f.write(text)


def _controlling_terminal():
    """In the child: a new session whose controlling terminal is standard
    input, so Ctrl-C typed there is a SIGINT, as in a real terminal. SIGINT
    as a terminal's shell leaves it: run from a background job without job
    control, the tests inherit it ignored, and kimi rightly keeps ignoring
    it (the Ctrl-C tests then hung)."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """A command on a pseudo-terminal (standard input, output and error),
    with everything it writes kept in .output (bytes)."""

    def __init__(self, args, env=None, stdin_from_terminal=True):
        self.controller, terminal = pty.openpty()
        termios_settings = termios.tcgetattr(terminal)
        termios_settings[3] &= ~termios.ECHO  # no echo: .output is what kimi wrote
        termios.tcsetattr(terminal, termios.TCSANOW, termios_settings)
        self.process = subprocess.Popen(args, stdin=terminal if stdin_from_terminal else subprocess.DEVNULL,
                                        stdout=terminal, stderr=terminal, env=env,
                                        preexec_fn=_controlling_terminal if stdin_from_terminal else os.setsid)
        os.close(terminal)
        self.output = b""

    def read(self, timeout=0.05):
        ready, _, _ = select.select([self.controller], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.controller, 65536)
        except OSError:  # the terminal closed: the command is gone
            return None
        self.output += data
        return bool(data) or None

    def expect(self, text, timeout=30):
        """Waits until `text` (bytes) has been written after what the last
        expect saw; fails after `timeout` s or when the terminal closes."""
        start = getattr(self, "_mark", 0)
        deadline = time.monotonic() + timeout
        while text not in self.output[start:]:
            if time.monotonic() > deadline or self.read(0.2) is None:
                if text in self.output[start:]:
                    break
                raise AssertionError(f"{text!r} never came; the terminal shows {self.output[start:]!r}")
        self._mark = self.output.index(text, start) + len(text)

    def prompt(self, text=b"> ", timeout=30):
        """Waits for the line editor's prompt and for the editor to read keys
        (the terminal out of canonical mode): a Ctrl-D typed before that is
        taken by the terminal's line discipline and lost."""
        self.expect(text, timeout)
        deadline = time.monotonic() + timeout
        while termios.tcgetattr(self.controller)[3] & termios.ICANON:
            if time.monotonic() > deadline:
                raise AssertionError("the line editor never took the terminal")
            self.read(0.01)

    def type(self, data):
        os.write(self.controller, data)

    def finish(self, timeout=30):
        """Reads until the command ends and the terminal closes; its exit status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.read(0.2)
            if got is None or (got is False and self.process.poll() is not None):
                break
        status = self.process.wait(timeout=5)
        while self.read(0.01):
            pass
        os.close(self.controller)
        return status


def on_a_terminal(args, env=None):
    """Runs a command with standard output and error on a pseudo-terminal
    (standard input empty); returns its exit status and what it wrote there."""
    term = Terminal(args, env=env, stdin_from_terminal=False)
    status = term.finish(timeout=60)
    return status, term.output
