"""The OpenAI-compatible client against a loopback server speaking the wire format: plain and
streamed answers, every fault the client must turn into a clear message, and the key's safety.
The official `openai` SDK reads the fake server too, which proves the fake speaks the real format."""
import os
import re
import time

import openai
import pytest

from conftest import ROOT, flowsmith
from fake_openai import Fake

KEY = "sk-test-0123456789abcdefSECRET"


@pytest.fixture
def fake():
    f = Fake()
    yield f
    f.close()


def suggest(fake, model, *extra, env=None, tmp=None):
    e = {"OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": KEY, "FLOWSMITH_MODEL": model,
         "HOME": str(tmp), "XDG_CONFIG_HOME": str(tmp), "FLOWSMITH_STALL_TIMEOUT_MS": "800",
         "FLOWSMITH_FIRST_BYTE_TIMEOUT_MS": "800"}
    e.update(env or {})
    old = dict(os.environ)
    os.environ.update(e)
    try:
        return flowsmith("suggest", ROOT / "examples/crm-zh.flow.md", "--at", "1.2", *extra, check=False)
    finally:
        os.environ.clear()
        os.environ.update(old)


def out(proc):
    return proc.stdout.decode(), proc.stderr.decode()


def test_the_sdk_reads_the_fake_server(fake):
    client = openai.OpenAI(base_url=fake.url, api_key=KEY, max_retries=0)
    plain = client.chat.completions.create(model="stream", messages=[{"role": "user", "content": "x"}])
    assert plain.choices[0].message.content == "A\nB"
    streamed = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
        model="stream", messages=[{"role": "user", "content": "x"}], stream=True) if c.choices)
    assert streamed == "1. 系统记录访问来源。\n2. System shows the home page.\n- 系统发送登录通知\n"
    listed = [m.id for m in client.models.list()]
    assert listed[:2] == ["m1", "m2"] and "stream" in listed and "echo-429" in listed


def test_streamed_suggestions_split_anywhere(fake, tmp_path):
    stdout, stderr = out(suggest(fake, "stream", "--no-fallback", tmp=tmp_path))
    assert stdout.splitlines() == ["系统记录访问来源。", "System shows the home page.", "系统发送登录通知"], stderr
    req = fake.requests[-1]
    assert req["headers"]["Authorization"] == f"Bearer {KEY}"
    assert req["body"]["stream"] is True and req["body"]["messages"][0]["role"] == "system"
    prompt = req["body"]["messages"][1]["content"]
    assert "系统校验图形验证码" in prompt
    # The document's other use cases come first, as the author's own wording, within a budget.
    assert "Other use cases in this document" in prompt and "Use case: 查询客户信息" in prompt
    assert prompt.index("查询客户信息") < prompt.index("The use case to work on:\nUse case: 系统登录")
    assert len(prompt) < 3000


