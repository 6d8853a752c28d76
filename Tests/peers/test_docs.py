"""docs/RELIABILITY.md names the test that proves each guarantee: every name must exist, so the
page cannot promise what nothing checks."""
import re
import subprocess

from conftest import BIN, ROOT


def test_every_test_named_in_reliability_md_exists():
    doc = (ROOT / "docs/RELIABILITY.md").read_text()
    swift = "\n".join(p.read_text() for p in (ROOT / "Tests").rglob("*.swift"))
    python = {p.stem: p.read_text() for p in (ROOT / "Tests/peers").glob("test_*.py")}
    checked = 0
    for cell in re.findall(r"\|([^|\n]*)\|\s*$", doc, flags=re.M):
        suite = None
        for name in re.findall(r"`([^`]+)`", cell):
            if name.startswith("peers/"):
                module, _, test = name[len("peers/"):].partition("::")
                suite = ("peers", "test_" + module)
                assert suite[1] in python, f"{name}: no Tests/peers/{suite[1]}.py"
                if test:
                    assert re.search(rf"def {re.escape(test)}\b", python[suite[1]]), f"{name}: no such test"
                    checked += 1
            elif name.startswith("::"):
                assert suite and suite[0] == "peers", f"{name}: no file before it"
                assert re.search(rf"def {re.escape(name[2:])}\b", python[suite[1]]), f"{name}: no such test"
                checked += 1
            elif name.startswith("."):
                assert suite and suite[0] == "swift", f"{name}: no suite before it"
                assert re.search(rf"func {re.escape(name[1:])}\b", swift), f"{suite[1]}{name}: no such test"
                checked += 1
            elif re.fullmatch(r"[A-Z][A-Za-z]+Tests\.[a-zA-Z]+", name):
                s, _, t = name.partition(".")
                assert re.search(rf"struct {s}\b", swift), f"{name}: no suite {s}"
                assert re.search(rf"func {t}\b", swift), f"{name}: no such test"
                suite = ("swift", s)
                checked += 1
    assert checked > 30


def test_every_option_the_readme_shows_is_one_the_command_takes_and_every_command_is_shown():
    """The README's command-line synopsis: each option on a command's line is in that command's
    --help, and every command the program has is on a line."""
    readme = (ROOT / "README.md").read_text()
    block = readme[readme.index("## The command line"):]
    block = block[block.index("```sh") + 5:block.index("```", block.index("```sh") + 5)]
    top = subprocess.run([str(BIN), "--help"], capture_output=True, text=True, timeout=60).stdout
    commands = set(re.findall(r"^  ([a-z]+)\s", top[top.index("SUBCOMMANDS"):], flags=re.M)) - {"help"}
    shown = set()
    for line in block.strip().splitlines():
        words = line.split("#")[0].split()
        command = words[1] if len(words) > 1 and words[1] in commands else "edit"
        shown.add(command)
        help_text = subprocess.run([str(BIN), command, "--help"], capture_output=True, text=True, timeout=60).stdout
        for option in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", " ".join(words[1:])):
            assert re.search(rf"(?<![\w-]){re.escape(option)}\b", help_text), f"{command}: {option} is not in its --help"
    assert commands <= shown | {"edit", "check"}, commands - shown


def test_the_export_examples_are_what_the_tool_writes(tmp_path):
    """EXPORTS.md shows a flow and what `export` makes of it: the text diagram whole, and the
    Robot Framework file's tasks. Both are the tool's output for that flow, byte for byte."""
    doc = (ROOT / "docs/EXPORTS.md").read_text()
    flow = re.search(r"```markdown\n(.*?)```", doc, re.S).group(1)
    (tmp_path / "sign-in.flow.md").write_text(flow)
    def run(*args):
        return subprocess.run([str(BIN), "export", "sign-in.flow.md", *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=60, check=True).stdout
    text = re.search(r"`flowsmith export sign-in.flow.md -f text --width 60` draws:\n\n```\n(.*?)```", doc, re.S).group(1)
    assert run("-f", "text", "--width", "60") == text
    robot = re.search(r"```robotframework\n(.*?)```", doc, re.S).group(1)
    tasks = run("-f", "robot")
    tasks = tasks[tasks.index("*** Tasks ***"):tasks.index("*** Keywords ***")].rstrip("\n") + "\n"
    assert tasks == robot
