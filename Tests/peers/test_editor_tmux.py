"""The editor in a real terminal (tmux), driven as a person would: open the Chinese example,
restructure it, save, quit, then read the saved file back."""
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
import unicodedata

import pytest

from conftest import BIN, ROOT, flowsmith
from tmux_driver import Tmux

SHELL_TAIL = "; echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo; sleep 60"


@pytest.fixture
def work(tmp_path):
    shutil.copy(ROOT / "examples/crm-zh.flow.md", tmp_path / "crm.flow.md")
    (tmp_path / "cfg").mkdir()
    return tmp_path


def editor(work, *args, width=100, height=30, env=None, tail=SHELL_TAIL):
    base = {"LANG": "C.UTF-8", "XDG_CONFIG_HOME": str(work / "cfg"), "HOME": str(work)}
    base.update(env or {})
    cmd = " ".join(shlex.quote(str(a)) for a in [BIN, *args])
    t = Tmux(f"sh -c {shlex.quote(cmd + tail)}", width=width, height=height, env=base, cwd=work)
    return t


@pytest.fixture
def fake():
    from fake_openai import Fake
    f = Fake()
    yield f
    f.close()


def served_editor(work, fake, model):
    """The editor on the Chinese example, its suggestions from the loopback server's `model` scenario."""
    return editor(work, "crm.flow.md", env={"OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": "sk-test-key-123456",
                                            "FLOWSMITH_MODEL": model})


def test_restructure_the_chinese_example_and_save(work):
    t = editor(work, "crm.flow.md")
    try:
        t.wait_for("▾ 系统登录")
        t.wait_for("crm.flow.md · 客户关系管理系统  UC 1")
        # Add a main step after step 1, typing Chinese.
        t.keys("j", "o")
        t.wait_for("EDIT")
        t.text("系统记录访问来源")
        t.keys("Enter")
        t.wait_for("    2. 系统记录访问来源")
        t.wait_for("UC 1 · 2")
        # Give it an extension with a step that ends in failure.
        t.keys("x")
        t.text("来源无法识别")
        t.keys("Enter")
        t.wait_for("2a. 来源无法识别")
        t.keys("o")
        t.text("系统拒绝登录")
        t.keys("Enter", "E", "C-u")
        t.text("failure")
        t.keys("Enter")
        t.wait_for("来源无法识别  ✗ 失败")
        # Move step 2 down, and back up; then delete it, undo, redo, undo.
        t.keys("k", "k", "J")
        t.wait_for_status(r"UC 1 · 3$")
        t.keys("K")
        t.wait_for_status(r"UC 1 · 2$")
        t.keys("d", "d")
        t.wait_for("Deleted step 2")
        t.wait_for("系统记录访问来源", gone=True)
        t.keys("u")
        t.wait_for("Undid: Delete step 2")
        t.wait_for("系统记录访问来源")
        t.keys("C-r")
        t.wait_for("系统记录访问来源", gone=True)
        t.keys("u")
        t.wait_for("系统记录访问来源")
        # Fold and unfold, search, resize small and back.
        t.keys("g", "Space")
        t.wait_for("▸ 系统登录  (+")
        t.keys("Space")
        t.wait_for("▾ 系统登录")
        t.keys("/")
        t.text("锁定")
        t.keys("Enter")
        t.wait_for("UC 1 · 4a1a")
        t.resize(40, 12)
        t.wait_for("4a1a")
        t.resize(100, 30)
        t.wait_for("/锁定 1/4 n N")   # the search's place among its matches, back on the status bar
        t.keys("C-s")
        t.wait_for("Saved crm.flow.md")
        t.keys("q")
        t.wait_for("EXIT=0")
        t.wait_for("icanon echo")          # the terminal is back in cooked mode
    finally:
        t.close()
    saved = (work / "crm.flow.md").read_text(encoding="utf-8")
    assert "2. 系统记录访问来源\n   - 2a. 来源无法识别：\n     1. 系统拒绝登录\n     - 结束：失败。\n3. 系统校验图形验证码。" in saved
    assert flowsmith("check", work / "crm.flow.md").returncode == 0


def test_quit_with_unsaved_changes_asks_and_loses_nothing_on_disk(work):
    before = (work / "crm.flow.md").read_bytes()
    t = editor(work, "crm.flow.md")
    try:
        t.wait_for("系统登录")
        t.keys("j", "d", "d")
        t.wait_for("crm.flow.md [+]")
        t.keys("q")
        t.wait_for("Unsaved changes")
        t.keys("Escape")
        t.wait_for("Not quitting")
        t.keys("C-c")
        t.wait_for("Unsaved changes")
        t.keys("n")
        t.wait_for("EXIT=0")
    finally:
        t.close()
    assert (work / "crm.flow.md").read_bytes() == before