def test_eval_asks_a_remote_engine_every_question(fake, tmp_path):
    flow = tmp_path / "home.flow.md"
    flow.write_text("## Open the site\n\n1. Visitor opens the site.\n2. System shows the home page.\n"
                    "3. Visitor chooses a product.\n")
    e = {"OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": KEY, "FLOWSMITH_MODEL": "stream",
         "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    old = dict(os.environ)
    os.environ.update(e)
    try:
        proc = flowsmith("eval", flow, "--show", "5", check=False)
    finally:
        os.environ.clear()
        os.environ.update(old)
    stdout, stderr = out(proc)
    assert proc.returncode == 0, stderr
    assert fake.counts["stream"] == 2
    # The fake always answers the same three lines; the second of them is right after step 1.
    assert "next step (2)" in stdout and re.search(r"^  accuracy@1 +0\.0%$", stdout, re.M)
    assert re.search(r"^  hit@3 +50\.0%$", stdout, re.M)
    assert "author: System shows the home page." in stdout
    assert KEY not in stdout + stderr

    # A server that refuses every request measured nothing: the exit status says so, with its reason.
    os.environ.update({**e, "FLOWSMITH_MODEL": "unauthorized"})
    try:
        proc = flowsmith("eval", flow, "--show", "5", check=False)
    finally:
        os.environ.clear()
        os.environ.update(old)
    stdout, stderr = out(proc)
    assert proc.returncode == 1 and re.search(r"^  failed +2$", stdout, re.M)
    # --show marks each question that failed, with why, rather than showing it unanswered.
    assert len(re.findall(r"^  failed: .*401", stdout, re.M)) == 2, stdout
    assert "every question failed" in stderr and "401" in stderr, stderr
    assert KEY not in stdout + stderr


def test_escape_sequences_split_across_chunks_never_reach_the_output(fake, tmp_path):
    stdout, _ = out(suggest(fake, "escape", "--no-fallback", tmp=tmp_path))
    assert stdout.splitlines() == ["System shows the warning", "System logs it"]
    assert "\x1b" not in stdout and "\u202e" not in stdout


@pytest.mark.parametrize("model,code,message", [
    ("unauthorized", 1, "HTTP 401: Incorrect API key provided: [key]. You can find your API key at the dashboard. (check the API key: OPENAI_API_KEY, or api-key in the config file)"),
    ("quota", 1, "HTTP 429: You exceeded your current quota (the account is out of credit)"),
    ("bad-request", 1, "HTTP 400: Invalid value for 'temperature'"),
    ("error-event", 1, "the server stopped the answer with an error: The model is overloaded mid-stream"),
    ("truncated", 1, "the answer stopped before it was complete (no [DONE])"),
    ("stall", 1, "timed out: the answer stalled for 0.8 s (FLOWSMITH_STALL_TIMEOUT_MS sets how long, in milliseconds)"),
    ("slow", 1, "timed out: no answer within 0.8 s (FLOWSMITH_FIRST_BYTE_TIMEOUT_MS sets how long, in milliseconds)"),
    ("huge", 1, "the answer was larger than 1024 KiB and was cut off"),
    ("redirect", 1, "HTTP 302: the server redirected to https://login.example.com/v1/chat/completions, which is not followed: check the base URL (http or https, and the /v1 at its end)"),
    ("vllm-error", 1, "HTTP 400: This model's maximum context length is 2048 tokens"),
    ("crlf-error", 1, "HTTP 400: Invalid request. Please check the model name."),
])
def test_faults_end_in_a_clear_message(fake, tmp_path, model, code, message):
    start = time.monotonic()
    proc = suggest(fake, model, "--no-fallback", tmp=tmp_path)
    stdout, stderr = out(proc)
    assert proc.returncode == code and stdout == ""
    assert stderr.strip() == f"flowsmith: {message}"
    assert KEY not in stderr and KEY[-12:] not in stderr
    assert time.monotonic() - start < 10
    if model in ("unauthorized", "quota", "bad-request"):
        assert fake.counts[model] == 1          # never retried


@pytest.mark.parametrize("model,expected", [
    # A whole answer whose stream ends without [DONE], and one not streamed at all, are taken.
    ("no-done", ["System confirms the order.", "System sends a receipt."]),
    ("ignores-stream", ["System confirms the order.", "System sends a receipt."]),
    # The chat around a list, a reasoning model's thinking, and a line too long to be a step
    # (cut short it would put a "…" in the document) are no suggestions.
    ("chatty", ["System confirms the order.", "System sends a receipt.", "Clerk files the order."]),
    ("thinking", ["System sends a receipt.", "Clerk files the order."]),
    ("overlong", ["System sends a receipt."]),
])
def test_what_is_not_a_suggestion_is_left_out(fake, tmp_path, model, expected):
    proc = suggest(fake, model, "--no-fallback", tmp=tmp_path)
    stdout, stderr = out(proc)
    assert proc.returncode == 0 and stdout.splitlines() == expected, (stdout, stderr)


def test_an_answer_with_nothing_in_it_is_a_failure_said_and_fallen_back_from(fake, tmp_path):
    proc = suggest(fake, "empty", "--no-fallback", tmp=tmp_path)
    stdout, stderr = out(proc)
    assert proc.returncode == 1 and stdout == "" and stderr.strip() == "flowsmith: the model answered nothing"
    proc = suggest(fake, "empty", tmp=tmp_path)
    stdout, stderr = out(proc)
    assert proc.returncode == 0 and stdout.strip() != "", stderr
    assert "the model answered nothing" in stderr and "local" in stderr


def test_an_answer_that_only_repeats_is_a_failure_said_and_fallen_back_from(fake, tmp_path):
    proc = suggest(fake, "repeats", "--no-fallback", tmp=tmp_path)
    stdout, stderr = out(proc)
    assert proc.returncode == 1 and stdout == "", (stdout, stderr)
    assert stderr.strip() == "flowsmith: the model's suggestions all repeat what is already there", stderr
    proc = suggest(fake, "repeats", tmp=tmp_path)
    stdout, stderr = out(proc)
    assert proc.returncode == 0 and stdout.strip() != "" and "repeat what is already there" in stderr, (stdout, stderr)


def test_a_servers_words_never_reach_the_terminal_raw_and_an_html_page_is_its_title(fake, tmp_path):
    proc = suggest(fake, "escape-401", "--no-fallback", tmp=tmp_path)
    _, stderr = out(proc)
    assert proc.returncode == 1 and "bad key" in stderr
    assert "\x1b" not in stderr and "\x07" not in stderr and "\u202e" not in stderr, repr(stderr)
    proc = suggest(fake, "html-502", "--no-fallback", tmp=tmp_path)
    _, stderr = out(proc)
    assert stderr.startswith("flowsmith: HTTP 502: 502 Bad Gateway"), stderr
    assert "<" not in stderr and len(stderr) < 400, stderr


def test_a_key_with_a_line_break_inside_is_refused_and_one_around_it_dropped(fake, tmp_path):
    proc = suggest(fake, "stream", "--no-fallback", tmp=tmp_path, env={"OPENAI_API_KEY": "sk-abc\r\nX-Injected: yes"})
    _, stderr = out(proc)
    assert proc.returncode == 1 and "line break" in stderr and "X-Injected" not in stderr, stderr
    assert all("X-Injected" not in r["headers"] for r in fake.requests)
    # A blank is never part of a key either (two words pasted): refused, not sent.
    sent = len(fake.requests)
    proc = suggest(fake, "stream", "--no-fallback", tmp=tmp_path, env={"OPENAI_API_KEY": "sk-abc def"})
    _, stderr = out(proc)
    assert proc.returncode == 1 and "holds a blank" in stderr and len(fake.requests) == sent, stderr
    proc = suggest(fake, "stream", "--no-fallback", tmp=tmp_path, env={"OPENAI_API_KEY": KEY + "\r\n"})
    assert proc.returncode == 0, out(proc)
    assert fake.requests[-1]["headers"]["Authorization"] == f"Bearer {KEY}"


def test_a_wait_of_seconds_before_trying_again_is_said(fake, tmp_path):
    proc = suggest(fake, "rate-one-second", "--no-fallback", tmp=tmp_path)
    stdout, stderr = out(proc)
    assert proc.returncode == 0 and len(stdout.splitlines()) == 3, stderr
    assert stderr.strip() == "flowsmith: rate limited: trying again in 1 s (try 2)", stderr


def test_retries_what_may_succeed(fake, tmp_path):
    stdout, stderr = out(suggest(fake, "rate-then-ok", "--no-fallback", tmp=tmp_path))
    assert len(stdout.splitlines()) == 3 and fake.counts["rate-then-ok"] == 2, stderr
    stdout, stderr = out(suggest(fake, "flaky", "--no-fallback", tmp=tmp_path))
    assert len(stdout.splitlines()) == 3 and fake.counts["flaky"] == 3, stderr


def test_connection_refused_and_fallback_to_local(tmp_path):
    fake = Fake()
    url = fake.url
    fake.close()
    env = {"OPENAI_BASE_URL": url, "OPENAI_API_KEY": KEY, "FLOWSMITH_MODEL": "m", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path), "FLOWSMITH_MAX_RETRIES": "1"}
    old = dict(os.environ)
    os.environ.update(env)
    try:
        strict = flowsmith("suggest", ROOT / "examples/crm-zh.flow.md", "--at", "1.2", "--no-fallback", check=False)
        assert strict.returncode == 1
        assert "cannot reach the server" in strict.stderr.decode() and url in strict.stderr.decode()
        fallback = flowsmith("suggest", ROOT / "examples/crm-zh.flow.md", "--at", "1.2", check=False)
        assert fallback.returncode == 0 and len(fallback.stdout.decode().splitlines()) == 3
        assert "showing local suggestions" in fallback.stderr.decode()
    finally:
        os.environ.clear()
        os.environ.update(old)


