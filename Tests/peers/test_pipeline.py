"""From flows to a better model, end to end against the loopback server: dataset → finetune →
eval, with jobs and batches that succeed, fail with a platform error and get cancelled, and the
editor's suggestions coming from the fine-tuned model afterwards."""
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import threading
import time

import pytest

from conftest import BIN, ROOT, flowsmith
from fake_openai import Fake
from tmux_driver import Tmux

KEY = "sk-test-0123456789abcdefSECRET"


@pytest.fixture
def fake():
    f = Fake()
    yield f
    f.close()


def env_for(fake, tmp_path, **extra):
    e = dict(os.environ)
    for name in ("OPENAI_BASE_URL", "OPENAI_API_BASE", "OPENAI_API_KEY", "FLOWSMITH_MODEL"):
        e.pop(name, None)
    e.update({"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_DATA_HOME": str(tmp_path / "data"),
              "XDG_STATE_HOME": str(tmp_path / "state"), "LANG": "C.UTF-8"})
    if fake is not None:
        e.update({"OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": KEY})
    e.update(extra)
    return e


def run(env, *args, timeout=300):
    proc = subprocess.run([str(BIN), *map(str, args)], env=env, capture_output=True, timeout=timeout)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def examples_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


FLOW = """# Purchasing

## Raise a purchase order

- Primary actor: Buyer

1. Buyer selects the supplier.
2. Buyer enters the items and the quantities.
3. System checks the budget.
   - 3a. The budget is exhausted:
     1. System rejects the order.
     - End: failure.
4. Approver approves the order.
5. System sends the order to the supplier.

## Receive the goods

1. Storekeeper scans the delivery note.
2. System matches the delivery to the order.
3. Storekeeper books the goods into stock.
"""


# -- dataset

def test_dataset_uses_the_engines_own_prompt_and_splits_by_use_case(fake, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "purchasing.flow.md").write_text(FLOW)
    (lib / "outline.txt").write_text("Onboard a hire\n\tHR creates the account\n\tIT issues the laptop\n\tManager assigns a buddy\n")
    for ex in (ROOT / "examples").glob("*.flow.md"):
        shutil.copy(ex, lib / ex.name)
    e = env_for(fake, tmp_path)
    code, out, err = run(e, "dataset", lib, "-o", tmp_path / "train.jsonl", "--validation-split", "0.3", "--seed", "7")
    assert code == 0, err
    train, valid = examples_jsonl(tmp_path / "train.jsonl"), examples_jsonl(tmp_path / "train.validation.jsonl")
    assert train and valid
    assert re.search(r"next\s+\d+\s+\d+", out) and "draft" in out and "conditions" in out
    assert re.search(r"training tokens ~\d+", out) and "$" in out
    # Chat format: system, user, assistant, non-empty.
    for ex in train + valid:
        roles = [m["role"] for m in ex["messages"]]
        assert roles == ["system", "user", "assistant"] and all(m["content"].strip() for m in ex["messages"])

    def use_case(ex):
        return re.findall(r"^Use case: (.*)$", ex["messages"][1]["content"], re.M)[-1]
    assert not {use_case(x) for x in train} & {use_case(x) for x in valid}, "a use case on both sides"
    # The outline is read too.
    assert any("Onboard a hire" == use_case(x) for x in train + valid)

    # --check estimates the same tokens for the file that dataset wrote (without the split).
    code, whole, err = run(e, "dataset", lib, "-o", tmp_path / "whole.jsonl", "--seed", "7")
    written = int(re.search(r"training tokens ~(\d+)", whole).group(1))
    code, checked, err = run(e, "dataset", "--check", tmp_path / "whole.jsonl")
    assert code == 0 and f"~{written} tokens" in checked, (whole, checked)

    # Deterministic for a seed; another seed gives another order.
    run(e, "dataset", lib, "-o", tmp_path / "again.jsonl", "--validation-split", "0.3", "--seed", "7")
    assert (tmp_path / "again.jsonl").read_bytes() == (tmp_path / "train.jsonl").read_bytes()
    run(e, "dataset", lib, "-o", tmp_path / "other.jsonl", "--validation-split", "0.3", "--seed", "8")
    assert (tmp_path / "other.jsonl").read_bytes() != (tmp_path / "train.jsonl").read_bytes()

    # Exactly what the engine sends: ask the server at the end of step 2 of a flow cut there, and
    # find that request, word for word, as a training example answered with the author's step 3.
    cut = tmp_path / "cut.flow.md"
    cut.write_text(FLOW.replace("3. System checks the budget.\n   - 3a. The budget is exhausted:\n     1. System rejects the order.\n"
                                "     - End: failure.\n4. Approver approves the order.\n5. System sends the order to the supplier.\n", ""))
    code, _, err = run(env_for(fake, tmp_path, FLOWSMITH_MODEL="echo"), "suggest", cut, "--at", "1.2", "--no-fallback")
    assert code == 0, err
    sent = [r for r in fake.requests if r["path"] == "/v1/chat/completions"][-1]["body"]["messages"]
    code, _, err = run(e, "dataset", tmp_path / "cut.flow.md", lib / "purchasing.flow.md", "-o", tmp_path / "p.jsonl", "--kinds", "next")
    matching = [x for x in examples_jsonl(tmp_path / "p.jsonl") if x["messages"][:2] == sent]
    assert matching, "no example holds the engine's prompt"
    assert matching[0]["messages"][2]["content"] == "System checks the budget."


