"""The fake OpenAI server's Files, Fine-tuning and Batch APIs, read by the official `openai` SDK:
if the SDK parses every answer into its own types, the fake speaks the real wire format. These
tests need no built binary; they pin down the behaviour the flowsmith client is tested against
(the poll-driven progress of jobs and batches, the model names that pick a failure, the faults)."""
import http.client
import json
import socket

import openai
import pytest

from fake_openai import CONDITIONS_TEXT, FINE_TUNED_TEXT, Fake

KEY = "sk-test"


@pytest.fixture
def fake():
    f = Fake()
    yield f
    f.close()


@pytest.fixture
def client(fake):
    return openai.OpenAI(base_url=fake.url, api_key=KEY, max_retries=0)


def examples(n):
    """A fine-tuning file of n chat examples."""
    return "".join(json.dumps({"messages": [
        {"role": "system", "content": "You write use case steps."},
        {"role": "user", "content": f"Steps so far:\n1. Customer opens order {i}."},
        {"role": "assistant", "content": "System checks the order."}]}) + "\n" for i in range(n)).encode()


def upload(client, tmp_path, name, data, purpose="fine-tune"):
    path = tmp_path / name
    path.write_bytes(data)
    with open(path, "rb") as f:
        return client.files.create(file=f, purpose=purpose)


def poll_job(client, job_id, polls=20):
    """Statuses of successive retrieves, until the job ends (or `polls` retrieves)."""
    seen = []
    for _ in range(polls):
        job = client.fine_tuning.jobs.retrieve(job_id)
        seen.append(job.status)
        if job.status in ("succeeded", "failed", "cancelled"):
            break
    return seen, job


def poll_batch(client, batch_id, polls=20):
    seen = []
    for _ in range(polls):
        batch = client.batches.retrieve(batch_id)
        seen.append((batch.status, batch.request_counts.completed + batch.request_counts.failed))
        if batch.status in ("completed", "failed", "expired", "cancelled"):
            break
    return seen, batch


def multipart(filename, content, purpose, boundary="fake-boundary-7d3a"):
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n{purpose}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body


def prompt(steps, ask="Give 3 different candidates for the next step, one per line."):
    lines = ["Use case: Place an order", "Steps so far:"] + [f"{i}. {s}" for i, s in enumerate(steps, 1)] + [ask]
    return [{"role": "system", "content": "You help business analysts."}, {"role": "user", "content": "\n".join(lines)}]


# -- files