def test_key_in_a_readable_config_file_is_refused(fake, tmp_path):
    cfg = tmp_path / "flowsmith"
    cfg.mkdir()
    (cfg / "config").write_text(f"engine = openai\napi-key = {KEY}\n")
    os.chmod(cfg / "config", 0o644)
    proc = suggest(fake, "stream", "--no-fallback", env={"OPENAI_API_KEY": ""}, tmp=tmp_path)
    assert "other users can read it" in proc.stderr.decode() and KEY not in proc.stderr.decode()
    assert "Authorization" not in fake.requests[-1]["headers"]
    os.chmod(cfg / "config", 0o600)
    proc = suggest(fake, "stream", "--no-fallback", env={"OPENAI_API_KEY": ""}, tmp=tmp_path)
    assert proc.returncode == 0
    assert fake.requests[-1]["headers"]["Authorization"] == f"Bearer {KEY}"


def test_models_lists_what_the_server_offers(fake, tmp_path):
    old = dict(os.environ)
    os.environ.update({"OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": KEY, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)})
    try:
        listed = flowsmith("models").stdout.decode().splitlines()
        assert listed[:2] == ["m1", "m2"] and "stream" in listed
    finally:
        os.environ.clear()
        os.environ.update(old)


def test_the_prompt_carries_similar_use_cases_from_the_trained_library(fake, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "team.flow.md").write_text(
        "## Approve a purchase request\n\n1. Requester submits the purchase request in Quillbox.\n"
        "2. Quillbox routes the request to the budget holder.\n3. Budget holder approves the request in Quillbox.\n\n"
        "## Archive old invoices\n\n1. Clerk selects the invoices older than seven years.\n2. System moves them to the archive.\n")
    flow = tmp_path / "mine.flow.md"
    flow.write_text("## Approve a purchase order\n\n1. Buyer submits the purchase order.\n")
    e = {"OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": KEY, "FLOWSMITH_MODEL": "stream",
         "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    old = dict(os.environ)
    os.environ.update(e)
    try:
        flowsmith("train", lib, "--no-corpus")
        proc = flowsmith("suggest", flow, "--at", "1.1", "--no-fallback", check=False)
    finally:
        os.environ.clear()
        os.environ.update(old)
    assert proc.returncode == 0, proc.stderr.decode()
    prompt = fake.requests[-1]["body"]["messages"][1]["content"]
    assert "Similar use cases from the team's library" in prompt
    assert "Use case: Approve a purchase request\n1. Requester submits the purchase request in Quillbox." in prompt
    assert prompt.index("Approve a purchase request") < prompt.index("The use case to work on:\nUse case: Approve a purchase order")
    assert len(prompt) < 3000