def test_dataset_deduplicates_warns_below_the_minimum_and_checks_files(tmp_path):
    e = env_for(None, tmp_path)
    (tmp_path / "a.flow.md").write_text(FLOW)
    (tmp_path / "b.flow.md").write_text(FLOW)
    code, out, err = run(e, "dataset", tmp_path / "a.flow.md", tmp_path / "b.flow.md", "-o", tmp_path / "t.jsonl", "--kinds", "draft")
    assert code == 0, err
    assert "(2 duplicates dropped)" in out
    assert len(examples_jsonl(tmp_path / "t.jsonl")) == 2
    assert "at least 10" in err
    # --check on a good file, then on a broken one: FILE:LINE: message for every problem.
    code, out, _ = run(e, "dataset", "--check", tmp_path / "t.jsonl")
    assert code == 0 and "2 examples" in out
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages":[{"role":"user","content":"hi"}]}\n'
                   '{"messages": [\n'
                   '\n'
                   '{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"},{"role":"user","content":"again"}]}\n'
                   '{"messages":[{"role":"robot","content":"x"},{"role":"assistant","content":""}]}\n'
                   '{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}\n')
    code, out, err = run(e, "dataset", "--check", bad)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"{bad}:1: no assistant message: nothing to learn"
    assert lines[1].startswith(f"{bad}:2: not valid JSON: column ")
    assert lines[2] == f"{bad}:3: an empty line; every line must be one example"
    assert lines[3] == f"{bad}:4: the last message must be the assistant's (it is user)"
    assert f"{bad}:5: message 1 has the role \"robot\"" in out and f"{bad}:5: message 2 (assistant) has empty content" in out
    assert f"{bad}:6" not in out


# -- fine-tuning

def dataset(tmp_path, env):
    code, _, err = run(env, "dataset", ROOT / "examples", "-o", tmp_path / "train.jsonl", "--validation-split", "0.2")
    assert code == 0, err
    return tmp_path / "train.jsonl", tmp_path / "train.validation.jsonl"


def test_finetune_succeeds_and_use_makes_it_the_model(fake, tmp_path):
    e = env_for(fake, tmp_path)
    (tmp_path / "cfg/flowsmith").mkdir(parents=True)
    config = tmp_path / "cfg/flowsmith/config"
    config.write_text("# my settings\ntheme = light\nmodel = gpt-4o-mini\n\n[keys]\ndelete = dd\n")
    train, valid = dataset(tmp_path, e)
    code, out, err = run(e, "finetune", train, "--validation", valid, "--base-model", "base-ok", "--suffix", "crm",
                         "--epochs", "2", "--poll", "0.05", "--use")
    assert code == 0, err
    model = re.search(r"succeeded: (ft:base-ok:flowsmith:crm:\w+)", out).group(1)
    # One line per event without a terminal, in order.
    assert out.index("Validating training file") < out.index("Fine-tuning job started") < out.index("Step 3/3") < out.index("succeeded:")
    uploads = [r for r in fake.requests if r["path"] == "/v1/files" and "form" in r]
    assert [u["form"]["purpose"] for u in uploads] == ["fine-tune", "fine-tune"]
    assert [f for f, _ in fake.uploads] == ["train.jsonl", "train.validation.jsonl"]
    assert fake.uploads[0][1] == train.read_bytes()
    create = [r for r in fake.requests if r["path"] == "/v1/fine_tuning/jobs" and "body" in r][-1]["body"]
    assert create["model"] == "base-ok" and create["suffix"] == "crm" and create["hyperparameters"] == {"n_epochs": 2}
    assert create["validation_file"] == "file-2"
    # The config keeps everything else, and now names the model.
    text = config.read_text()
    assert text == f"# my settings\ntheme = light\nmodel = {model}\nengine = openai\n\n[keys]\ndelete = dd\n"
    code, out, err = run(e, "suggest", ROOT / "examples/crm-zh.flow.md", "--at", "1.2", "--no-fallback")
    assert code == 0, err
    assert out.splitlines()[0] == "Fine-tuned model checks the order."
    # The job can be looked at afterwards.
    job = re.search(r"job (ftjob-\d+) created", out + run(e, "finetune", "--list")[1]) or re.search(r"(ftjob-\d+)", run(e, "finetune", "--list")[1])
    jid = job.group(1)
    code, out, _ = run(e, "finetune", "--status", jid)
    assert code == 0 and "succeeded" in out and model in out
    code, out, _ = run(e, "finetune", "--events", jid)
    assert code == 0 and "The job has successfully completed" in out.splitlines()[-1]