def test_files_upload_list_retrieve_content_delete(fake, client, tmp_path):
    data = examples(12)
    f = upload(client, tmp_path, "train.jsonl", data)
    assert (f.object, f.purpose, f.filename, f.bytes, f.status) == ("file", "fine-tune", "train.jsonl", len(data), "processed")
    assert f.id.startswith("file-") and isinstance(f.created_at, int)
    g = upload(client, tmp_path, "requests.jsonl", b'{"x": 1}\n', purpose="batch")
    # The multipart request is recorded by field: values, and the file by its name.
    assert fake.requests[-1]["form"] == {"purpose": "batch", "file": "requests.jsonl"}
    assert fake.uploads == [("train.jsonl", data), ("requests.jsonl", b'{"x": 1}\n')]

    assert [x.id for x in client.files.list()] == [g.id, f.id]  # newest first
    assert [x.id for x in client.files.list(purpose="fine-tune")] == [f.id]
    assert client.files.retrieve(f.id) == f
    content = client.files.content(f.id)
    assert content.content == data and content.response.headers["content-type"] == "application/jsonl"

    deleted = client.files.delete(f.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (f.id, "file", True)
    with pytest.raises(openai.NotFoundError) as e:
        client.files.retrieve(f.id)
    assert e.value.body == {"message": f"No such File object: {f.id}", "type": "invalid_request_error",
                            "param": "id", "code": None}


def test_files_refuse_another_purpose(client, tmp_path):
    with pytest.raises(openai.BadRequestError) as e:
        upload(client, tmp_path, "a.txt", b"hello", purpose="assistants")
    assert e.value.body["param"] == "purpose"


def test_a_chunked_upload_after_100_continue(fake):
    """libcurl may stream an upload: Expect: 100-continue, then a chunked body."""
    kind, body = multipart("streamed.jsonl", examples(2), "fine-tune")
    with socket.create_connection(fake.server.server_address, timeout=5) as s:
        s.sendall(f"POST /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\nContent-Type: {kind}\r\n"
                  "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n".encode())
        assert s.recv(1024).startswith(b"HTTP/1.1 100 Continue\r\n")  # before any byte of the body
        for i in range(0, len(body), 50):
            piece = body[i:i + 50]
            s.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        s.sendall(b"0\r\n\r\n")
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
            reply += s.recv(65536)
    head, _, payload = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert json.loads(payload)["bytes"] == len(examples(2))
    assert fake.uploads == [("streamed.jsonl", examples(2))]


def test_a_lost_upload_response_leaves_the_file_stored_once(fake, client):
    """A "drop-once" file is stored but its first upload is never answered: a client that retries
    must look in the list before uploading again."""
    kind, body = multipart("plan-drop-once.jsonl", examples(10), "fine-tune")
    conn = http.client.HTTPConnection(*fake.server.server_address, timeout=5)
    conn.request("POST", "/v1/files", body=body, headers={"Content-Type": kind, "Authorization": f"Bearer {KEY}"})
    with pytest.raises(http.client.RemoteDisconnected):
        conn.getresponse()
    conn.close()
    listed = [f for f in client.files.list(purpose="fine-tune") if f.filename == "plan-drop-once.jsonl"]
    assert len(listed) == 1 and listed[0].bytes == len(examples(10))
    assert fake.uploads == [("plan-drop-once.jsonl", examples(10))]
    # Only the first upload of that name is dropped.
    conn = http.client.HTTPConnection(*fake.server.server_address, timeout=5)
    conn.request("POST", "/v1/files", body=body, headers={"Content-Type": kind})
    assert conn.getresponse().status == 200
    conn.close()


# -- fine-tuning


def test_a_fine_tuning_job_runs_to_success_one_stage_per_poll(fake, client, tmp_path):
    f = upload(client, tmp_path, "train.jsonl", examples(12))
    job = client.fine_tuning.jobs.create(training_file=f.id, model="base-ok", suffix="orders",
                                         hyperparameters={"n_epochs": 2}, seed=7)
    assert (job.object, job.status, job.model, job.training_file, job.seed) == ("fine_tuning.job", "validating_files", "base-ok", f.id, 7)
    assert job.hyperparameters.n_epochs == 2 and job.hyperparameters.batch_size == "auto"
    assert job.fine_tuned_model is None and job.finished_at is None and job.error is None

    seen, job = poll_job(client, job.id)
    assert seen == ["queued", "running", "running", "running", "running", "succeeded"]
    assert job.fine_tuned_model.startswith("ft:base-ok:flowsmith:orders:")
    assert job.trained_tokens == len(examples(12)) // 4 * 2 and job.finished_at is not None
    assert client.files.retrieve(job.result_files[0]).purpose == "fine-tune-results"

    # The events come newest first; the SDK pages through them with `after`, 2 at a time.
    events = list(client.fine_tuning.jobs.list_events(job.id, limit=2))
    messages = [e.message for e in events]
    assert messages == ["The job has successfully completed", f"New fine-tuned model created: {job.fine_tuned_model}",
                        "Step 3/3: training loss=0.30", "Step 2/3: training loss=0.60", "Step 1/3: training loss=0.90",
                        "Fine-tuning job started", "Files validated, moving job to queued state",
                        f"Validating training file: {f.id}", f"Created fine-tuning job: {job.id}"]
    assert len({e.id for e in events}) == 9 and all(e.object == "fine_tuning.job.event" for e in events)
    assert [e.type for e in events].count("metrics") == 3 and events[2].data["step"] == 3
    assert sum("/events?" in r["path"] and "after=" in r["path"] for r in fake.requests) == 4  # 5 pages

    # The fine-tuned model answers, plainly and streamed.
    reply = client.chat.completions.create(model=job.fine_tuned_model, messages=prompt(["Customer opens the cart."]))
    assert reply.choices[0].message.content == FINE_TUNED_TEXT
    streamed = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
        model=job.fine_tuned_model, messages=prompt(["Customer opens the cart."]), stream=True) if c.choices)
    assert streamed == FINE_TUNED_TEXT


def test_the_method_form_of_hyperparameters(client, tmp_path):
    f = upload(client, tmp_path, "train.jsonl", examples(10))
    job = client.fine_tuning.jobs.create(training_file=f.id, model="base-ok",
                                         method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 4}}})
    assert job.hyperparameters.n_epochs == 4
    assert job.method.type == "supervised" and job.method.supervised.hyperparameters.n_epochs == 4
    seen, job = poll_job(client, job.id)
    assert job.status == "succeeded" and job.fine_tuned_model.startswith("ft:base-ok:flowsmith:custom:")


