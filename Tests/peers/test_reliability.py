"""Reliability end to end, against the real binary: writes that never replace a link or a special
file, every syntax mistake reported at once, nothing typed lost when the terminal goes away
(recovery file, lock), saving through a symlink, errors shown while a prompt is open, and no
control sequence from a file or a model ever reaching the terminal."""
import os
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from conftest import BIN, ROOT
from test_editor_tmux import SHELL_TAIL
from tmux_driver import Tmux

FLOW = ROOT / "examples/crm-zh.flow.md"
OUTLINE = ROOT / "examples/crm-zh.outline.txt"
KINDS = ["mermaid", "dot", "import"]
# What an earlier export left: an output -o replaces without --force.
EARLIER = 'flowchart TD\n  subgraph u1["Old"]\n  end\n'



def run(*args, **kw):
    if not BIN.exists():
        pytest.fail(f"{BIN} is missing: build it first")
    kw.setdefault("timeout", 30)
    return subprocess.run([str(BIN), *map(str, args)], **kw)


def write_args(kind, out):
    """The command that writes `out`: an export in one of the formats, or an import with --force."""
    if kind == "import":
        return ["import", OUTLINE, "-o", out, "--force"]
    return ["export", FLOW, "--format", kind, "-o", out]


@pytest.fixture
def expected(tmp_path):
    """What each command writes, taken from a write to a fresh regular file."""
    def get(kind):
        ref = tmp_path / f"reference.{kind}"
        if not ref.exists():
            proc = run(*write_args(kind, ref), capture_output=True)
            assert proc.returncode == 0, proc.stderr.decode()
        return ref.read_bytes()
    return get


@pytest.fixture
def devices():
    """Checks /dev/null, /dev/full and /dev/stdout after the test and, should a broken build have
    replaced one of them, puts it back so the machine keeps working (the test fails anyway)."""
    yield
    for path, minor in [("/dev/null", 3), ("/dev/full", 7)]:
        if not stat.S_ISCHR(os.stat(path).st_mode):
            os.remove(path)
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
            os.chmod(path, 0o666)
    if not os.path.islink("/dev/stdout"):
        os.remove("/dev/stdout")
        os.symlink("/proc/self/fd/1", "/dev/stdout")


# -- A. Writes never replace a link or a special file

@pytest.mark.parametrize("kind", KINDS)
def test_writing_to_dev_null_keeps_the_device(kind, devices):
    proc = run(*write_args(kind, "/dev/null"), capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode), "/dev/null is no longer a character device"