@pytest.mark.parametrize("base, words", [
    ("base-fail", "The job failed due to an invalid training file"),
    ("base-missing", "The model `base-missing` does not exist"),
])
def test_finetune_platform_errors_are_shown(fake, tmp_path, base, words):
    e = env_for(fake, tmp_path)
    train, _ = dataset(tmp_path, e)
    # (--allow-unlisted: the server is asked to fine-tune base-missing, which it does not list.)
    code, out, err = run(e, "finetune", train, "--base-model", base, "--poll", "0.05", "--use", "--allow-unlisted")
    assert code == 1
    assert words in err
    assert not (tmp_path / "cfg/flowsmith/config").exists(), "a failed job must not change the config"
    assert KEY not in out + err


def test_finetune_refuses_a_base_model_the_server_does_not_list_before_uploading(fake, tmp_path):
    e = env_for(fake, tmp_path)
    train, _ = dataset(tmp_path, e)
    # A typo: the listed names nearest to it are offered.
    code, out, err = run(e, "finetune", train, "--base-model", "base-okk", "--poll", "0.05")
    assert code == 1 and not fake.uploads and not fake.jobs
    assert "the server does not list the model base-okk (did you mean base-ok" in err
    assert "--allow-unlisted" in err and KEY not in out + err
    # Nothing near: some of what it lists.
    code, _, err = run(e, "finetune", train, "--base-model", "gpt-9-ultra", "--poll", "0.05")
    assert code == 1 and not fake.uploads
    assert "the server does not list the model gpt-9-ultra (it lists " in err
    # A server with no model list (404) is no reason to refuse.
    fake.lists_models = False
    code, out, err = run(e, "finetune", train, "--base-model", "base-unlisted", "--poll", "0.05")
    assert code == 0 and fake.uploads, err