def test_help_overlay_lists_the_keys(work):
    t = editor(work, "crm.flow.md")
    try:
        t.wait_for("系统登录")
        t.keys("?")
        t.wait_for("flowsmith keys")
        t.wait_for("add a step after and edit it")
        # Page down to the : commands at the end (the help scrolls, it does not close).
        for _ in range(8):
            if ":export FORMAT FILE" in t.screen():
                break
            t.keys("PgDn")
            t.wait_for("flowsmith keys")
        t.wait_for(":export FORMAT FILE")
        t.keys("Escape")
        t.wait_for("flowsmith keys", gone=True)
        t.keys("q")
        t.wait_for("EXIT=0")
    finally:
        t.close()


def test_tiny_terminal_and_back(work):
    t = editor(work, "crm.flow.md")
    try:
        t.wait_for("系统登录")
        t.resize(12, 3)
        t.wait_for("terminal")
        t.resize(80, 24)
        t.wait_for("系统登录")
        t.keys("q")
        t.wait_for("EXIT=0")
    finally:
        t.close()


def test_sigterm_restores_the_terminal(work):
    t = editor(work, "crm.flow.md")
    try:
        t.wait_for("系统登录")
        shell = t.pane_pid()
        child = int(subprocess.run(["pgrep", "-P", str(shell), "-f", "flowsmith"], capture_output=True, text=True).stdout.split()[0])
        os.kill(child, signal.SIGTERM)
        # 128 + 15: the shell and scripts can tell the editor was ended by a signal.
        t.wait_for("EXIT=143")
        t.wait_for("icanon echo")
    finally:
        t.close()


def test_ctrl_z_suspends_and_fg_resumes(work):
    base = f"LANG=C.UTF-8 XDG_CONFIG_HOME={work / 'cfg'} HOME={work}"
    t = Tmux("bash --norc --noprofile -i", width=100, height=30, cwd=work, env={"PS1": "$ "})
    try:
        t.wait_for("$")
        t.text(f"{base} {BIN} crm.flow.md")
        t.keys("Enter")
        t.wait_for("系统登录")
        t.keys("C-z")
        t.wait_for("Stopped")
        t.text("fg")
        t.keys("Enter")
        t.wait_for("? help")
        t.keys("j")
        t.wait_for("UC 1 · 1")
        t.keys("q")
        t.wait_for("系统登录", gone=True)
    finally:
        t.close()


def test_new_file_and_no_color(work):
    t = editor(work, "new.flow.md", env={"NO_COLOR": "1"})
    try:
        # A new file asks its title, then its first use case's, saying what it is asking.
        t.wait_for("Flow title:")
        t.text("Bills")
        t.keys("Enter")
        t.wait_for("EDIT · use case title")
        t.text("Pay a bill")
        t.keys("Enter", "o")
        t.text("Customer opens the bill")
        t.keys("Enter")
        t.wait_for("1. Customer opens the bill")
        screen = t.screen(escapes=True)
        assert not re.search(r"\x1b\[[0-9;]*(3[0-7]|4[0-7]|38;5|48;5)[;m]", screen), "colours despite NO_COLOR"
        assert "\x1b[7m" in screen or "\x1b[27m" in screen or ";7m" in screen  # the cursor row is reversed
        t.keys(":")
        t.text("wq")
        t.keys("Enter")
        t.wait_for("EXIT=0")
    finally:
        t.close()
    assert (work / "new.flow.md").read_text() == "# Bills\n\n## Pay a bill\n\n1. Customer opens the bill\n"


def test_broken_file_is_refused_before_the_screen_changes(work):
    (work / "bad.flow.md").write_text("## A\n1. x\n   1. y\n")
    proc = subprocess.run(
        [str(BIN), str(work / "bad.flow.md")], capture_output=True, text=True)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines[0].endswith("bad.flow.md:3:4: a step cannot hold steps directly; add an extension line first, e.g. \"- 3a. condition:\"")
    assert "flowsmith check" in lines[-1] and "was not opened" in lines[-1]


def test_bracketed_paste_goes_into_the_label_and_runs_no_commands(work):
    t = editor(work, "crm.flow.md")
    try:
        t.wait_for("系统登录")
        t.keys("j", "e", "C-u")
        t.wait_for("EDIT")
        # tmux pastes with bracketed-paste markers because the editor asked for them (-p).
        t.run("set-buffer", "-b", "p", "粘贴的文本\ndd q 第二行")
        t.run("paste-buffer", "-p", "-b", "p", "-t", "e2e")
        t.wait_for("粘贴的文本 dd q 第二行")
        t.keys("Enter")
        t.wait_for("1. 粘贴的文本 dd q 第二行")
        # Pasted in the tree, text is refused instead of being run as keys.
        t.run("paste-buffer", "-p", "-b", "p", "-t", "e2e")
        t.wait_for("Pasted text goes into a label")
        t.keys("q")
        t.wait_for("Unsaved changes")
        t.keys("n")
        t.wait_for("EXIT=0")
    finally:
        t.close()


