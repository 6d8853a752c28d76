"""The command line as a user meets it: exit codes, messages on stderr, files written."""
import os
import re
import unicodedata
import subprocess

import pytest

from conftest import BIN, EXAMPLES, ROOT, flowsmith


def test_version_and_help():
    assert flowsmith("--version").stdout.decode().strip() == "0.1.0"
    out = flowsmith("--help").stdout.decode()
    for sub in ["export", "import", "check", "edit"]:
        assert sub in out


def test_check_clean_files():
    proc = flowsmith("check", *EXAMPLES)
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == len(EXAMPLES) and all("no problems" in l for l in lines)


def test_check_reports_parse_errors_with_position(tmp_path):
    f = tmp_path / "broken.flow.md"
    f.write_text("# T\n\n## Pay\n\n1. Customer pays.\n   1. nested without extension\n")
    proc = flowsmith("check", f, check=False)
    assert proc.returncode == 1
    assert proc.stderr.decode().strip() == (
        f"{f}:6:4: a step cannot hold steps directly; add an extension line first, e.g. \"- 3a. condition:\"")


def test_check_reports_problems_with_position(tmp_path):
    f = tmp_path / "p.flow.md"
    f.write_text("## Pay\n\n1. Customer pays.\n   - 1a. Card declined:\n     1. Retry.\n     - Resume at 7.\n2.\n")
    proc = flowsmith("check", f, check=False)
    assert proc.returncode == 1
    assert proc.stdout.decode().splitlines() == [
        f"{f}:6:6: extension 1a resumes at step 7, which is not a step of this use case",
        f"{f}:7:1: step 2 is empty",
    ]


def test_check_refuses_binary_and_invalid_utf8(tmp_path):
    binary = tmp_path / "a.out"
    binary.write_bytes(b"\x7fELF\x02\x01\x00\x00" + os.urandom(64))
    latin1 = tmp_path / "latin1.flow.md"
    latin1.write_bytes("## Café\n".encode("latin-1"))
    for f, msg in [(binary, "1:7: a NUL byte; this looks like a binary file, not text"),
                   (latin1, "1:7: not valid UTF-8 (byte 0xE9)")]:
        proc = flowsmith("check", f, check=False)
        assert proc.returncode == 1
        assert proc.stderr.decode().startswith(f"{f}:{msg}"), proc.stderr
        assert proc.stdout == b""


def test_missing_file_and_directory(tmp_path):
    proc = flowsmith("check", tmp_path / "nope.flow.md", check=False)
    assert proc.returncode == 1 and "no such file or directory" in proc.stderr.decode()
    proc = flowsmith("export", tmp_path, check=False)
    assert proc.returncode == 1 and "is a directory, not a file" in proc.stderr.decode()


def test_error_messages_never_carry_raw_control_characters(tmp_path):
    f = tmp_path / "evil.flow.md"
    f.write_bytes("## \x1b]52;c;ZXZpbA==\x07 title\n\n## \x1b]52;c;ZXZpbA==\x07 title\n\nrandom \x1b[2J text\n".encode())
    proc = flowsmith("check", f, check=False)
    assert proc.returncode == 1
    for stream in (proc.stdout, proc.stderr):
        assert not re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", stream), stream


def test_export_to_file_and_directions(tmp_path):
    out = tmp_path / "shop.dot"
    flowsmith("export", ROOT / "examples/online-shop.flow.md", "--format", "dot", "-d", "LR", "-o", out)
    assert out.read_text().startswith('digraph "flow" {\n  graph [rankdir=LR')
    proc = flowsmith("export", ROOT / "examples/online-shop.flow.md", "--direction", "sideways", check=False)
    assert proc.returncode != 0 and "sideways" in proc.stderr.decode()


def test_import_outline_then_check(tmp_path):
    out = tmp_path / "crm.flow.md"
    flowsmith("import", ROOT / "examples/crm-zh.outline.txt", "-o", out)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 用例图\n\n## 系统登录\n\n1. 用户填写用户名、密码\n")
    assert flowsmith("check", out).returncode == 0
    # An existing file is never overwritten by accident.
    proc = flowsmith("import", ROOT / "examples/crm-zh.outline.txt", "-o", out, check=False)
    assert proc.returncode == 1 and "already exists" in proc.stderr.decode()
    flowsmith("import", ROOT / "examples/crm-zh.outline.txt", "-o", out, "--force")