def test_finetune_refuses_a_bad_file_before_uploading_and_reports_the_platforms_minimum(fake, tmp_path):
    e = env_for(fake, tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages":[{"role":"user","content":"hi"}]}\n')
    code, _, err = run(e, "finetune", bad, "--base-model", "base-ok", "--poll", "0.05")
    assert code == 1 and f"{bad}:1: no assistant message" in err
    assert not fake.uploads
    # Fewer examples than the platform takes: refused before uploading; for a platform that takes
    # fewer it can be asked for (this one then fails the job, as OpenAI does, and says why).
    small = tmp_path / "small.jsonl"
    small.write_text('{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}\n' * 3)
    code, _, err = run(e, "finetune", small, "--base-model", "base-ok", "--poll", "0.05")
    assert code == 1 and "3 examples; fine-tuning platforms need at least 10" in err, err
    assert not fake.uploads
    code, _, err = run(e, "finetune", small, "--base-model", "base-ok", "--poll", "0.05", "--allow-few")
    assert code == 1 and "Training file has 3 example(s), but must have at least 10 examples" in err
    assert [f for f, _ in fake.uploads] == ["small.jsonl"]


def test_a_retried_upload_never_stores_the_file_twice(fake, tmp_path):
    e = env_for(fake, tmp_path, FLOWSMITH_CONNECT_TIMEOUT_MS="2000")
    train, _ = dataset(tmp_path, e)
    dropped = tmp_path / "drop-once.jsonl"
    shutil.copy(train, dropped)
    code, out, err = run(e, "finetune", dropped, "--base-model", "base-ok", "--poll", "0.05")
    assert code == 0, err
    # The answer was lost; the client found the stored file in the list instead of sending it again.
    assert [f for f, _ in fake.uploads] == ["drop-once.jsonl"]
    assert len([r for r in fake.requests if r["path"] == "/v1/files" and "form" in r]) == 1
    assert any(r["path"].startswith("/v1/files?purpose=fine-tune") for r in fake.requests)
    assert "uploaded drop-once.jsonl as file-1" in out and "succeeded" in out


def test_a_large_upload_streams_from_disk(fake, tmp_path):
    e = env_for(fake, tmp_path)
    line = json.dumps({"messages": [{"role": "user", "content": "x" * 900}, {"role": "assistant", "content": "y"}]}) + "\n"
    big = tmp_path / "big.jsonl"
    with big.open("w") as f:
        for _ in range(24_000):      # ~22 MB
            f.write(line)
    code, out, err = run(e, "finetune", big, "--base-model", "base-ok", "--poll", "0.05")
    assert code == 0, err
    assert fake.uploads[0][1] == big.read_bytes()


def test_ctrl_c_without_a_terminal_leaves_the_job_running_and_says_how_to_follow_it(fake, tmp_path):
    e = env_for(fake, tmp_path)
    train, _ = dataset(tmp_path, e)
    proc = subprocess.Popen([str(BIN), "finetune", str(train), "--base-model", "base-slow", "--poll", "0.05"],
                            env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(r["path"].startswith("/v1/fine_tuning/jobs/ftjob-1/events") for r in fake.requests):
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert "left running; follow it with: flowsmith finetune --follow ftjob-1" in out.decode()
    code, out, _ = run(e, "finetune", "--status", "ftjob-1")
    assert "running" in out
    code, out, _ = run(e, "finetune", "--cancel", "ftjob-1")
    assert code == 0 and "cancelled" in out


def test_ctrl_c_on_a_terminal_asks_and_cancels_the_remote_job(fake, tmp_path):
    e = env_for(fake, tmp_path)
    train, _ = dataset(tmp_path, e)
    env = {k: e[k] for k in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "OPENAI_BASE_URL", "OPENAI_API_KEY", "LANG")}
    cmd = " ".join(shlex.quote(str(a)) for a in [BIN, "finetune", train, "--base-model", "base-slow", "--poll", "0.1"])
    # The shell traps Ctrl-C (which reaches the whole foreground group) so as to stay and report.
    t = Tmux(f"sh -c {shlex.quote('trap true INT; ' + cmd + '; echo EXIT=$?; sleep 60')}", width=100, height=20, env=env, cwd=tmp_path)
    try:
        t.wait_for("ftjob-1  running", timeout=30)
        assert "Fine-tuning job started" in t.screen()
        t.keys("C-c")
        t.wait_for("Cancel job ftjob-1 on the server? [y/N]")
        t.keys("y", "Enter")
        t.wait_for("EXIT=130")
        assert "cancelled ftjob-1" in t.screen()
    finally:
        t.close()
    assert "cancelled" in run(e, "finetune", "--status", "ftjob-1")[1]


# -- evaluation

def test_eval_side_by_side_with_a_baseline_and_json(tmp_path):
    e = env_for(None, tmp_path)
    code, out, err = run(e, "eval", ROOT / "examples", "--engine", "local,baseline", "--json")
    assert code == 0, err
    j = json.loads(out)
    for engine in ("local", "baseline"):
        for kind in ("next", "conditions"):
            m = j["engines"][engine][kind]
            assert set(m) >= {"accuracy_at_1", "hit_at_k", "precision", "recall", "f1", "near_at_k", "cases"}
            assert 0 <= m["f1"] <= 1 and m["cases"] == j["questions"][kind]
    assert j["engines"]["local"]["next"]["f1"] > j["engines"]["baseline"]["next"]["f1"]
    code, out, err = run(e, "eval", ROOT / "examples", "--engine", "local,baseline")
    assert code == 0, err
    header = out.splitlines()[1].split()
    assert header == ["local", "baseline"]
    for row in ("accuracy@1", "hit@3", "precision", "recall", "F1", "near@3"):
        assert re.search(rf"^  {re.escape(row)}\s+\S+\s+\S+$", out, re.M), row


def test_eval_never_lets_the_local_model_see_the_use_case_it_is_asked(tmp_path):
    """Steps found nowhere else: the author's exact words can only come back if the model learned
    the held-out use case."""
    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(4):
        (lib / f"f{i}.flow.md").write_text(f"## Zorblax case {i}\n\n1. Zorblax{i} opens the quux{i} hatch.\n"
                                           f"2. Zorblax{i} polishes the quux{i} lens.\n3. Zorblax{i} closes the quux{i} hatch.\n")
    e = env_for(None, tmp_path)
    code, out, err = run(e, "eval", lib, "--engine", "local,baseline", "--no-corpus", "--json", "--folds", "4")
    assert code == 0, err
    j = json.loads(out)
    assert j["engines"]["local"]["next"]["hit_at_k"] == 0 and j["engines"]["baseline"]["next"]["hit_at_k"] == 0
    # Asked as a separate test set that repeats a learned file: still never seen.
    test = tmp_path / "test"
    test.mkdir()
    shutil.copy(lib / "f0.flow.md", test / "f0.flow.md")
    code, out, err = run(e, "eval", lib, "--test", test, "--engine", "local", "--no-corpus", "--json")
    assert code == 0, err
    assert json.loads(out)["engines"]["local"]["next"]["hit_at_k"] == 0
    # A model that did learn the use case finds the words: the check above can fail.
    code, _, err = run(e, "train", lib, "--no-corpus")
    assert code == 0, err
    (tmp_path / "probe.flow.md").write_text("## Zorblax case 0\n\n1. Zorblax0 opens the quux0 hatch.\n")
    code, out, err = run(e, "suggest", tmp_path / "probe.flow.md", "--at", "1.1", "--engine", "local")
    assert code == 0 and "Zorblax0 polishes the quux0 lens." in out.splitlines(), out + err


def test_eval_gives_up_at_once_on_a_server_that_is_down_and_scores_nothing(tmp_path):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{s.getsockname()[1]}/v1"
    s.close()     # nothing listens there: every connection is refused
    e = env_for(None, tmp_path, OPENAI_BASE_URL=url, OPENAI_API_KEY=KEY)
    for extra in [[], ["--batch"]]:
        start = time.monotonic()
        code, out, err = run(e, "eval", ROOT / "examples", "--engine", "openai,baseline", "--model", "echo", "--limit", "40", *extra,
                             timeout=60)
        assert code == 1 and "every question failed: cannot reach the server" in err, err
        assert time.monotonic() - start < 20, "it retried every question against a server that is down"
        # The engine that answered nothing has no scores, only its failures.
        assert re.search(r"^  F1\s+-\s+0\.\d{3}$", out, re.M) and re.search(r"^  failed\s+\d+\s+0$", out, re.M), out
        assert KEY not in out + err


def test_eval_stops_asking_a_server_that_fails_every_question_and_says_why(fake, tmp_path):
    """A server that answers 500 to everything: after a few questions in a row fail (each after
    its retries), the rest are not asked, and the reason is said."""
    e = env_for(fake, tmp_path)
    start = time.monotonic()
    code, out, err = run(e, "eval", ROOT / "examples", "--engine", "openai", "--model", "server-error", "--limit", "40",
                         timeout=120)
    assert code == 1 and re.search(r"every question failed \(\d+ not asked after failures in a row\): .*HTTP 500", err), err
    assert fake.counts["server-error"] < 100, fake.counts["server-error"]   # 40 questions × 4 tries were 160
    assert time.monotonic() - start < 60


def test_eval_says_why_some_questions_failed(fake, tmp_path):
    e = env_for(fake, tmp_path)
    code, out, err = run(e, "eval", ROOT / "examples", "--engine", "openai", "--model", "empty", "--limit", "6")
    assert code == 1 and "every question failed: the model answered nothing" in err, err
    code, out, err = run(e, "eval", ROOT / "examples", "--engine", "openai", "--model", "half-empty", "--limit", "6",
                         "--concurrency", "1")
    assert code == 0 and re.search(r"half-empty: 3 of 6 questions failed \(counted as unanswered\), the first: the model answered nothing", err), err


def test_eval_show_names_the_engine_and_keeps_json_whole(tmp_path):
    e = env_for(None, tmp_path)
    code, out, err = run(e, "eval", ROOT / "examples", "--engine", "local,baseline", "--show", "2", "--json")
    assert code == 0, err
    assert set(json.loads(out)["engines"]) == {"local", "baseline"}
    assert re.search(r"^\[next · local\] ", err, re.M) and re.search(r"^\[next · baseline\] ", err, re.M), err


def test_eval_compares_models_and_honours_429(fake, tmp_path):
    e = env_for(fake, tmp_path)
    code, out, err = run(e, "eval", ROOT / "examples", "--engine", "local,openai", "--model", "echo", "--model", "echo-429",
                         "--concurrency", "4", "--limit", "40", "--json")
    assert code == 0, err
    j = json.loads(out)
    assert list(j["engines"]) == ["local", "echo", "echo-429"]
    assert j["engines"]["echo"]["next"] == {**j["engines"]["echo-429"]["next"], "cases": j["engines"]["echo"]["next"]["cases"]}
    assert j["engines"]["echo-429"]["next"]["failed"] == 0
    assert fake.counts["echo-429"] > 40, "the server's 429s were not retried"


def test_eval_batch_runs_on_the_platform_and_scores_like_direct_requests(fake, tmp_path):
    e = env_for(fake, tmp_path)
    args = ["eval", ROOT / "examples", "--engine", "openai", "--model", "echo", "--limit", "30", "--json"]
    code, direct, err = run(e, *args)
    assert code == 0, err
    code, batched, err = run(e, *args, "--batch", "--poll", "0.05")
    assert code == 0, err
    d, b = json.loads(direct), json.loads(batched)
    for kind in d["questions"]:
        assert d["engines"]["echo"][kind] == b["engines"]["echo"][kind]
    upload = [r for r in fake.requests if r["path"] == "/v1/files" and "form" in r][-1]
    assert upload["form"]["purpose"] == "batch"
    create = [r for r in fake.requests if r["path"] == "/v1/batches" and "body" in r][-1]["body"]
    assert create["endpoint"] == "/v1/chat/completions" and create["completion_window"] == "24h"


def test_batch_file_and_results_run_unchanged_elsewhere(fake, tmp_path):
    e = env_for(fake, tmp_path)
    common = ["eval", ROOT / "examples", "--engine", "openai", "--model", "echo", "--limit", "20"]
    code, out, err = run(e, *common, "--batch-file", tmp_path / "in.jsonl")
    assert code == 0, err
    lines = [json.loads(l) for l in (tmp_path / "in.jsonl").read_text().splitlines()]
    assert len(lines) == 20 and len({l["custom_id"] for l in lines}) == 20
    assert all(l["method"] == "POST" and l["url"] == "/v1/chat/completions" and l["body"]["model"] == "echo" for l in lines)
    assert not any(r["path"].startswith("/v1/chat") for r in fake.requests), "--batch-file must not ask anything"
    # Run the lines elsewhere (here: one by one against the server) and write a results file,
    # in another order, with one failed line, as vLLM's run-batch or the platform would.
    import openai
    client = openai.OpenAI(base_url=fake.url, api_key=KEY, max_retries=0)
    results = []
    for i, l in enumerate(reversed(lines)):
        if i == 0:
            results.append({"id": "r0", "custom_id": l["custom_id"], "response": {"status_code": 500, "body": {"error": {"message": "GPU fell over"}}}, "error": None})
            continue
        reply = client.chat.completions.create(**l["body"])
        results.append({"id": f"r{i}", "custom_id": l["custom_id"], "response": {"status_code": 200, "body": reply.model_dump()}, "error": None})
    (tmp_path / "out.jsonl").write_text("".join(json.dumps(r) + "\n" for r in results))
    code, out, err = run(e, "eval", ROOT / "examples", "--limit", "20", "--batch-results", tmp_path / "out.jsonl", "--json")
    assert code == 0, err
    j = json.loads(out)
    scored = j["engines"]["echo"]
    assert sum(scored[k]["failed"] for k in j["questions"]) == 1
    assert "GPU fell over" in json.dumps(scored)
    # Results from other questions are refused, not scored wrongly.
    code, out, err = run(e, "eval", ROOT / "examples", "--limit", "25", "--batch-results", tmp_path / "out.jsonl")
    assert code == 1 and "answer questions not asked here" in err
    # A results file that does not read is said as FILE:LINE: what is wrong.
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(results[0]) + "\n{not json\n")
    code, out, err = run(e, "eval", ROOT / "examples", "--limit", "20", "--batch-results", bad)
    assert code == 1 and err.startswith(f"flowsmith: {bad}:2: "), err