def test_polling_the_events_advances_the_job_too(client, tmp_path):
    f = upload(client, tmp_path, "train.jsonl", examples(10))
    job = client.fine_tuning.jobs.create(training_file=f.id, model="base-ok")
    for _ in range(6):
        client.fine_tuning.jobs.list_events(job.id, limit=1)  # one first page each: one poll each
    assert client.fine_tuning.jobs.retrieve(job.id).status == "succeeded"


def test_base_fail_fails_once_running(client, tmp_path):
    f = upload(client, tmp_path, "train.jsonl", examples(10))
    job = client.fine_tuning.jobs.create(training_file=f.id, model="base-fail")
    seen, job = poll_job(client, job.id)
    assert seen == ["queued", "running", "failed"]
    assert job.error.code == "invalid_training_file" and job.error.param == "training_file"
    assert job.error.message == ("The job failed due to an invalid training file. Expected file to have JSONL "
                                 "format with prompt/completion keys.")
    assert job.fine_tuned_model is None and job.finished_at is not None
    newest = next(iter(client.fine_tuning.jobs.list_events(job.id)))
    assert (newest.level, newest.message) == ("error", job.error.message)


def test_too_few_examples_fail_at_validation_whatever_the_model(client, tmp_path):
    data = examples(3) + b"not json\n" + b'{"prompt": "p", "completion": "c"}\n'
    f = upload(client, tmp_path, "train.jsonl", data)
    job = client.fine_tuning.jobs.create(training_file=f.id, model="base-ok")
    seen, job = poll_job(client, job.id)
    assert seen == ["failed"]
    assert (job.error.code, job.error.message) == ("invalid_training_file", "Training file has 3 example(s), but must have at least 10 examples")


def test_base_slow_runs_until_cancelled(client, tmp_path):
    f = upload(client, tmp_path, "train.jsonl", examples(10))
    job = client.fine_tuning.jobs.create(training_file=f.id, model="base-slow")
    seen, job = poll_job(client, job.id, polls=10)
    assert seen == ["queued"] + ["running"] * 9
    cancelled = client.fine_tuning.jobs.cancel(job.id)
    assert cancelled.status == "cancelled"
    assert client.fine_tuning.jobs.retrieve(job.id).status == "cancelled"
    assert next(iter(client.fine_tuning.jobs.list_events(job.id))).message == "Fine-tuning job cancelled"
    with pytest.raises(openai.BadRequestError) as e:
        client.fine_tuning.jobs.cancel(job.id)
    assert e.value.body["message"] == f"Job has already completed: {job.id}"
    with pytest.raises(openai.NotFoundError):
        client.fine_tuning.jobs.cancel("ftjob-404")


def test_a_missing_base_model_and_bad_training_files(client, tmp_path):
    f = upload(client, tmp_path, "train.jsonl", examples(10))
    with pytest.raises(openai.NotFoundError) as e:
        client.fine_tuning.jobs.create(training_file=f.id, model="base-missing")
    assert e.value.code == "model_not_found"
    assert e.value.body["message"] == "The model `base-missing` does not exist or you do not have access to it."
    b = upload(client, tmp_path, "requests.jsonl", b"{}\n", purpose="batch")
    for fid in ("file-404", b.id):
        with pytest.raises(openai.BadRequestError) as e:
            client.fine_tuning.jobs.create(training_file=fid, model="base-ok")
        assert e.value.body == {"message": f"invalid training_file: {fid}", "type": "invalid_request_error",
                                "param": "training_file", "code": "invalid_file"}
    with pytest.raises(openai.NotFoundError):
        client.fine_tuning.jobs.retrieve("ftjob-404")


def test_jobs_are_listed_newest_first_page_by_page(client, tmp_path):
    f = upload(client, tmp_path, "train.jsonl", examples(10))
    ids = [client.fine_tuning.jobs.create(training_file=f.id, model="base-ok").id for _ in range(3)]
    first = client.fine_tuning.jobs.list(limit=2)
    assert [j.id for j in first.data] == ids[::-1][:2] and first.has_more
    assert [j.id for j in client.fine_tuning.jobs.list(limit=2)] == ids[::-1]  # auto-pagination


# -- chat scenarios for batches and evaluations


def test_echo_answers_from_the_prompt(client):
    ask = lambda messages: client.chat.completions.create(model="echo", messages=messages).choices[0].message.content
    assert ask(prompt(["Customer opens the cart.", "System shows the total."])) == \
        "System records: System shows the total.\nSystem confirms the request.\nUser closes the form."
    assert ask(prompt(["Customer pays."], ask="Give 3 different conditions that can happen at the last step listed.")) == CONDITIONS_TEXT
    streamed = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
        model="echo", messages=prompt(["Customer pays."]), stream=True) if c.choices)
    assert streamed == "System records: Customer pays.\nSystem confirms the request.\nUser closes the form."