def test_import_warns_about_what_the_outline_left_unsaid(tmp_path):
    outline = tmp_path / "o.txt"
    outline.write_text("● 付款\n○ 用户输入卡号\n  ○ 系统提示重试\n")
    out = tmp_path / "o.flow.md"
    proc = flowsmith("import", outline, "-o", out)
    assert proc.stderr.decode() == (
        f"{outline}:3:3: warning: extension 1a has no condition (start the line with [condition])\n"
        f"wrote {out}: 1 use case, 2 steps, 1 extension, 1 warning above\n")
    assert "   - 1a. ：\n     1. 系统提示重试\n" in out.read_text()
    plain = tmp_path / "plain.txt"
    plain.write_text("Pay\n\tenter card\n\t\tcard declined:\n\t\t\tshow the reason\n")
    proc = flowsmith("import", plain, "-o", tmp_path / "plain.flow.md")
    assert proc.stderr.decode() == f"wrote {tmp_path / 'plain.flow.md'}: 1 use case, 2 steps, 1 extension\n"
    # Not over a file whose last save did not finish, even forced: its backup is settled first.
    backup = tmp_path / ".plain.flow.md.flowsmith-backup-Ab12Cd"
    backup.write_text("## Pay\n")
    for extra in [[], ["--force"]]:
        proc = flowsmith("import", plain, "-o", tmp_path / "plain.flow.md", *extra, check=False)
        assert proc.returncode == 1 and b"a save of it did not finish" in proc.stderr, proc.stderr
        proc = flowsmith("export", ROOT / "examples/online-shop.flow.md", "-o", tmp_path / "plain.flow.md", *extra, check=False)
        assert proc.returncode == 1 and b"a save of it did not finish" in proc.stderr, proc.stderr
    backup.unlink()
    # Written to standard output, the flow is all there is.
    assert flowsmith("import", plain).stderr == b""
    # What the import guessed and what the flow lacks come in the order of their lines.
    mixed = tmp_path / "mixed.txt"
    mixed.write_text("* Log in\n- User enters it\n  - System shows an error\n-\n- System checks it\n")
    lines = [line.split(":")[1] for line in flowsmith("import", mixed).stderr.decode().splitlines()]
    assert lines == ["3", "4"], lines
    assert (tmp_path / "plain.flow.md").read_text() == (
        "## Pay\n\n1. enter card\n   - 1a. card declined:\n     1. show the reason\n")