def test_suggestions_stream_in_from_an_openai_compatible_server(work, fake):
    t = served_editor(work, fake, "slow")
    try:
        t.wait_for("系统登录")
        t.keys("j", "j", "s")
        t.wait_for("asking for suggestions")
        # The server takes 1.5 s to answer; keys keep working meanwhile (moving dismisses).
        t.keys("k")
        t.wait_for_status(r"UC 1 · 1$")
        t.keys("j", "s")
        t.wait_for("系统记录访问来源。  (1/3)", timeout=15)
        t.keys("C-n")
        t.wait_for("System shows the home page.  (2/3)")
        t.keys("M-[")                       # Alt-[ and Alt-] cycle too, where the terminal sends them
        t.wait_for("系统记录访问来源。  (1/3)")
        t.keys("M-]")
        t.wait_for("System shows the home page.  (2/3)")
        t.keys("Tab")
        t.wait_for("    3. System shows the home page.")
        t.keys("u")
        t.wait_for("System shows the home page.", gone=True)
        t.keys("q")
        t.wait_for("EXIT=0")
    finally:
        t.close()


@pytest.mark.parametrize("model,said", [
    # A refused key: said, and the local model suggests instead.
    ("unauthorized", ["HTTP 401", "showing local suggestions"]),
    # A rate limit being waited out: said, and the server's answer still comes.
    ("rate-one-second", ["rate limited: trying again in 1 s (try 2)"]),
])
def test_a_servers_trouble_shows_as_a_status_message_and_suggestions_still_come(work, fake, model, said):
    t = served_editor(work, fake, model)
    try:
        t.wait_for("系统登录")
        t.keys("j", "j", "s")
        for text in said:
            t.wait_for(text, timeout=15)
        assert "sk-test-key-123456" not in t.screen()
        t.wait_for("(1/3)", timeout=15)
        t.keys("Escape", "q")
        t.wait_for("EXIT=0")
    finally:
        t.close()


def test_first_session_frictions_at_small_sizes(work):
    # The keys to take a suggestion stay on the status bar at 60 columns, beside a message.
    t = editor(work, "crm.flow.md", width=60, height=20, env={"FLOWSMITH_THEMES": str(work)})
    try:
        t.wait_for("系统登录")
        t.keys("j", "j", "s")
        t.wait_for("(1/", timeout=20)
        assert "Tab" in t.status() and "Esc" in t.status(), t.status()
        t.keys("Escape")
        # Ctrl-D pages the help, it does not close it, and nothing in it is cut short.
        t.keys("?")
        t.wait_for("keys")
        for _ in range(12):
            t.keys("C-d")
        t.wait_for("this help")
        # (the status bar may cut the flow's title short; the help box above it may not)
        assert "…" not in "\n".join(t.screen().rstrip("\n").splitlines()[:-1]).replace("1 … 9", "")
        t.keys("Escape")
        t.wait_for("this help", gone=True)
        t.keys("q")
        t.wait_for("EXIT=0")
    finally:
        t.close()


@pytest.mark.parametrize("width, height", [(100, 30), (80, 24)])
def test_the_diagram_pane_follows_the_cursor(work, width, height):
    t = editor(work, "crm.flow.md", width=width, height=height)
    try:
        t.wait_for("系统登录")
        t.keys("j", "j", "v")
        t.wait_for("Diagram · t shows its source")
        t.wait_for("│ 2. 系统校验图形验证码。")

        def highlighted(text):
            """Whether the pane's box holding `text` is drawn in a style of its own (a background)."""
            for line in t.screen(escapes=True).splitlines():
                pane = line.split("│", 1)[-1]
                if text in pane:
                    before = pane[:pane.index(text)]
                    return "\x1b[48;5;" in before or "\x1b[7m" in before
            return False

        def comes_highlighted(text, timeout=10.0):
            """`highlighted`, waited for: the diagram is drawn a frame after the pane's title row,
            which holds the same text after the pane's border."""
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if highlighted(text):
                    return True
                time.sleep(0.05)
            return False

        assert comes_highlighted("│ 2. 系统校验图形验证码。")
        assert not highlighted("│ 1. 客服人员填写")
        # Far down the use case: the pane scrolls to the step and highlights it.
        t.keys(*["j"] * 17)
        t.wait_for_status(r"UC 1 · 4$")
        t.wait_for("│ 4. 系统记录登录日志。")
        assert comes_highlighted("│ 4. 系统记录登录日志。")
        assert "│ 1. 客服人员填写" not in t.screen()
        # Another use case: its own diagram.
        t.keys("j", "j", "j")
        t.wait_for("用例 2：查询客户信息")
        # t shows the sources, and back.
        t.keys("t")
        t.wait_for("Mermaid · t switches")
        t.keys("t", "t", "t")
        t.wait_for("Diagram · t shows its source")
        t.keys("q")
        t.wait_for("EXIT=0")
    finally:
        t.close()