def test_a_failed_batch_and_a_cancelled_one(fake, tmp_path):
    e = env_for(fake, tmp_path)
    code, out, err = run(e, "eval", ROOT / "examples", "--model", "batch-fail", "--limit", "5", "--batch", "--poll", "0.05")
    assert code == 1 and "batch_1 failed" in err and "The model `batch-fail` does not exist" in err
    proc = subprocess.Popen([str(BIN), "eval", str(ROOT / "examples"), "--model", "batch-slow", "--limit", "5", "--batch", "--poll", "0.05"],
                            env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(r["path"] == "/v1/batches/batch_2" for r in fake.requests):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130 and "batch batch_2 left running" in err.decode()
    import openai
    client = openai.OpenAI(base_url=fake.url, api_key=KEY, max_retries=0)
    assert client.batches.retrieve("batch_2").status == "in_progress"


def test_ctrl_c_on_a_terminal_cancels_a_batch(fake, tmp_path):
    e = env_for(fake, tmp_path)
    env = {k: e[k] for k in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "OPENAI_BASE_URL", "OPENAI_API_KEY", "LANG")}
    cmd = " ".join(shlex.quote(str(a)) for a in [BIN, "eval", ROOT / "examples", "--model", "batch-slow", "--limit", "6",
                                                  "--batch", "--poll", "0.1"])
    t = Tmux(f"sh -c {shlex.quote('trap true INT; ' + cmd + '; echo EXIT=$?; sleep 60')}", width=100, height=20, env=env, cwd=tmp_path)
    try:
        t.wait_for("batch batch_1 in_progress", timeout=30)
        t.keys("C-c")
        t.wait_for("Cancel batch batch_1 on the server? [y/N]")
        t.keys("y", "Enter")
        t.wait_for("EXIT=130")
        assert "cancelled batch batch_1" in t.screen()
    finally:
        t.close()
    import openai
    client = openai.OpenAI(base_url=fake.url, api_key=KEY, max_retries=0)
    assert client.batches.retrieve("batch_1").status in ("cancelling", "cancelled")