def test_echo_429_refuses_every_third_request_once(fake):
    strict = openai.OpenAI(base_url=fake.url, api_key=KEY, max_retries=0)
    for _ in range(2):
        strict.chat.completions.create(model="echo-429", messages=prompt(["A."]))
    with pytest.raises(openai.RateLimitError) as e:
        strict.chat.completions.create(model="echo-429", messages=prompt(["A."]))
    assert e.value.code == "rate_limit_exceeded" and e.value.response.headers["retry-after-ms"] == "100"
    patient = openai.OpenAI(base_url=fake.url, api_key=KEY, max_retries=2)
    answers = [patient.chat.completions.create(model="echo-429", messages=prompt([f"Step {i}."])).choices[0].message.content
               for i in range(4)]
    assert answers[3].startswith("System records: Step 3.")
    assert fake.counts["echo-429"] == 3 + 5  # the 6th request was refused and retried (as the 7th)


# -- batches


def batch_file(lines):
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def request(custom_id, model, messages, url="/v1/chat/completions"):
    return {"custom_id": custom_id, "method": "POST", "url": url, "body": {"model": model, "messages": messages}}


def test_a_batch_answers_as_direct_requests_do(fake, client, tmp_path):
    asks = {"s1": prompt(["Customer opens the cart."]),
            "s2": prompt(["Customer opens the cart.", "System shows the total."]),
            "c1": prompt(["Customer pays."], ask="Give 3 different conditions that can happen at the last step listed.")}
    lines = [request(cid, "echo", m) for cid, m in asks.items()] + [request("r1", "reject", prompt(["X."]))]
    f = upload(client, tmp_path, "requests.jsonl", batch_file(lines), purpose="batch")
    batch = client.batches.create(input_file_id=f.id, endpoint="/v1/chat/completions", completion_window="24h",
                                  metadata={"run": "eval"})
    assert (batch.object, batch.status, batch.input_file_id, batch.metadata) == ("batch", "validating", f.id, {"run": "eval"})
    assert batch.output_file_id is None and batch.expires_at == batch.created_at + 86400

    seen, batch = poll_batch(client, batch.id)
    # One stage a poll; the 4 requests get done over 3 polls (2, 3, 4 of them).
    assert seen == [("in_progress", 0), ("in_progress", 2), ("in_progress", 3), ("in_progress", 4),
                    ("finalizing", 4), ("completed", 4)]
    assert (batch.request_counts.total, batch.request_counts.completed, batch.request_counts.failed) == (4, 3, 1)
    assert all([batch.in_progress_at, batch.finalizing_at, batch.completed_at]) and batch.errors is None

    output = client.files.retrieve(batch.output_file_id)
    assert output.purpose == "batch_output"
    rows = [json.loads(line) for line in client.files.content(batch.output_file_id).text.splitlines()]
    assert [r["custom_id"] for r in rows] == ["c1", "s2", "s1"]  # not in input order: match on custom_id
    for r in rows:
        assert r["id"].startswith("batch_req_") and r["error"] is None and r["response"]["status_code"] == 200
        body = openai.types.chat.ChatCompletion.model_validate(r["response"]["body"])
        direct = client.chat.completions.create(model="echo", messages=asks[r["custom_id"]])
        assert body.choices[0].message.content == direct.choices[0].message.content
    errors = [json.loads(line) for line in client.files.content(batch.error_file_id).text.splitlines()]
    assert errors == [{"id": errors[0]["id"], "custom_id": "r1", "error": None, "response": {
        "status_code": 400, "request_id": errors[0]["response"]["request_id"],
        "body": {"error": {"message": "The model `reject` does not exist", "type": "invalid_request_error"}}}}]

    with pytest.raises(openai.BadRequestError) as e:
        client.batches.cancel(batch.id)
    assert e.value.body["message"] == "Cannot cancel a batch with status 'completed'."
    assert [b.id for b in client.batches.list(limit=5)] == [batch.id]
    assert fake.counts.get("echo") == 3  # only the direct requests: the batch does not count as live requests