def test_import_reads_standard_input_and_never_writes_over_its_outline_or_into_a_folder(tmp_path):
    outline = b"* Log in\n- User enters the name\n-\n- System checks it\n"
    out = tmp_path / "in.flow.md"
    proc = subprocess.run([str(BIN), "import", "-", "-o", out], input=outline, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text() == "## Log in\n\n1. User enters the name\n2. System checks it\n"
    assert proc.stderr.decode() == ("<standard input>:3:1: warning: an empty bullet was left out\n"
                                    f"wrote {out}: 1 use case, 2 steps, 0 extensions, 1 warning above\n")
    notes = tmp_path / "notes.txt"
    notes.write_bytes(outline)
    for target, words in [(notes, "is the outline being imported"), (tmp_path, "is a directory: give a file name")]:
        proc = flowsmith("import", notes, "-o", target, "--force", check=False)
        assert proc.returncode == 1 and words in proc.stderr.decode(), proc.stderr
    assert notes.read_bytes() == outline
    # A title alone is no flow, as an empty file is not.
    title = tmp_path / "title.txt"
    title.write_text("Processes:\n")
    proc = flowsmith("import", title, check=False)
    assert proc.returncode == 1 and "no use case in it" in proc.stderr.decode()


def test_train_on_a_folder_then_suggest_from_it(tmp_path):
    lib = tmp_path / "library"
    lib.mkdir()
    (lib / "mine.flow.md").write_text(
        "## 办理退货\n\n1. 顾客提交退货申请。\n2. 客服审核退货原因。\n3. 仓库验收退回的商品。\n4. 系统原路退款。\n")
    (lib / "broken.flow.md").write_text("## A\n1. x\n   1. y\n")
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    old = dict(os.environ)
    os.environ.update(env)
    try:
        proc = flowsmith("train", lib, "--no-corpus")
        assert "trained on 1 files from" in proc.stdout.decode()
        assert "skipped" in proc.stderr.decode() and "broken.flow.md:3:4" in proc.stderr.decode()
        assert (tmp_path / "data/flowsmith/model.json").exists()
        flow = tmp_path / "f.flow.md"
        flow.write_text("## 处理退货\n\n1. 顾客提交退货申请。\n2. 客服审核退货原因。\n")
        got = flowsmith("suggest", flow, "--at", "1.2", "-n", "1").stdout.decode().strip()
        assert got == "仓库验收退回的商品。"
        # A mistyped folder, or one with no flow in it, trains nothing and keeps the model.
        model = (tmp_path / "data/flowsmith/model.json").read_bytes()
        (tmp_path / "empty").mkdir()
        for folder, words in [(tmp_path / "libary", "no such folder"), (tmp_path / "empty", "no .flow.md file in it")]:
            proc = flowsmith("train", folder, check=False)
            assert proc.returncode == 1 and words in proc.stderr.decode() and "the model is unchanged" in proc.stderr.decode()
            assert (tmp_path / "data/flowsmith/model.json").read_bytes() == model
    finally:
        os.environ.clear()
        os.environ.update(old)


def test_eval_cross_validates_the_local_model(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    old = dict(os.environ)
    os.environ.update(env)
    try:
        proc = flowsmith("eval", ROOT / "examples/online-shop.flow.md", "--engine", "local", "--folds", "3")
        text = proc.stdout.decode()
        assert "local: local model, not trained on the file, with the bundled corpus" in text
        assert "online-shop.flow.md: 1 file," in text and "F1 >= 0.5" in text
        cases = int(re.search(r"^next step \((\d+)\)$", text, re.M).group(1))
        assert cases >= 20
        for measure in ["accuracy@1", "hit@3", "precision", "recall", "F1", "near@3", "best F1@3"]:
            assert re.search(rf"^  {re.escape(measure)} +\S+$", text, re.M), measure
        assert re.search(r"^conditions \(\d+\)$", text, re.M)
        limited = flowsmith("eval", ROOT / "examples/online-shop.flow.md", "--limit", "5", "--kind", "next").stdout.decode()
        assert ": 1 file, 5 questions (next 5)," in limited and "next step (5)" in limited and "conditions" not in limited
        draft = flowsmith("eval", ROOT / "examples/online-shop.flow.md", "--kind", "draft", check=False)
        assert draft.returncode == 64 and b"drafts have no single right answer" in draft.stderr
        # ... and the help offers only what it measures.
        assert "(values: next, conditions)" in flowsmith("help", "eval").stdout.decode()
        missing = flowsmith("eval", tmp_path / "nowhere", check=False)
        assert missing.returncode == 1 and b"no such file or folder" in missing.stderr
    finally:
        os.environ.clear()
        os.environ.update(old)


@pytest.mark.parametrize("args,message", [
    (["exprot", "f.flow.md"], "flowsmith: unknown command 'exprot'; did you mean 'export'?"),
    (["exprot"], "flowsmith: unknown command 'exprot'; did you mean 'export'?"),
    (["chek", "x.flow.md"], "flowsmith: unknown command 'chek'; did you mean 'check'?"),
    (["Export", "x"], "flowsmith: unknown command 'Export'; did you mean 'export'?"),
    (["zzz"], "flowsmith: 'zzz' is neither a command"),
    (["edit", "notes"], "flowsmith: no file notes; a new flow's name ends in .md, or start it with: flowsmith edit --new notes"),
])
def test_a_mistyped_command_is_named_and_no_file_is_made(tmp_path, args, message):
    proc = subprocess.run([str(BIN), *args], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 64
    assert proc.stderr.startswith(message), proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_edit_new_and_md_names_still_start_new_flows(tmp_path):
    # Without a terminal the editor stops before drawing, but only after accepting the name.
    for args in (["edit", "--new", "notes"], ["new.flow.md"], ["edit", "new.md"]):
        proc = subprocess.run([str(BIN), *args], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
        assert proc.returncode == 1 and "needs a terminal" in proc.stderr, (args, proc.stderr)


def test_option_values_in_any_letter_case(tmp_path):
    proc = flowsmith("export", ROOT / "examples/crm-zh.flow.md", "--format", "MERMAID", "--direction", "lr")
    assert proc.stdout.decode().startswith("flowchart LR")
    proc = flowsmith("suggest", ROOT / "examples/crm-zh.flow.md", "--at", "1.2", "--kind", "Conditions", "--engine", "LOCAL")
    assert proc.stdout.decode().strip()


def test_export_text_draws_every_use_case_in_the_width_asked(tmp_path):
    path = ROOT / "examples/crm-zh.flow.md"
    text = flowsmith("export", path, "--format", "text").stdout.decode()
    # A Chinese document's own words are Chinese (its endings are written so).
    assert "用例 1：系统登录" in text and "用例 2：查询客户信息" in text
    assert "◆─▶ 2a. 验证码过期" in text and "✓ 成功" in text and "✗ 失败" in text and "↩ 回到第2步" in text
    narrow = flowsmith("export", path, "--format", "text", "--width", "50", "--ascii").stdout.decode()
    in_labels = set(path.read_text()) | set("用例：继续")
    drawing = "".join(c for c in narrow if c not in in_labels or c.isascii())
    assert all(ord(c) < 128 for c in drawing), {c for c in drawing if ord(c) >= 128}
    assert "*-> 2a." in narrow and "(ok) 成功" in narrow

    def width(line):
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
    assert max(width(l) for l in narrow.splitlines()) <= 50
    # The editor's :export writes the same drawing.
    out = tmp_path / "d.txt"
    flowsmith("export", path, "--format", "TEXT", "-o", out)
    assert out.read_text() == text


def test_export_never_replaces_the_flow_it_exports_nor_another_flow(tmp_path):
    src = tmp_path / "shop.flow.md"
    original = (ROOT / "examples/online-shop.flow.md").read_bytes()
    src.write_bytes(original)
    (tmp_path / "link.mmd").symlink_to(src)
    for target in [src, tmp_path / "link.mmd", tmp_path / "." / "shop.flow.md"]:
        for extra in [[], ["--force"]]:
            proc = flowsmith("export", src, "--format", "mermaid", "-o", target, *extra, check=False)
            assert proc.returncode == 1 and b"is the flow being exported" in proc.stderr, proc.stderr
            assert src.read_bytes() == original
    # Another flow is replaced only with --force; an earlier export is replaced as -o does.
    other = tmp_path / "other.flow.md"
    other.write_text("## Keep\n\n1. keep me\n")
    proc = flowsmith("export", src, "--format", "dot", "-o", other, check=False)
    assert proc.returncode == 1 and b"already exists: --force replaces it" in proc.stderr, proc.stderr
    assert other.read_text() == "## Keep\n\n1. keep me\n"
    flowsmith("export", src, "--format", "dot", "-o", other, "--force")
    assert other.read_text().startswith("digraph")
    out = tmp_path / "shop.mmd"
    out.write_text("flowchart TD\n  subgraph u1[\"Old\"]\n  end\n")
    flowsmith("export", src, "--format", "mermaid", "-o", out)
    assert out.read_text().startswith("flowchart")
    # Nor anything else someone wrote, whatever its name: an outline, a script, a Markdown file
    # under another name (a title underlined with =). An empty file holds nothing to lose.
    for name, text in [("outline.txt", "* Log in\n- User enters the name\n"), ("script.py", "print('hi')\n"),
                       ("doc.txt", "Title\n=====\n\nSome notes.\n"), ("notes.md.txt", "notes\n"),
                       # Files in the exports' own languages, written by hand.
                       ("main.c", "// main program\nint main() {}\n"), ("calc.m", "%% MATLAB cell\nx = 1\n"),
                       ("mine.dot", "digraph G { a -> b }\n"), ("mine.mmd", "flowchart LR\n  a --> b\n"),
                       ("mytests.robot", "*** Settings ***\nLibrary    Browser\n")]:
        kept = tmp_path / name
        kept.write_text(text)
        proc = flowsmith("export", src, "--format", "robot", "-o", kept, check=False)
        assert proc.returncode == 1 and b"already exists: --force replaces it" in proc.stderr, (name, proc.stderr)
        assert kept.read_text() == text
    (tmp_path / "empty.robot").write_text("")
    flowsmith("export", src, "--format", "robot", "-o", tmp_path / "empty.robot")
    # What no force could write is said as it is.
    (tmp_path / "dir").mkdir()
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    for target, said in [(tmp_path / "dir", b"is a directory: give a file name"), (tmp_path / "loop", b"leads round in a loop")]:
        proc = flowsmith("export", src, "-o", target, check=False)
        assert proc.returncode == 1 and said in proc.stderr, proc.stderr
    # Nor a document someone wrote: Markdown by its name, or a flow (a Markdown heading first)
    # under any name, also through a link. An earlier export of each format is replaced.
    (tmp_path / "README.md").write_text("Notes\n")
    (tmp_path / "plain").write_bytes(original)
    (tmp_path / "notes.txt").write_text("\ufeff\n  # Meeting notes\n")
    (tmp_path / "via-link").symlink_to(tmp_path / "plain")
    for name in ["README.md", "plain", "notes.txt", "via-link"]:
        before = (tmp_path / name).read_bytes()
        proc = flowsmith("export", src, "--format", "text", "-o", tmp_path / name, check=False)
        assert proc.returncode == 1 and b"already exists: --force replaces it" in proc.stderr, (name, proc.stderr)
        assert (tmp_path / name).read_bytes() == before
    for fmt in ["text", "mermaid", "dot", "robot"]:
        earlier = tmp_path / f"earlier.{fmt}"
        flowsmith("export", src, "--format", fmt, "-o", earlier)
        flowsmith("export", src, "--format", fmt, "-o", earlier)
    # Standard output sent into the flow itself (1<> opens it without cutting it short, >> appends),
    # with -o - or without -o; nor is a check's report, or a dataset, written into what it reads.
    for args, mode, said in [(["export", src, "-o", "-"], "r+b", b"standard output is the flow being exported"),
                             (["export", src], "ab", b"standard output is the flow being exported"),
                             (["check", src], "r+b", b"being checked: send the report elsewhere"),
                             (["dataset", src, "-o", "-"], "ab", b"is the file read as")]:
        with open(src, mode) as into:
            proc = subprocess.run([str(BIN), *map(str, args)], stdout=into, stderr=subprocess.PIPE, timeout=60)
        assert proc.returncode in (1, 64) and said in proc.stderr, (args, proc.stderr)
        assert src.read_bytes() == original
    proc = flowsmith("export", src, "-o", "", check=False)
    assert proc.returncode == 1 and b'"": is no file name: give the name of a file to write' in proc.stderr, proc.stderr
    flowsmith("export", src, "--format", "text", "-o", tmp_path / "plain", "--force")
    assert not (tmp_path / "plain").read_text().startswith("#")


def test_dataset_and_batch_file_never_write_over_what_they_read_or_a_flow(tmp_path):
    flows = tmp_path / "flows"
    flows.mkdir()
    for name in ["online-shop", "hr-onboarding"]:
        (flows / f"{name}.flow.md").write_bytes((ROOT / "examples" / f"{name}.flow.md").read_bytes())
    before = {p: p.read_bytes() for p in flows.iterdir()}
    (tmp_path / "alias.jsonl").symlink_to(flows / "online-shop.flow.md")
    refused = [
        (["dataset", flows, "-o", flows / "online-shop.flow.md"], "is one of the files read"),
        (["dataset", flows, "-o", tmp_path / "alias.jsonl"], "is the file read as"),
        (["dataset", flows, "-o", tmp_path / "t.jsonl", "--validation-out", flows / "hr-onboarding.flow.md"], "is one of the files read"),
        (["dataset", flows, "-o", tmp_path / "same.jsonl", "--validation-out", tmp_path / "same.jsonl"], "is given twice"),
        (["dataset", flows, "-o", tmp_path / "new.flow.md"], "named like a flow"),
        (["eval", flows, "--model", "echo", "--limit", "5", "--batch-file", flows / "online-shop.flow.md"], "is one of the files read"),
    ]
    for args, message in refused:
        proc = flowsmith(*args, check=False)
        assert proc.returncode == 64 and message in proc.stderr.decode(), (args, proc.stderr)
    assert {p: p.read_bytes() for p in flows.iterdir()} == before
    assert not (tmp_path / "same.jsonl").exists() and not (tmp_path / "new.flow.md").exists()
    flowsmith("dataset", flows, "-o", tmp_path / "ok.jsonl", "--validation-split", "0.2")
    assert (tmp_path / "ok.jsonl").read_text().startswith('{"messages"')
    # An earlier dataset is replaced; a file of anything else only with --force.
    flowsmith("dataset", flows, "-o", tmp_path / "ok.jsonl", "--validation-split", "0.2")
    notes = tmp_path / "notes.txt"
    notes.write_text("* Log in\n- User enters the name\n")
    for args in [["-o", notes], ["-o", tmp_path / "t2.jsonl", "--validation-out", notes]]:
        proc = flowsmith("dataset", flows, *args, check=False)
        assert proc.returncode == 64 and 'exists and is no file flowsmith wrote (it starts "* Log in"): give another name, or --force replaces it' in proc.stderr.decode(), proc.stderr
        assert notes.read_text() == "* Log in\n- User enters the name\n"
    flowsmith("dataset", flows, "-o", notes, "--force")
    assert notes.read_text().startswith('{"messages"')
    mine = tmp_path / "mine.jsonl"
    mine.write_text('{"my": "data"}\n')
    proc = flowsmith("dataset", flows, "-o", mine, check=False)
    assert proc.returncode == 64 and b"is no file flowsmith wrote" in proc.stderr, proc.stderr


def test_suggest_answers_the_kind_asked_or_says_why_not(tmp_path):
    flow = ROOT / "examples" / "online-shop.flow.md"
    env_home = {"HOME": str(tmp_path)}
    for args, message in [(["--at", "1.2", "--kind", "draft"], "give the use case's number"),
                          (["--at", "1", "--kind", "conditions"], "give a step")]:
        proc = subprocess.run([str(BIN), "suggest", flow, *args, "--engine", "local"], capture_output=True, text=True,
                              env={**os.environ, **env_home}, timeout=120)
        assert proc.returncode == 64 and message in proc.stderr and proc.stdout == "", proc.stderr + proc.stdout


def test_suggest_takes_a_place_as_the_editor_says_it(tmp_path):
    flow = ROOT / "examples" / "online-shop.flow.md"
    env = {**os.environ, "HOME": str(tmp_path)}
    ask = lambda at: subprocess.run([str(BIN), "suggest", flow, "--at", at, "--engine", "local"], capture_output=True,
                                    text=True, env=env, timeout=120)
    same = ask("1.2")
    assert same.returncode == 0 and same.stdout, same.stderr
    for at in ["UC 1 · 2", "uc1·2", "UC 1.2", " 1 . 2 "]:
        got = ask(at)
        assert (got.returncode, got.stdout) == (0, same.stdout), (at, got.stderr)
    for at, message in [("step 2", "step 2 is no place in the flow; places look like 1.3"),
                        ("UC 9 · 1", "no use case 9 (there are "), ("1.99", "no step 99 in use case 1")]:
        got = ask(at)
        assert got.returncode != 0 and message in got.stderr and got.stdout == "", (at, got.stderr)


def test_a_theme_the_config_names_but_nobody_has_is_said_with_its_line(tmp_path):
    (tmp_path / "cfg/flowsmith").mkdir(parents=True)
    config = tmp_path / "cfg/flowsmith/config"
    config.write_text("# mine\ntheme = nosuch\n")
    proc = subprocess.run([str(BIN), tmp_path / "x.flow.md"], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env={**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}, timeout=60)
    assert proc.returncode == 1 and proc.stderr.startswith(f"flowsmith: {config}:2: no theme \"nosuch\""), proc.stderr


def test_a_theme_with_mistakes_is_said_whole_and_listed_as_such(tmp_path):
    themes = tmp_path / "themes"
    themes.mkdir()
    (themes / "mine.theme").write_text("cursor = red blinking\nusecase = bold\nnosuch = red\nghost = on\n")
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "FLOWSMITH_THEMES": str(themes)}
    def run(theme):
        return subprocess.run([str(BIN), "--theme", theme, tmp_path / "x.flow.md"], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, env=env, timeout=60)
    proc = run("mine")
    lines = proc.stderr.splitlines()
    assert proc.returncode == 1 and [l.split(": ")[1] for l in lines] == [f"{themes}/mine.theme:{n}" for n in (1, 3, 4)], lines
    proc = run("nosuch")
    assert proc.returncode == 1 and "mine (has mistakes), monochrome" in proc.stderr, proc.stderr
    assert f"looked for in {themes}, " in proc.stderr and not (tmp_path / "x.flow.md").exists(), proc.stderr


def test_help_for_a_command_that_is_not_there_is_a_mistake():
    proc = flowsmith("help", "nosuch", check=False)
    assert proc.returncode == 64 and b"no command 'nosuch' to help with" in proc.stderr, proc.stderr
    assert flowsmith("help", "export").returncode == 0


def test_every_commands_help_reads_as_prose():
    """Each command's overview and discussion wrap as prose: no run of spaces inside a line
    (a paragraph break written as spaces reads as a hole), every command listed has its help."""
    top = flowsmith("help").stdout.decode()
    commands = re.findall(r"^  ([a-z][a-z-]+)\s", top.split("SUBCOMMANDS:")[1], re.M)
    assert {"edit", "export", "eval", "dataset", "finetune"} <= set(commands), top
    for name in commands:
        text = flowsmith("help", name).stdout.decode()
        prose = text.split("USAGE:")[0]
        holes = [line for line in prose.splitlines() if re.search(r"\S {3,}\S", line)]
        assert not holes, f"flowsmith help {name}: {holes}"


def test_numbers_out_of_range_are_usage_mistakes(tmp_path):
    flow = ROOT / "examples" / "online-shop.flow.md"
    for args, said in [(["export", flow, "-f", "text", "--width", "10"], "--width 10: the text diagram needs at least 24 columns"),
                       (["export", flow, "-f", "text", "--width", "0"], "--width 0:"),
                       (["suggest", flow, "--at", "1.2", "-n", "0"], "-n 0: ask for 1 to 20 suggestions"),
                       (["suggest", flow, "--at", "1.2", "-n", "21"], "-n 21:"),
                       (["dataset", flow, "-o", tmp_path / "d.jsonl", "--suggestions", "15"], "--suggestions 15: the editor asks for 1 to 9"),
                       (["dataset", flow, "-o", tmp_path / "d.jsonl", "--suggestions", "0"], "--suggestions 0:")]:
        proc = subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "HOME": str(tmp_path)})
        assert proc.returncode == 64 and said in proc.stderr and proc.stdout == "", (args, proc.stderr)
    proc = subprocess.run([str(BIN), "suggest", flow, "--at", "1.2", "-n", "5", "--engine", "local"], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})
    assert proc.returncode == 0 and 1 <= len(proc.stdout.splitlines()) <= 5, proc.stderr


def test_a_mistaken_timeout_or_retry_count_is_said_once(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
           "FLOWSMITH_CONNECT_TIMEOUT_MS": "-5", "FLOWSMITH_MAX_RETRIES": "abc"}
    proc = subprocess.run([str(BIN), "suggest", ROOT / "examples" / "online-shop.flow.md", "--at", "1.2"], capture_output=True,
                          text=True, timeout=120, env=env)
    lines = proc.stderr.splitlines()
    assert [l for l in lines if "FLOWSMITH_CONNECT_TIMEOUT_MS=-5 is not a whole number of 1 or more" in l] == [lines[0]], proc.stderr
    assert sum("FLOWSMITH_MAX_RETRIES=abc" in l for l in lines) == 1, proc.stderr