def test_the_editor_suggests_from_the_fine_tuned_model(fake, tmp_path):
    e = env_for(fake, tmp_path)
    train, _ = dataset(tmp_path, e)
    code, out, err = run(e, "finetune", train, "--base-model", "base-ok", "--poll", "0.05", "--use")
    assert code == 0, err
    shutil.copy(ROOT / "examples/crm-zh.flow.md", tmp_path / "crm.flow.md")
    env = {k: e[k] for k in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "OPENAI_BASE_URL", "OPENAI_API_KEY", "LANG")}
    cmd = " ".join(shlex.quote(str(a)) for a in [BIN, "crm.flow.md"])
    t = Tmux(f"sh -c {shlex.quote(cmd + '; echo EXIT=$?; sleep 60')}", width=100, height=30, env=env, cwd=tmp_path)
    try:
        t.wait_for("系统登录")
        t.keys("j", "j", "s")
        t.wait_for("Fine-tuned model checks the order.  (1/3)", timeout=15)
        t.keys("Tab")
        t.wait_for("    3. Fine-tuned model checks the order.")
        t.keys("u", "q")
        t.wait_for("EXIT=0")
    finally:
        t.close()
    chat = [r for r in fake.requests if r["path"] == "/v1/chat/completions"]
    assert chat and chat[-1]["body"]["model"].startswith("ft:base-ok:flowsmith:")


