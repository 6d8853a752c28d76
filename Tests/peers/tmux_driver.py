"""A real terminal for the editor: tmux with a private socket per test, typing with send-keys and
reading the screen with capture-pane. Tests wait for screen text, never for fixed times."""
import itertools
import re
import os
import shlex
import subprocess
import time

_ids = itertools.count()


class Tmux:
    def __init__(self, command, width=100, height=30, env=None, cwd=None, options=None):
        """`options` ({name: value}) are set globally before the command starts, e.g.
        {"set-clipboard": "on"} so that an OSC 52 from the program would create a tmux buffer."""
        self.socket = f"fs-e2e-{os.getpid()}-{next(_ids)}"
        envs = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        first = ["start-server", ";"]
        for name, value in (options or {}).items():
            first += ["set", "-g", name, value, ";"]
        self.run(*(first if options else []), "new-session", "-d", "-s", "e2e", "-x", str(width), "-y", str(height),
                 "-c", str(cwd or os.getcwd()), f"env {envs} {command}")

    def run(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20)

    def keys(self, *names):
        for name in names:
            self.run("send-keys", "-t", "e2e", name)

    def text(self, s):
        self.run("send-keys", "-t", "e2e", "-l", s)

    def screen(self, escapes=False):
        args = ["capture-pane", "-p", "-t", "e2e"] + (["-e"] if escapes else [])
        return self.run(*args).stdout

    def wait_for(self, needle, timeout=10.0, gone=False, wrapped=False):
        """Waits until `needle` is on the screen (or gone from it). `wrapped`: a message that may
        be broken over rows at any of its spaces (where depends on the length of a path in it):
        looked for in the screen with every run of blanks and line breaks made one space."""
        deadline = time.monotonic() + timeout
        flat = lambda text: re.sub(r"\s+", " ", text)
        while time.monotonic() < deadline:
            present = flat(needle) in flat(self.screen()) if wrapped else needle in self.screen()
            if present != gone:
                return
            time.sleep(0.03)
        where = "still on" if gone else "not on"
        raise AssertionError(f"{needle!r} {where} the screen after {timeout}s:\n{self.screen()}")

    def status(self):
        lines = [l for l in self.screen().splitlines() if l.strip()]
        return lines[-1] if lines else ""

    def wait_for_status(self, pattern, timeout=10.0):
        """Waits until the status line's position part (before any hints) matches the regex."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            position = re.split(r"\s{2,}", self.status().strip())
            if any(re.search(pattern, part) for part in position):
                return
            time.sleep(0.03)
        raise AssertionError(f"status never matched {pattern!r}:\n{self.screen()}")

    def resize(self, width, height):
        self.run("resize-window", "-t", "e2e", "-x", str(width), "-y", str(height))

    def pane_pid(self):
        return int(self.run("display", "-p", "-t", "e2e", "#{pane_pid}").stdout.strip())

    def close(self):
        self.run("kill-server")