def test_batch_fail_fails_at_validation(client, tmp_path):
    lines = [request(f"r{i}", "batch-fail", prompt(["A."])) for i in range(2)]
    f = upload(client, tmp_path, "requests.jsonl", batch_file(lines), purpose="batch")
    batch = client.batches.create(input_file_id=f.id, endpoint="/v1/chat/completions", completion_window="24h")
    seen, batch = poll_batch(client, batch.id)
    assert seen == [("failed", 0)] and batch.failed_at is not None
    (error,) = batch.errors.data
    assert (error.code, error.param, error.line) == ("model_not_found", "body.model", 1)
    assert error.message == "The model `batch-fail` does not exist or you do not have access to it."


def test_bad_lines_fail_a_batch_with_their_line_numbers(client, tmp_path):
    data = batch_file([request("a", "echo", prompt(["A."])), request("a", "echo", prompt(["B."])),
                       request("b", "echo", prompt(["C."]), url="/v1/embeddings")]) + b"{oops\n"
    f = upload(client, tmp_path, "requests.jsonl", data, purpose="batch")
    batch = client.batches.create(input_file_id=f.id, endpoint="/v1/chat/completions", completion_window="24h")
    batch = client.batches.retrieve(batch.id)
    assert batch.status == "failed"
    assert [(e.code, e.line) for e in batch.errors.data] == [("invalid_request", 2), ("invalid_request", 3), ("invalid_request", 4)]
    with pytest.raises(openai.BadRequestError):
        client.batches.create(input_file_id="file-404", endpoint="/v1/chat/completions", completion_window="24h")
    fine_tune = upload(client, tmp_path, "train.jsonl", examples(10))
    with pytest.raises(openai.BadRequestError):  # a batch's input must have the purpose "batch"
        client.batches.create(input_file_id=fine_tune.id, endpoint="/v1/chat/completions", completion_window="24h")


def test_batch_slow_runs_until_cancelled(client, tmp_path):
    lines = [request("r1", "echo", prompt(["A."])), request("r2", "batch-slow", prompt(["B."]))]
    f = upload(client, tmp_path, "requests.jsonl", batch_file(lines), purpose="batch")
    batch = client.batches.create(input_file_id=f.id, endpoint="/v1/chat/completions", completion_window="24h")
    seen, batch = poll_batch(client, batch.id, polls=8)
    assert seen == [("in_progress", 0)] * 8
    cancelling = client.batches.cancel(batch.id)
    assert cancelling.status == "cancelling" and cancelling.cancelling_at is not None
    batch = client.batches.retrieve(batch.id)
    assert batch.status == "cancelled" and batch.cancelled_at is not None
    assert client.batches.retrieve(batch.id).status == "cancelled"
    with pytest.raises(openai.NotFoundError):
        client.batches.retrieve("batch_404")


def test_every_object_validates_against_the_sdk_types(client, tmp_path):
    """The SDK parses answers leniently; pydantic's model_validate checks every field's type and
    every status literal, at every stage a poll can return."""
    from openai.types import Batch, FileDeleted, FileObject
    from openai.types.fine_tuning import FineTuningJob, FineTuningJobEvent

    raw = lambda call: call.http_response.json()
    f = upload(client, tmp_path, "train.jsonl", examples(10))
    FileObject.model_validate(raw(client.files.with_raw_response.retrieve(f.id)))
    for model in ("base-ok", "base-fail", "base-slow"):
        job = FineTuningJob.model_validate(raw(client.fine_tuning.jobs.with_raw_response.create(training_file=f.id, model=model)))
        for _ in range(7):
            job = FineTuningJob.model_validate(raw(client.fine_tuning.jobs.with_raw_response.retrieve(job.id)))
        if job.status == "running":
            FineTuningJob.model_validate(raw(client.fine_tuning.jobs.with_raw_response.cancel(job.id)))
        events = raw(client.fine_tuning.jobs.with_raw_response.list_events(job.id, limit=100))
        assert events["object"] == "list" and events["has_more"] is False
        for e in events["data"]:
            FineTuningJobEvent.model_validate(e)
    lines = [request("a", "echo", prompt(["A."])), request("b", "reject", prompt(["B."]))]
    b = upload(client, tmp_path, "requests.jsonl", batch_file(lines), purpose="batch")
    batch = Batch.model_validate(raw(client.batches.with_raw_response.create(
        input_file_id=b.id, endpoint="/v1/chat/completions", completion_window="24h")))
    for _ in range(6):
        batch = Batch.model_validate(raw(client.batches.with_raw_response.retrieve(batch.id)))
    assert batch.status == "completed"
    for fid in (batch.output_file_id, batch.error_file_id):
        FileObject.model_validate(raw(client.files.with_raw_response.retrieve(fid)))
    FileDeleted.model_validate(raw(client.files.with_raw_response.delete(b.id)))