def test_following_a_job_outlasts_server_trouble_and_says_each_line_as_it_comes(fake, tmp_path):
    # Every other look at the job fails with a 500, past the client's own retries (none here).
    e = env_for(fake, tmp_path, FLOWSMITH_MAX_RETRIES="0")
    train, _ = dataset(tmp_path, e)
    code, out, err = run(e, "finetune", train, "--base-model", "base-flaky", "--poll", "0.05")
    assert code == 0 and "succeeded: ft:base-flaky" in out, err
    assert "server trouble (1 in a row), trying again: HTTP 500" in err, err
    # A rate limit waited out before the job is created is said, not sat through in silence.
    code, out2, err2 = run(env_for(fake, tmp_path), "finetune", train, "--base-model", "base-busy", "--poll", "0.05")
    assert code == 0 and "rate limited: trying again in 1 s (try 2)" in err2, err2
    # A successful job without --use says what to do with the model.
    assert "next: compare it with the base model: flowsmith eval FLOWS --engine local,openai" in out
    # Into a pipe, each line is there as soon as it is said: the job's id before the job ends.
    proc = subprocess.Popen([str(BIN), "finetune", str(train), "--base-model", "base-slow", "--poll", "0.05", "--use"],
                            env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        first = []
        reader = threading.Thread(target=lambda: first.extend(proc.stdout.readline() for _ in range(2)), daemon=True)
        reader.start()
        reader.join(timeout=30)
        assert proc.poll() is None and any(b"created: fine-tuning base-slow" in line for line in first), first
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    # The way to follow it again keeps --use, so the model still becomes the editor's.
    assert re.search(rb"left running; follow it with: flowsmith finetune --follow ftjob-\d+ --use", rest), rest


@pytest.mark.parametrize("args, words", [
    (["finetune", "T", "--base-model", "base-ok", "--poll", "0"], "--poll 0.0: give at least 0.05 seconds"),
    (["finetune", "T", "--base-model", "base-ok", "--epochs", "0"], "--epochs 0: give 1 or more"),
    (["finetune", "T", "--base-model", "base-ok", "--validation", "T"], "is the training file: the training and validation files must differ"),
    (["eval", "E", "-k", "0"], "-k 0: give 1 or more"),
    (["eval", "E", "--concurrency", "0"], "--concurrency 0: give 1 or more"),
    (["eval", "E", "--limit", "0"], "--limit 0: give 1 or more"),
    (["eval", "E", "--show=-1"], "--show -1: give 0 or more"),
    (["eval", "E", "--engine", "local", "--model", "gpt-4o-mini"], "asks none: add openai (--engine local,openai)"),
    (["eval", "E", "--batch", "--poll", "0"], "--poll 0.0: give at least 0.05 seconds"),
    (["eval", "E", "--batch-id", "batch_1"], "--batch-id follows a batch: give --batch too"),
])
def test_numbers_that_would_measure_nothing_or_flood_the_server_are_refused(fake, tmp_path, args, words):
    e = env_for(fake, tmp_path)
    train = tmp_path / "t.jsonl"
    train.write_text('{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}\n' * 12)
    args = [train if a == "T" else ROOT / "examples" if a == "E" else a for a in args]
    code, _, err = run(e, *args)
    assert code == 64 and words in err, err
    assert not fake.requests, "nothing may be sent"


def test_an_expired_batch_is_scored_for_what_it_answered_and_one_left_running_can_be_followed_later(fake, tmp_path):
    e = env_for(fake, tmp_path)
    code, out, err = run(e, "eval", ROOT / "examples", "--model", "batch-expire", "--limit", "6", "--batch", "--poll", "0.05", "--json")
    assert code == 0, err
    assert "batch batch_1 expired with 2 of 6 requests done: scoring what it answered; the rest count as failed" in err, err
    j = json.loads(out)["engines"]["batch-expire"]
    assert sum(j[k]["failed"] for k in j if isinstance(j[k], dict) and "failed" in j[k]) == 4
    # A batch created elsewhere (or left running at Ctrl-C) is followed and scored by its id.
    code, _, err = run(e, "eval", ROOT / "examples", "--engine", "openai", "--model", "echo", "--limit", "8",
                       "--batch-file", tmp_path / "in.jsonl")
    assert code == 0, err
    import openai
    client = openai.OpenAI(base_url=fake.url, api_key=KEY, max_retries=0)
    uploaded = client.files.create(file=(tmp_path / "in.jsonl").open("rb"), purpose="batch")
    made = client.batches.create(input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h")
    code, out, err = run(e, "eval", ROOT / "examples", "--engine", "openai", "--model", "echo", "--limit", "8",
                         "--batch", "--batch-id", made.id, "--poll", "0.05")
    assert code == 0, err
    assert "next step (" in out and "failed" not in out, out
    # Without a terminal, the batch's progress is said when it changes, not at every look.
    progress = [l for l in err.splitlines() if l.startswith(f"flowsmith: batch {made.id}: ")]
    assert len(progress) >= 2 and all(a != b for a, b in zip(progress, progress[1:])), err
    assert len([r for r in fake.requests if r["path"] == "/v1/batches" and "body" in r]) == 2, "no batch may be created"


def test_the_table_fits_a_terminal_with_fine_tuned_model_names(fake, tmp_path):
    e = env_for(fake, tmp_path)
    tuned = "ft:gpt-4o-mini-2024-07-18:acme:wind2:b301b0"
    code, out, err = run(e, "eval", ROOT / "examples", "--engine", "local,openai", "--model", "echo", "--model", tuned,
                         "--model", tuned.replace("wind2", "wind3"), "--limit", "6")
    assert code == 0, err
    rows = [l for l in out.splitlines() if l.startswith("  ") or l.startswith(" " * 16)]
    assert rows and all(len(l) <= 80 for l in rows), out
    # Each model is told apart by the end of its name, and named whole under the table.
    assert re.search(r"…\S*wind2:b301b0 ", out) and re.search(r"…\S*wind3:b301b0", out), out
    assert f"{tuned}: " in out


def test_a_model_the_server_does_not_list_is_said_before_asking(fake, tmp_path):
    e = env_for(fake, tmp_path)
    code, out, err = run(e, "eval", ROOT / "examples", "--model", "echo", "--limit", "3")
    assert code == 0 and "does not list" not in err, err
    code, out, err = run(e, "eval", ROOT / "examples", "--model", "ft:echo:acme:x:1", "--limit", "3")
    assert "warning: the server does not list the model ft:echo:acme:x:1 (it lists m1, m2, " in err, err


def test_dataset_says_each_mistake_once_and_what_comes_next(tmp_path):
    e = env_for(None, tmp_path)
    code, out, err = run(e, "dataset", tmp_path / "nope", "-o", tmp_path / "x.jsonl")
    assert code == 1 and err.count("no such file or folder") == 1, err
    (tmp_path / "empty").mkdir()
    code, out, err = run(e, "dataset", tmp_path / "empty", "-o", tmp_path / "x.jsonl")
    assert code == 1 and "no flows in" in err and "give .flow.md files" in err, err
    # Never more held out than the share asked: 0.5 of 7 use cases is 3.
    flows = tmp_path / "seven"
    flows.mkdir()
    (flows / "s.flow.md").write_text("".join(f"## Use case {u}\n\n1. Clerk opens case {u}.\n2. System shows case {u}.\n\n" for u in range(7)))
    code, out, err = run(e, "dataset", flows, "-o", tmp_path / "t.jsonl", "--validation-split", "0.5", "--kinds", "draft")
    assert code == 0, err
    assert re.search(r"wrote \S+t\.jsonl \(4\) and \S+t\.validation\.jsonl \(3\)", out), out
    assert f"next: flowsmith finetune {tmp_path / 't.jsonl'} --validation {tmp_path / 't.validation.jsonl'} --base-model MODEL" in out


def test_several_models_batches_run_side_by_side(fake, tmp_path):
    e = env_for(fake, tmp_path)
    code, out, err = run(e, "eval", ROOT / "examples", "--model", "echo", "--model", "stream", "--limit", "6",
                         "--batch", "--poll", "0.05", "--json")
    assert code == 0, err
    assert set(json.loads(out)["engines"]) == {"echo", "stream"}
    creates = [i for i, r in enumerate(fake.requests) if r["path"] == "/v1/batches" and "body" in r]
    first_done = max(i for i, r in enumerate(fake.requests) if r["path"] == "/v1/batches/batch_1")
    assert len(creates) == 2 and creates[1] < first_done, "the second batch waited for the first"
    code, _, err = run(e, "eval", ROOT / "examples", "--model", "echo", "--model", "stream", "--batch", "--batch-id", "batch_1")
    assert code == 64 and "give one --model" in err