@pytest.mark.parametrize("kind", KINDS)
def test_dev_stdout_and_dash_write_into_the_open_stdout(kind, tmp_path, expected, devices):
    want = expected(kind)
    # stdout redirected to a file: the file gets the text and is the same file afterwards.
    redirected = tmp_path / "redirected.txt"
    redirected.write_bytes(b"")
    before = os.stat(redirected)
    with open(redirected, "wb") as out:
        proc = run(*write_args(kind, "/dev/stdout"), stdout=out, stderr=subprocess.PIPE)
    assert proc.returncode == 0, proc.stderr.decode()
    after = os.stat(redirected)
    assert stat.S_ISREG(after.st_mode)
    assert (after.st_ino, after.st_dev) == (before.st_ino, before.st_dev), "the redirected file was replaced"
    assert redirected.read_bytes() == want
    assert os.path.islink("/dev/stdout")
    # stdout a pipe: the text arrives on the pipe.
    proc = run(*write_args(kind, "/dev/stdout"), capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == want
    # `-o -` is stdout too.
    proc = run(*write_args(kind, "-"), capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == want
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("kind", KINDS)
def test_a_fifo_is_written_into_not_replaced(kind, tmp_path, expected):
    want = expected(kind)
    fifo = tmp_path / "pipe.out"
    os.mkfifo(fifo)
    got = []

    def reader():
        with open(fifo, "rb") as f:
            got.append(f.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    proc = run(*write_args(kind, fifo), capture_output=True)
    thread.join(10)
    if thread.is_alive() and stat.S_ISFIFO(os.stat(fifo).st_mode):
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # let the reader go
    assert proc.returncode == 0, proc.stderr.decode()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced"
    assert got == [want], "the text did not arrive through the FIFO"


@pytest.mark.parametrize("kind", KINDS)
def test_a_symlink_is_written_through(kind, tmp_path, expected):
    want = expected(kind)
    real = tmp_path / "real.mmd"
    real.write_text(EARLIER)
    link = tmp_path / "link.mmd"
    link.symlink_to("real.mmd")
    proc = run(*write_args(kind, link), capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    assert link.is_symlink() and os.readlink(link) == "real.mmd", "the link was replaced"
    assert real.read_bytes() == want
    # A dangling link gets its target created, and stays a link.
    (tmp_path / "sub").mkdir()
    dangling = tmp_path / "d.mmd"
    dangling.symlink_to("sub/made.mmd")
    proc = run(*write_args(kind, dangling), capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    assert dangling.is_symlink() and os.readlink(dangling) == "sub/made.mmd", "the dangling link was replaced"
    assert (tmp_path / "sub/made.mmd").read_bytes() == want
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["made.mmd"], "a temporary file was left"


@pytest.mark.parametrize("kind", KINDS)
def test_a_hard_linked_output_keeps_its_links(kind, tmp_path, expected):
    want = expected(kind)
    out = tmp_path / "out.mmd"
    out.write_text(EARLIER)
    other = tmp_path / "other-name.mmd"
    os.link(out, other)
    inode = os.stat(out).st_ino
    proc = run(*write_args(kind, out), capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    assert os.stat(out).st_ino == os.stat(other).st_ino == inode, "the names no longer share the file"
    assert os.stat(out).st_nlink == 2
    assert out.read_bytes() == want and other.read_bytes() == want


def posix_acl(entries):
    """The binary form of a POSIX access ACL (the system.posix_acl_access attribute): version 2,
    then (tag, permissions, id) for each entry."""
    import struct
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", tag, perm, ident) for tag, perm, ident in entries)


@pytest.mark.parametrize("kind", KINDS)
def test_a_save_keeps_the_files_acl(kind, tmp_path, expected):
    want = expected(kind)
    out = tmp_path / "shared.mmd"
    out.write_text(EARLIER)
    os.chmod(out, 0o640)
    # Owner rw, user 1 rw, group r, mask rw, others nothing: as `setfacl -m u:1:rw` leaves it.
    acl = posix_acl([(0x01, 6, 0xFFFFFFFF), (0x02, 6, 1), (0x04, 4, 0xFFFFFFFF), (0x10, 6, 0xFFFFFFFF), (0x20, 0, 0xFFFFFFFF)])
    os.setxattr(out, "system.posix_acl_access", acl)
    os.setxattr(out, "user.note", b"kept")
    proc = run(*write_args(kind, out), capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    assert out.read_bytes() == want
    assert os.getxattr(out, "system.posix_acl_access") == acl, "the ACL was dropped"
    assert os.getxattr(out, "user.note") == b"kept"
    # The group bits show the ACL's mask, as before: nobody gained or lost a permission.
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o660


def test_a_fifo_or_a_device_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "pipe.flow.md"
    os.mkfifo(fifo)
    for args, path, what in [(["check", fifo], fifo, "is a FIFO (a named pipe), not a file"),
                             (["import", fifo, "-o", tmp_path / "x.flow.md"], fifo, "is a FIFO (a named pipe), not a file"),
                             (["export", fifo], fifo, "is a FIFO (a named pipe), not a file"),
                             ([fifo], fifo, "is a FIFO (a named pipe), not a file"),
                             (["/dev/null"], "/dev/null", "is a device, not a file"),
                             (["check", "/dev/urandom"], "/dev/urandom", "is a device, not a file")]:
        proc = run(*args, capture_output=True, timeout=20)
        assert proc.returncode == 1, (args, proc.stderr.decode())
        assert f"{path}: {what}: give the name of a regular file" in proc.stderr.decode() + proc.stdout.decode(), (args, proc.stderr.decode())
    assert not (tmp_path / "x.flow.md").exists()
    # Standard input is read when asked for.
    proc = run("import", "-", input=b"* Log in\n- User enters the name\n", capture_output=True)
    assert proc.returncode == 0 and proc.stdout == b"## Log in\n\n1. User enters the name\n", proc.stderr.decode()


@pytest.mark.parametrize("kind", KINDS)
def test_dev_full_fails_with_the_reason(kind, devices):
    proc = run(*write_args(kind, "/dev/full"), capture_output=True)
    assert proc.returncode == 1, (proc.returncode, proc.stderr.decode())
    assert "/dev/full: cannot write: no space left on device" in proc.stderr.decode()
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.parametrize("kind", KINDS)
def test_a_directory_is_refused(kind, tmp_path):
    target = tmp_path / "adir"
    target.mkdir()
    proc = run(*write_args(kind, target), capture_output=True)
    assert proc.returncode == 1, (proc.returncode, proc.stderr.decode())
    assert "is a directory" in proc.stderr.decode()
    assert target.is_dir() and list(target.iterdir()) == []


@pytest.mark.parametrize("kind", KINDS)
def test_the_mode_of_an_existing_output_is_kept(kind, tmp_path, expected):
    out = tmp_path / "kept.mmd"
    out.write_text(EARLIER)
    os.chmod(out, 0o640)
    proc = run(*write_args(kind, out), capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    assert out.read_bytes() == expected(kind)
    assert oct(stat.S_IMODE(os.stat(out).st_mode)) == oct(0o640)


def test_a_write_protected_output_is_replaced_only_with_force(tmp_path, expected):
    """chmod a-w protects an output even from root; --force writes it, and it stays protected.
    (`import -o` replaces no existing file without --force at all.)"""
    kinds = [k for k in KINDS if k != "import"]
    for kind in kinds:
        out = tmp_path / f"protected-{kind}.mmd"
        out.write_text(EARLIER)
        os.chmod(out, 0o444)
        args = [a for a in write_args(kind, out) if a != "--force"]
        proc = run(*args, capture_output=True)
        assert proc.returncode == 1, (kind, proc.stderr.decode())
        assert f"{out}: is write-protected (mode 444); --force writes it anyway" in proc.stderr.decode(), proc.stderr.decode()
        assert out.read_text() == EARLIER
        proc = run(*args, "--force", capture_output=True)
        assert proc.returncode == 0, (kind, proc.stderr.decode())
        assert out.read_bytes() == expected(kind)
        assert oct(stat.S_IMODE(os.stat(out).st_mode)) == oct(0o444)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("protected")) == sorted(f"protected-{k}.mmd" for k in kinds)


def test_another_users_file_in_my_folder_is_not_replaced(request):
    """A folder the user may write to is no licence to replace a file in it they may not write:
    run as nobody over a file of root's (or, when the tests are not root, over one of the
    user's own that only others may write)."""
    # Under /tmp itself: the test's own folder is not open to other users.
    folder = Path(tempfile.mkdtemp(prefix="flowsmith-nobody-", dir="/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(folder, ignore_errors=True))
    out = folder / "theirs.mmd"
    out.write_text(EARLIER)
    if os.geteuid() == 0:
        os.chmod(out, 0o644)
        shutil.chown(folder, user="nobody", group="nogroup")
        os.chmod(folder, 0o755)
        flow = folder / "src.flow.md"
        shutil.copy(FLOW, flow)
        os.chmod(flow, 0o644)
        prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        owner = "root"
    else:
        os.chmod(out, 0o066)
        flow = FLOW
        prefix = []
        owner = pwd_name(os.getuid())
    proc = subprocess.run([*prefix, str(BIN), "export", str(flow), "-o", str(out)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1, proc.stderr
    assert f"{out}: you have no permission to write it (it belongs to {owner}" in proc.stderr, proc.stderr
    assert out.read_text() == EARLIER and os.stat(out).st_uid == (0 if os.geteuid() == 0 else os.getuid())


def test_a_writable_file_in_a_folder_i_may_not_write_is_written_in_place(request):
    """No file can be made beside it, so it is written in place: as nobody in a folder of theirs
    made read-only (or as the tests' own user when they are not root)."""
    folder = Path(tempfile.mkdtemp(prefix="flowsmith-rodir-", dir="/tmp"))
    request.addfinalizer(lambda: (os.chmod(folder, 0o755), shutil.rmtree(folder, ignore_errors=True)))
    out = folder / "out.mmd"
    out.write_text(EARLIER)
    flow = folder / "src.flow.md"
    shutil.copy(FLOW, flow)
    prefix = []
    if os.geteuid() == 0:
        for p in (folder, out, flow):
            shutil.chown(p, user="nobody", group="nogroup")
        prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    os.chmod(out, 0o644)
    os.chmod(flow, 0o644)
    os.chmod(folder, 0o555)
    inode = os.stat(out).st_ino
    proc = subprocess.run([*prefix, str(BIN), "export", str(flow), "-o", str(out)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().startswith("flowchart") and os.stat(out).st_ino == inode
    assert sorted(p.name for p in folder.iterdir()) == ["out.mmd", "src.flow.md"]
    # Write-protected too (their own file): refused, and written with --force, staying protected.
    os.chmod(out, 0o444)
    proc = subprocess.run([*prefix, str(BIN), "export", str(flow), "-o", str(out), "-f", "dot"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1 and "write-protected" in proc.stderr, proc.stderr
    proc = subprocess.run([*prefix, str(BIN), "export", str(flow), "-o", str(out), "-f", "dot", "--force"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().startswith("digraph") and stat.S_IMODE(os.stat(out).st_mode) == 0o444


def pwd_name(uid):
    import pwd
    return pwd.getpwuid(uid).pw_name


# -- B. Every mistake at once

THREE_MISTAKES = ("## Pay\n\n"
                  "1. Customer pays.\n"
                  "plain text at column one\n"           # line 4
                  "2. System checks.\n"
                  "### a level-3 heading\n"             # line 6
                  "3. System confirms.\n"
                  "   1. nested directly under a step\n"  # line 8
                  "4. System sends a receipt.\n")


def positions(text, f):
    """(line, column) of each `FILE:LINE:COL: message` line; fails on any other line."""
    out = []
    for line in text.splitlines():
        m = re.fullmatch(re.escape(str(f)) + r":(\d+):(\d+): \S.*", line)
        assert m, f"not FILE:LINE:COL: message: {line!r}"
        out.append((int(m.group(1)), int(m.group(2))))
    return out


def test_check_reports_every_mistake_in_line_order(tmp_path):
    f = tmp_path / "three.flow.md"
    f.write_text(THREE_MISTAKES)
    proc = run("check", f, capture_output=True, text=True)
    assert proc.returncode == 1
    assert positions(proc.stderr, f) == [(4, 1), (6, 1), (8, 4)], proc.stderr


def test_check_reports_problems_of_a_well_formed_file_in_line_order(tmp_path):
    # A loop (reported at line 5) and a resume at an extension (line 10): validation finds the
    # second kind first, check prints them by line.
    f = tmp_path / "twoend.flow.md"
    f.write_text("## Return a bike\n\n1. Rider docks the bike.\n"
                 "   - 1a. The dock is full:\n"
                 "     1. Rider waits.\n"
                 "     - Resume at 1a1.\n"
                 "2. System ends the rental.\n"
                 "   - 2a. The bike is damaged:\n"
                 "     1. System charges a fee.\n"
                 "     - Resume at 2b.\n"
                 "3. System sends the receipt.\n")
    proc = run("check", f, capture_output=True, text=True)
    assert proc.returncode == 1
    found = [tuple(map(int, m)) for m in re.findall(rf"^{re.escape(str(f))}:(\d+):(\d+):", proc.stdout, re.M)]
    assert len(found) >= 2 and found == sorted(found), proc.stdout


def test_check_stops_at_fifty_and_says_how_many_more(tmp_path):
    f = tmp_path / "sixty.flow.md"
    f.write_text("## Pay\n\n" + "".join(f"{i + 1}. Step {i + 1}.\n### heading {i + 1}\n" for i in range(60)))
    proc = run("check", f, capture_output=True, text=True)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert len(lines) == 51, proc.stderr
    found = positions("\n".join(lines[:50]), f)
    assert found == [(4 + 2 * i, 1) for i in range(50)]
    assert lines[50] == f"{f}: … 10 more"


def test_the_editor_refuses_a_file_with_mistakes_and_lists_them(tmp_path):
    f = tmp_path / "three.flow.md"
    f.write_text(THREE_MISTAKES)
    proc = run(f, capture_output=True, text=True, stdin=subprocess.DEVNULL,
               env={**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
                    "XDG_STATE_HOME": str(tmp_path / "state")})
    assert proc.returncode == 1
    errors = [l for l in proc.stderr.splitlines() if l.startswith(f"{f}:")]
    assert positions("\n".join(errors), f) == [(4, 1), (6, 1), (8, 4)], proc.stderr
    assert "flowsmith check" in proc.stderr
    assert f.read_text() == THREE_MISTAKES


# -- C. Recovery after a dropped connection

@pytest.fixture
def work(tmp_path):
    shutil.copy(FLOW, tmp_path / "crm.flow.md")
    (tmp_path / "cfg").mkdir()
    (tmp_path / "state").mkdir()
    return tmp_path


def editor(work, *args, width=100, height=30, env=None, options=None):
    base = {"LANG": "C.UTF-8", "XDG_CONFIG_HOME": str(work / "cfg"), "HOME": str(work),
            "XDG_STATE_HOME": str(work / "state")}
    base.update(env or {})
    cmd = " ".join(shlex.quote(str(a)) for a in [BIN, *(args or ["crm.flow.md"])])
    return Tmux(f"sh -c {shlex.quote(cmd + SHELL_TAIL)}", width=width, height=height, env=base, cwd=work,
                options=options)


def state(work):
    return work / "state" / "flowsmith"


def recovery_files(work):
    return sorted(state(work).glob("*.recover.flow.md")) if state(work).is_dir() else []


def lock_files(work):
    return sorted(state(work).glob("*.lock")) if state(work).is_dir() else []


def wait_for_recovery(work, needle, timeout=3.0):
    """The recovery file once it holds `needle`, and how long that took."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        for f in recovery_files(work):
            try:
                if needle in f.read_text(encoding="utf-8"):
                    return f, time.monotonic() - start
            except FileNotFoundError:
                pass
        time.sleep(0.03)
    listing = [(f.name, f.read_text(encoding="utf-8")[:2000]) for f in recovery_files(work)]
    raise AssertionError(f"no recovery file holding {needle!r} after {timeout}s; state folder: {listing}")


def wait_until_gone(work, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not recovery_files(work):
            return
        time.sleep(0.03)
    raise AssertionError(f"recovery files still there after {timeout}s: {recovery_files(work)}")


def editor_pid(t):
    shell = t.pane_pid()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        out = subprocess.run(["pgrep", "-P", str(shell), "-f", "flowsmith"], capture_output=True, text=True).stdout.split()
        if out:
            return int(out[0])
        time.sleep(0.03)
    raise AssertionError("the editor process was not found")


def add_step(t, text, after_first=True):
    """Adds a step after the cursor's step (after step 1 when the cursor is on the use case)."""
    if after_first:
        t.keys("j")
    t.keys("o")
    t.wait_for("EDIT")
    t.text(text)
    t.keys("Enter")
    t.wait_for(text)
    t.wait_for("EDIT", gone=True)


NAME = re.compile(r"crm\.flow\.md-[0-9a-f]+")


def test_a_change_reaches_the_recovery_file_within_two_seconds_and_the_lock_names_the_editor(work):
    t = editor(work)
    try:
        t.wait_for("系统登录")
        pid = editor_pid(t)
        locks = lock_files(work)
        assert len(locks) == 1 and re.fullmatch(NAME.pattern + r"\.lock", locks[0].name), locks
        fields = locks[0].read_text().split()
        assert len(fields) == 3, fields
        assert int(fields[0]) == pid
        assert fields[1] == socket.gethostname()
        assert abs(int(fields[2]) - time.time()) < 120
        assert recovery_files(work) == [], "a recovery file before any change"
        add_step(t, "系统记录访问来源")
        t.wait_for("crm.flow.md [+]")
        f, took = wait_for_recovery(work, "系统记录访问来源")
        assert took <= 2.0, f"the recovery file took {took:.2f}s"
        assert re.fullmatch(NAME.pattern + r"\.recover\.flow\.md", f.name), f.name
        assert f.name.removesuffix(".recover.flow.md") == locks[0].name.removesuffix(".lock")
        assert stat.S_IMODE(os.stat(f).st_mode) == 0o600, oct(os.stat(f).st_mode)
        assert "1. 客服人员填写用户名、密码和图形验证码。\n2. 系统记录访问来源\n" in f.read_text(encoding="utf-8")
    finally:
        t.close()


def test_a_label_being_typed_reaches_the_recovery_file(work):
    t = editor(work)
    try:
        t.wait_for("系统登录")
        t.keys("j", "e", "C-u")
        t.wait_for("EDIT")
        t.text("尚未按回车的文字")
        t.wait_for("尚未按回车的文字")
        _, took = wait_for_recovery(work, "尚未按回车的文字")
        assert took <= 2.0, f"the recovery file took {took:.2f}s"
        t.wait_for("EDIT")                  # still typing
    finally:
        t.close()


def test_sighup_keeps_the_latest_change_and_reopening_recovers_it(work):
    before = (work / "crm.flow.md").read_bytes()
    t = editor(work)
    try:
        t.wait_for("系统登录")
        pid = editor_pid(t)
        add_step(t, "第一个新步骤")
        wait_for_recovery(work, "第一个新步骤")
        add_step(t, "第二个新步骤", after_first=False)
        os.kill(pid, signal.SIGHUP)          # at once: before the recovery timer fires
        t.wait_for("EXIT=129")
        t.wait_for("icanon echo")
    finally:
        t.close()
    f, _ = wait_for_recovery(work, "第二个新步骤", timeout=0.5)
    assert "第一个新步骤" in f.read_text(encoding="utf-8")
    assert lock_files(work) == [], "the lock outlived the editor"
    assert (work / "crm.flow.md").read_bytes() == before

    t = editor(work)
    try:
        t.wait_for("Unsaved changes found")
        for line in ["r  recover them", "d  show the difference", "x  discard them", "q  quit and decide later"]:
            t.wait_for(line)
        t.keys("d")
        t.wait_for("Recovered changes")
        assert re.search(r"\+ .*第二个新步骤", t.screen()), t.screen()
        t.keys("Escape")
        t.wait_for("Unsaved changes found")
        t.wait_for("Recovered changes", gone=True)
        t.keys("r")
        t.wait_for("Unsaved changes found", gone=True)
        t.wait_for("第二个新步骤")
        t.wait_for("crm.flow.md [+]")
        t.keys("C-s")
        t.wait_for("Saved crm.flow.md")
        wait_until_gone(work)
        t.keys("q")
        t.wait_for("EXIT=0")
    finally:
        t.close()
    saved = (work / "crm.flow.md").read_text(encoding="utf-8")
    assert "1. 客服人员填写用户名、密码和图形验证码。\n2. 第一个新步骤\n3. 第二个新步骤\n" in saved
    assert recovery_files(work) == [] and lock_files(work) == []


def test_sigterm_keeps_the_change_and_reopening_can_discard_it(work):
    before = (work / "crm.flow.md").read_bytes()
    t = editor(work)
    try:
        t.wait_for("系统登录")
        pid = editor_pid(t)
        add_step(t, "终止前的新步骤")
        os.kill(pid, signal.SIGTERM)
        t.wait_for("EXIT=143")
        t.wait_for("icanon echo")
    finally:
        t.close()
    wait_for_recovery(work, "终止前的新步骤", timeout=0.5)
    assert lock_files(work) == [], "the lock outlived the editor"

    t = editor(work)
    try:
        t.wait_for("Unsaved changes found")
        t.keys("x")
        t.wait_for("Unsaved changes found", gone=True)
        t.wait_for("系统登录")
        assert "终止前的新步骤" not in t.screen()
        wait_until_gone(work)
        t.keys("q")
        t.wait_for("EXIT=0")
    finally:
        t.close()
    assert (work / "crm.flow.md").read_bytes() == before
    assert recovery_files(work) == []


def test_a_clean_quit_leaves_no_recovery_file(work):
    t = editor(work)
    try:
        t.wait_for("系统登录")
        add_step(t, "保存后退出")
        wait_for_recovery(work, "保存后退出")
        t.keys("C-s")
        t.wait_for("Saved crm.flow.md")
        t.keys("q")
        t.wait_for("EXIT=0")
    finally:
        t.close()
    assert recovery_files(work) == [] and lock_files(work) == []
    assert "2. 保存后退出\n" in (work / "crm.flow.md").read_text(encoding="utf-8")

    saved = (work / "crm.flow.md").read_bytes()
    t = editor(work)
    try:
        t.wait_for("系统登录")
        assert "Unsaved changes found" not in t.screen()
        add_step(t, "不保存就退出")
        wait_for_recovery(work, "不保存就退出")
        t.keys("q")
        t.wait_for("Unsaved changes")
        t.keys("n")
        t.wait_for("EXIT=0")
    finally:
        t.close()
    assert recovery_files(work) == [] and lock_files(work) == []
    assert (work / "crm.flow.md").read_bytes() == saved


def test_a_second_editor_never_offers_discards_or_overwrites_the_first_ones_unsaved_changes(work):
    first = editor(work)
    second = None
    try:
        first.wait_for("系统登录")
        add_step(first, "第一个编辑器未保存的步骤")
        theirs, _ = wait_for_recovery(work, "第一个编辑器未保存的步骤")
        second = editor(work)
        second.wait_for("e  edit it anyway")
        second.keys("e")
        second.wait_for("Editing although process")
        assert "unsaved changes" not in second.screen(), second.screen()
        add_step(second, "第二个编辑器的步骤")
        deadline = time.monotonic() + 3
        while len(recovery_files(work)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(recovery_files(work)) == 2, recovery_files(work)
        assert "第一个编辑器未保存的步骤" in theirs.read_text() and "第二个编辑器" not in theirs.read_text()
        # The second quits, dropping its changes: only its own recovery file goes.
        second.keys("q")
        second.wait_for("n: quit without saving")
        second.keys("n")
        second.wait_for("EXIT=0")
        assert recovery_files(work) == [theirs] and "第一个编辑器未保存的步骤" in theirs.read_text()
        # The first dies: its changes are offered at the next opening.
        os.kill(editor_pid(first), signal.SIGKILL)
        first.wait_for("EXIT=")
        third = editor(work)
        try:
            third.wait_for("Unsaved changes found")
            third.keys("r")
            third.wait_for("第一个编辑器未保存的步骤")
        finally:
            third.close()
    finally:
        first.close()
        if second:
            second.close()


def test_a_second_editor_is_told_and_can_open_read_only_and_a_stale_lock_is_ignored(work):
    before = (work / "crm.flow.md").read_bytes()
    first = editor(work)
    second = None
    try:
        first.wait_for("系统登录")
        pid = editor_pid(first)
        [lock] = lock_files(work)
        second = editor(work)
        second.wait_for("Already open")
        assert re.search(rf"\b{pid}\b", second.screen()), f"the first editor's pid {pid} is not named:\n{second.screen()}"
        for line in ["o  open it read-only", "e  edit it anyway", "q  quit"]:
            second.wait_for(line)
        second.keys("o")
        second.wait_for("Already open", gone=True)
        second.wait_for("[read-only]")
        second.keys("j", "d", "d")
        second.wait_for("Read-only")
        assert re.search(r"(^|\s)Read-only", second.screen()), second.screen()
        assert "客服人员填写用户名、密码和图形验证码。" in second.screen(), "the step was deleted"
        assert lock_files(work) == [lock] and int(lock.read_text().split()[0]) == pid, \
            "the read-only editor took the first editor's lock, or stands in line for it"
        # When the first quits, the lock does not pass to the viewer: a third editor is not
        # told of an editor that cannot change the file.
        first.keys("q")
        first.wait_for("EXIT=0")
        assert lock_files(work) == [], "the lock passed to the read-only editor"
        second.keys("q")
        second.wait_for("EXIT=0")
    finally:
        first.close()
        if second:
            second.close()
    assert lock_files(work) == []
    assert (work / "crm.flow.md").read_bytes() == before

    # A lock left by a process of this host that no longer runs is stale: not reported.
    dead = 4000000
    with pytest.raises(ProcessLookupError):
        os.kill(dead, 0)
    lock.write_text(f"{dead} {socket.gethostname()} {int(time.time()) - 60}\n")
    t = editor(work)
    try:
        t.wait_for("系统登录")
        t.wait_for("crm.flow.md")
        assert "Already open" not in t.screen()
        assert "[read-only]" not in t.screen()
        add_step(t, "过期锁之后的步骤")
        t.wait_for("crm.flow.md [+]")
        t.keys("q")
        t.wait_for("Unsaved changes")
        t.keys("n")
        t.wait_for("EXIT=0")
    finally:
        t.close()


# -- D. Saving through a symlink in the editor

def test_saving_through_a_symlink_names_the_real_file(work):
    real = work / "real.flow.md"
    shutil.copy(FLOW, real)
    link = work / "link.flow.md"
    link.symlink_to(real)
    t = editor(work, "link.flow.md", width=220)
    try:
        t.wait_for("系统登录")
        add_step(t, "通过链接保存")
        t.keys("C-s")
        t.wait_for(f"Saved link.flow.md → {os.path.realpath(real)}", wrapped=True)
        t.keys("q")
        t.wait_for("EXIT=0")
    finally:
        t.close()
    assert link.is_symlink() and os.readlink(link) == str(real), "the link was replaced"
    assert "2. 通过链接保存\n" in real.read_text(encoding="utf-8")


# -- E. Errors visible in prompts

@pytest.mark.parametrize("size", [(80, 24), (40, 12)])
def test_mistakes_show_while_the_prompt_is_open(work, size):
    t = editor(work, width=size[0], height=size[1])
    try:
        t.wait_for("系统登录")
        t.keys(":")
        t.text("1 2a")
        t.keys("Enter")
        t.wait_for("2a. 验证码过期")
        t.wait_for_status(r"2a$")
        t.keys("E")
        t.wait_for("Ending (")
        t.keys("C-u")
        t.text("banana")
        t.keys("Enter")
        t.wait_for("No step banana")
        last = t.screen().rstrip("\n").splitlines()[-1]
        assert last.startswith("Ending (") and "banana" in last, f"the prompt closed:\n{t.screen()}"
        t.keys("Escape")
        t.wait_for("Ending (", gone=True)
        t.keys("/")
        t.text("zqxjzqxj")
        t.wait_for("Not found")
        last = t.screen().rstrip("\n").splitlines()[-1]
        assert last.startswith("/zqxjzqxj"), f"the search prompt closed:\n{t.screen()}"
        t.keys("Escape")
        t.keys("q")
        t.wait_for("EXIT=0")
    finally:
        t.close()


# -- F. Terminal safety

OSC0 = "\x1b]0;PWNED\x07"
OSC52 = "\x1b]52;c;SGVsbG8=\x07"
CLEAR = "\x1b[2J"
C1CSI = "\u009b"


def assert_terminal_untouched(t):
    title = t.run("display", "-p", "-t", "e2e", "#{pane_title}").stdout.strip()
    assert "PWNED" not in title, f"the pane title was set: {title!r}"
    buffers = t.run("list-buffers").stdout
    assert buffers.strip() == "", f"a tmux buffer was set (OSC 52): {buffers!r}"


def test_control_sequences_in_a_file_are_shown_not_obeyed(work):
    evil = work / "evil.flow.md"
    evil.write_bytes((f"## Evil {OSC0} title\n\n"
                      f"1. First plain step\n"
                      f"2. Copy {OSC52} here\n"
                      f"3. Clear {CLEAR} screen\n"
                      f"4. Red {C1CSI}31m text\n"
                      f"5. Last plain step\n").encode())
    t = editor(work, "evil.flow.md", options={"set-clipboard": "on"})
    try:
        t.wait_for("Last plain step")
        t.wait_for("evil.flow.md")
        screen = t.screen()
        for row in ["Evil", "First plain step", "Copy", "Clear", "Red", "Last plain step", "? help"]:
            assert row in screen, f"{row!r} is missing (screen cleared?):\n{screen}"
        lines = {word: next(l for l in screen.splitlines() if word in l) for word in ["Evil", "Copy", "Clear", "Red"]}
        assert re.search(r"Evil \S\]0;PWNED\S title", lines["Evil"]), lines["Evil"]
        assert re.search(r"Copy \S\]52;c;SGVsbG8=\S here", lines["Copy"]), lines["Copy"]
        assert re.search(r"Clear \S\[2J screen", lines["Clear"]), lines["Clear"]
        assert re.search(r"Red \S31m text", lines["Red"]), lines["Red"]
        assert_terminal_untouched(t)
        t.keys("q")
        t.wait_for("EXIT=0")
    finally:
        t.close()


@pytest.fixture
def fake():
    from fake_openai import Fake
    f = Fake()
    yield f
    f.close()


def test_control_sequences_in_a_model_answer_are_not_obeyed(work, fake):
    t = editor(work, options={"set-clipboard": "on"},
               env={"OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": "sk-test-key-123456",
                    "FLOWSMITH_MODEL": "terminal-attack"})
    try:
        t.wait_for("系统登录")
        t.keys("j", "j", "s")
        t.wait_for("(1/3)", timeout=15)
        seen = [t.screen()]
        for i in (2, 3):
            t.keys("C-n")
            t.wait_for(f"({i}/3)")
            seen.append(t.screen())
        shown = "\n".join(seen)
        for words in ["the order form", "the shopping cart", "the order number"]:
            assert words in shown, f"{words!r} never showed:\n{shown}"
        screen = t.screen()
        # (Step 3 reads 4. while the suggestion shows as step 3.)
        for row in ["系统登录", "1. 客服人员填写用户名、密码和图形验证码。", "4. 系统验证用户身份。"]:
            assert row in screen, f"{row!r} is missing (screen cleared?):\n{screen}"
        assert_terminal_untouched(t)
        assert fake.counts.get("terminal-attack"), "the editor never asked the server"
        t.keys("Escape", "q")
        t.wait_for("EXIT=0")
    finally:
        t.close()
