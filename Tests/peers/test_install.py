"""`make install` as a user runs it: a release build under a prefix of their own, used from another
folder, through a symlink in another bin folder, with nothing of the checkout in reach; then
`make uninstall` removes exactly what was installed."""
import os
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ROOT
from tmux_driver import Tmux


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    prefix = tmp_path_factory.mktemp("prefix")
    proc = subprocess.run(["make", "--no-print-directory", "install", f"PREFIX={prefix}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Another bin folder with a link to the installed program, as `ln -s` into ~/bin would make.
    other = tmp_path_factory.mktemp("otherbin")
    os.symlink(prefix / "bin/flowsmith", other / "flowsmith")
    home = tmp_path_factory.mktemp("home")
    work = tmp_path_factory.mktemp("work")
    shutil.copy(ROOT / "examples/crm-zh.flow.md", work / "crm.flow.md")
    env = {"PATH": f"{other}:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "XDG_CONFIG_HOME": str(home / "cfg"), "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state")}
    return prefix, other, work, env


def run(installed, *args):
    _, _, work, env = installed
    return subprocess.run(["flowsmith", *args], cwd=work, env=env, capture_output=True, text=True, timeout=120)


def test_the_installed_files(installed):
    prefix = installed[0]
    listed = (prefix / "share/flowsmith/installed-files").read_text().split()
    for f in ["bin/flowsmith", "share/man/man1/flowsmith.1", "share/bash-completion/completions/flowsmith",
              "share/zsh/site-functions/_flowsmith", "share/fish/vendor_completions.d/flowsmith.fish",
              "share/flowsmith/themes/default.theme"]:
        assert f in listed and (prefix / f).is_file(), f
    assert any(f.startswith("share/flowsmith/corpus/") for f in listed)
    # Nothing points back into the checkout.
    assert str(ROOT) not in (prefix / "share/man/man1/flowsmith.1").read_text()


def test_local_suggestions_and_exports_work_from_the_installed_data(installed):
    # The local model is built from the installed corpus: no key, no network, no checkout.
    proc = run(installed, "suggest", "crm.flow.md", "--at", "1.2", "--engine", "local")
    assert proc.returncode == 0, proc.stderr
    assert len([l for l in proc.stdout.splitlines() if l.strip()]) >= 1
    proc = run(installed, "export", "crm.flow.md", "--format", "DOT")
    assert proc.returncode == 0 and proc.stdout.startswith("digraph"), proc.stderr
    proc = run(installed, "edit", "crm.flow.md", "--theme", "light")
    # No terminal here: the theme was found (installed), and the editor says what it needs.
    assert "needs a terminal" in proc.stderr and "no theme" not in proc.stderr


def test_the_editor_suggests_from_the_installed_corpus(installed):
    _, other, work, env = installed
    envs = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    t = Tmux(f"env -i TERM=\"$TERM\" {envs} flowsmith crm.flow.md; sleep 30", width=100, height=30, cwd=work)
    try:
        t.wait_for("系统登录")
        t.keys("j", "j", "s")
        t.wait_for("(1/", timeout=20)
        assert "no local model" not in t.screen()
    finally:
        t.close()


def test_man_page_and_bash_completion(installed):
    prefix = installed[0]
    page = subprocess.run(["man", "-P", "cat", "flowsmith"], env={**os.environ, "MANPATH": str(prefix / "share/man")},
                          capture_output=True, text=True, timeout=60)
    assert page.returncode == 0 and "flowsmith" in page.stdout and "export" in page.stdout, page.stderr
    script = prefix / "share/bash-completion/completions/flowsmith"
    out = subprocess.run(["bash", "-c", f"source {shlex.quote(str(script))}; COMP_WORDS=(flowsmith ex); COMP_CWORD=1; "
                          "COMP_LINE='flowsmith ex'; COMP_POINT=12; _flowsmith flowsmith ex flowsmith; echo \"${COMPREPLY[@]}\""],
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["export"], out.stdout + out.stderr
    # Files: `flowsmith FILE` (the editor), a subcommand's file argument, and option values.
    folder = installed[2] / "completing"
    folder.mkdir(exist_ok=True)
    (folder / "expenses.flow.md").write_text("## A\n\n1. x\n")
    (folder / "notes.txt").write_text("x")

    def complete(line):
        words = line.split(" ")
        script_line = (f"source {shlex.quote(str(script))}; cd {shlex.quote(str(folder))}; COMP_WORDS=({' '.join(shlex.quote(w) for w in words)}); "
                       f"COMP_CWORD={len(words) - 1}; COMP_LINE={shlex.quote(line)}; COMP_POINT={len(line)}; "
                       f"$(complete -p flowsmith | sed 's/.* -F \\([^ ]*\\) .*/\\1/') flowsmith {shlex.quote(words[-1])} {shlex.quote(words[-2])}; "
                       "printf '%s\\n' \"${COMPREPLY[@]}\"")
        return subprocess.run(["bash", "-c", script_line], capture_output=True, text=True, timeout=60, env=env).stdout.split()
    # The program answers some completions itself (the themes there are): the installed one, as
    # a user's shell would find it.
    env = {**installed[3], "PATH": f"{prefix / 'bin'}:/usr/bin:/bin"}
    themes = Path(env["XDG_CONFIG_HOME"]) / "flowsmith/themes"
    themes.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "themes/light.theme", themes / "highland.theme")
    (themes / "higgledy.theme").write_text("no such setting = 1\n")
    assert complete("flowsmith expe") == ["expenses.flow.md"]
    assert complete("flowsmith ex") == ["export", "expenses.flow.md"]
    assert complete("flowsmith check exp") == ["expenses.flow.md"]
    # A theme of the user's own completes too; a broken one does not.
    assert complete("flowsmith edit --theme high") == ["high-contrast", "highland"]
    # `flowsmith FILE` is the editor: its options complete after the file.
    assert complete("flowsmith expenses.flow.md --th") == ["--theme"]
    assert complete("flowsmith expenses.flow.md --theme high") == ["high-contrast", "highland"]
    assert complete("flowsmith expenses.flow.md --engine ol") == ["ollama"]
    # `help` offers the commands.
    assert complete("flowsmith help ex") == ["export"]
    assert "finetune" in complete("flowsmith help ") and "expenses.flow.md" not in complete("flowsmith help ")
    # Files an option writes or reads complete too.
    (folder / "train.jsonl").write_text("{}\n")
    assert complete("flowsmith export expenses.flow.md -o exp") == ["expenses.flow.md"]
    assert complete("flowsmith dataset --check tr") == ["train.jsonl"]


def completing_folder(installed):
    """A folder with a flow, another file and a sub-folder, and a theme of the user's own."""
    folder = installed[2] / "completing-other"
    (folder / "sub").mkdir(parents=True, exist_ok=True)
    (folder / "expenses.flow.md").write_text("## A\n\n1. x\n")
    (folder / "notes.txt").write_text("x")
    env = {**installed[3], "PATH": f"{installed[0] / 'bin'}:/usr/bin:/bin", "TERM": "xterm"}
    themes = Path(env["XDG_CONFIG_HOME"]) / "flowsmith/themes"
    themes.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "themes/light.theme", themes / "highland.theme")
    return folder, env


def test_zsh_completion(installed):
    """The same three additions as for bash, in a real zsh: the first word completes to flow files
    and folders too, the words after FILE as the editor's, and `help` to the commands."""
    folder, env = completing_folder(installed)
    t = Tmux("zsh -f", width=160, height=40, env=env, cwd=folder)
    try:
        t.wait_for("#")  # zsh drops what is typed before its first prompt
        t.text(f"fpath=({installed[0] / 'share/zsh/site-functions'} $fpath); autoload -U compinit; compinit -u -D; PS1='%% '")
        t.keys("Enter")

        def prompt_alone():
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if [r for r in t.screen().splitlines() if r.strip()] == ["%"]:
                    return
                time.sleep(0.05)
            raise AssertionError("no prompt:\n" + t.screen())

        def listing(line, expected):
            t.keys("C-u")
            t.text("clear")
            t.keys("Enter")
            prompt_alone()
            t.text(line)
            t.keys("C-d")  # lists what completes, changing nothing
            t.wait_for(expected[0])
            time.sleep(0.3)
            rows = t.screen().splitlines()
            at = next(i for i, r in enumerate(rows) if r.startswith("% " + line))
            words = []
            for r in rows[at + 1:]:
                words += [r.split(" -- ")[0].strip()] if " -- " in r else r.split()
            return sorted(w for w in words if w and not w.startswith("%"))
        assert listing("flowsmith ex", ["export"]) == ["expenses.flow.md", "export"]
        assert listing("flowsmith su", ["suggest"]) == ["sub/", "suggest"]
        assert listing("flowsmith check exp", ["expenses"]) == ["expenses.flow.md"]
        assert listing("flowsmith expenses.flow.md --th", ["--theme"]) == ["--theme"]
        assert listing("flowsmith expenses.flow.md --theme high", ["high-contrast"]) == ["high-contrast", "highland"]
        assert listing("flowsmith help ex", ["export"]) == ["export"]
    finally:
        t.close()


def test_fish_completion(installed):
    folder, env = completing_folder(installed)
    path = installed[0] / "share/fish/vendor_completions.d"

    def complete(line):
        out = subprocess.run(["fish", "--no-config", "-c", f"set -p fish_complete_path {shlex.quote(str(path))}; complete -C {shlex.quote(line)}"],
                             cwd=folder, env=env, capture_output=True, text=True, timeout=60)
        return sorted(l.split("\t")[0] for l in out.stdout.splitlines())
    assert complete("flowsmith ex") == ["expenses.flow.md", "export"]
    assert complete("flowsmith su") == ["sub/", "suggest"]
    assert complete("flowsmith check exp") == ["expenses.flow.md"]
    assert complete("flowsmith expenses.flow.md --th") == ["--theme"]
    assert complete("flowsmith help ex") == ["export"]
    assert "finetune" in complete("flowsmith help ") and "expenses.flow.md" not in complete("flowsmith help ")
    # The program's own answers (the themes there are) need fish's command line: a real fish.
    t = Tmux("fish --no-config", width=120, height=20, env=env, cwd=folder)
    try:
        t.text(f"set -p fish_complete_path {shlex.quote(str(path))}")
        t.keys("Enter")
        t.text("flowsmith expenses.flow.md --theme highl")
        t.keys("Tab")
        t.wait_for("--theme highland")
    finally:
        t.close()


def test_the_man_page_says_what_the_command_line_cannot_and_its_documentation_is_there(installed):
    prefix = installed[0]
    page = subprocess.run(["man", "-P", "cat", "flowsmith"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "MANPATH": str(prefix / "share/man"), "MANWIDTH": "100"})
    text = page.stdout
    for section in ["KEYS", "ENVIRONMENT", "FILES", "EXIT STATUS"]:
        assert f"\n{section}\n" in text, section
    for name in ["OPENAI_API_KEY", "FLOWSMITH_MODEL", "NO_COLOR", "model.json", "share/doc/flowsmith"]:
        assert name in text, name
    assert "flowsmith 0.1.0" in text.splitlines()[-1], text.splitlines()[-1]
    # Defaults, as --help gives them, each with its option (and said once where the help says it).
    flat = " ".join(text.replace("\u2010\n", "").split())
    for option, default in [("--width width", "80"), ("--format format", "mermaid"), ("--folds folds", "10"),
                            ("--seed seed", "42"), ("--kinds kinds", "next,conditions,draft")]:
        after = flat[flat.index(option):]
        assert f"(default: {default})" in after[:after.index(" -", len(option) + 1) if " -" in after[len(option):] else None], (option, after[:200])
    assert flat.count("(default: the config's engine, else openai when") == 2, flat.count("(default: the config's engine")
    # What the page and the messages refer to is installed.
    for doc in ["docs/FORMAT.md", "docs/CONFIG.md", "docs/keys.md", "docs/EXPORTS.md", "docs/PIPELINE.md", "docs/RELIABILITY.md",
                "docs/ARCHITECTURE.md", "README.md", "examples/crm-zh.flow.md"]:
        assert (prefix / "share/doc/flowsmith" / doc).is_file(), doc
    # Every link between the installed documents leads to an installed file.
    docs = prefix / "share/doc/flowsmith"
    for page in docs.rglob("*.md"):
        for target in re.findall(r"\]\(([^)#:]+)\)", page.read_text()):
            assert (page.parent / target).exists(), (page, target)
    warnings = subprocess.run(["groff", "-mandoc", "-ww", "-z", str(prefix / "share/man/man1/flowsmith.1")],
                              capture_output=True, text=True, timeout=60)
    assert warnings.returncode == 0 and warnings.stderr == "", warnings.stderr


def test_uninstall_removes_exactly_what_was_installed(installed, tmp_path):
    prefix = installed[0]
    mine = prefix / "share/notes.txt"   # a file of the user's under the same prefix
    mine.write_text("keep me")
    proc = subprocess.run(["make", "--no-print-directory", "uninstall", f"PREFIX={prefix}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    left = sorted(str(p.relative_to(prefix)) for p in prefix.rglob("*"))
    assert left == ["share", "share/notes.txt"], left