@pytest.mark.parametrize("term", ["xterm-256color", "tmux-256color", "vt100"])
def test_home_and_end_edit_the_label_whatever_term_says(work, term):
    """tmux sends Home and End as ESC [ 1 ~ and ESC [ 4 ~ whatever TERM names; xterm's terminfo
    says ESC O H. A sequence the terminal description does not know must not end the edit and run
    its characters as keys."""
    t = editor(work, "crm.flow.md", env={"TERM": term})
    try:
        t.wait_for("▾ 系统登录")
        t.keys("j", "e")
        t.wait_for("EDIT")
        t.text(" XYZ")
        t.keys("Home")
        t.text("前")
        t.keys("End")
        t.text("后")
        t.keys("Enter")
        t.wait_for("前客服人员填写用户名、密码和图形验证码。 XYZ后")
        assert "does nothing here" not in t.screen(), t.screen()
        t.keys("C-s")
        t.wait_for("Saved")
        t.keys("q")
        t.wait_for("EXIT=0")
    finally:
        t.close()
    assert "1. 前客服人员填写用户名、密码和图形验证码。 XYZ后" in (work / "crm.flow.md").read_text()


def test_emoji_clusters_keep_the_layout(work):
    """A cluster of several characters (a family, a skin tone, a flag) fills the two columns it was
    given; nothing of it shifts the rest of the line (a lone joiner did, in tmux)."""
    (work / "emoji.flow.md").write_text(
        "## Emoji 🚲\n\n1. Rider 👨\u200d👩\u200d👧 and ZWJ\n2. Flag 🇨🇳 flag\n3. Thumbs 👍🏽 skin\n")
    t = editor(work, "emoji.flow.md")
    try:
        t.wait_for("Thumbs")
        t.keys("v")
        t.wait_for("│")
        screen = t.screen()
        assert "1. Rider 👨 and ZWJ" in screen and "2. Flag CN flag" in screen and "3. Thumbs 👍 skin" in screen, screen

        def column(line):
            return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line[:line.index("│")])
        columns = {column(l) for l in screen.splitlines() if "│" in l}
        assert len(columns) == 1, screen
        assert "\u200d" not in screen
        t.keys("q")
        t.wait_for("EXIT=0")
    finally:
        t.close()


def test_a_warning_about_the_config_stays_on_the_status_line(work):
    """Standard error is hidden once the screen starts: a key others can read, which is ignored,
    is said where the user looks."""
    (work / "cfg/flowsmith").mkdir(parents=True)
    config = work / "cfg/flowsmith/config"
    config.write_text("api-key = sk-test-abcdef123456\n")
    config.chmod(0o644)
    t = editor(work, "crm.flow.md")
    try:
        t.wait_for("holds an api-key but other users can read it (mode 644); the key is ignored", wrapped=True)
        assert "sk-test-abcdef123456" not in t.screen()
        t.keys("q")
        t.wait_for("EXIT=0")
    finally:
        t.close()


@pytest.mark.parametrize("term, words", [("dumb", "cannot place the cursor"), ("no-such-terminal", "terminfo does not know TERM=no-such-terminal")])
def test_a_terminal_that_cannot_show_the_editor_is_refused_clearly(work, term, words):
    t = editor(work, "crm.flow.md", env={"TERM": term})
    try:
        t.wait_for("EXIT=1")
        assert "flowsmith: " in t.screen() and words in t.screen().replace("\n", ""), t.screen()
    finally:
        t.close()
    # Refused before anything is locked, or the lock is given back.
    assert not list((work / ".local/state/flowsmith").glob("*.lock"))


def test_a_terminal_without_a_second_screen_is_left_clean(work):
    """vt100 has no alternate screen: the editor's last frame must not stay under the prompt."""
    t = editor(work, "crm.flow.md", env={"TERM": "vt100"})
    try:
        t.wait_for("▾ 系统登录")
        t.keys("q")
        t.wait_for("EXIT=0")
        assert "系统登录" not in t.screen() and "q quit" not in t.screen(), t.screen()
    finally:
        t.close()
