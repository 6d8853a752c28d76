"""A loopback server speaking the OpenAI wire format, with faults on request. The server records
what it received.

Chat: the "model" field of a POST to /v1/chat/completions picks the scenario (an `s_<name>` method
below, "-" read as "_"); a model named "ft:..." answers as a fine-tuned model.

Files, fine-tuning jobs and batches keep their state in the `Fake` object. Nothing happens with
wall time: a job or a batch moves on by one stage each time a client GETs it (see `advance_job` and
`advance_batch`), so a test knows exactly what the n-th poll returns.

Base models of fine-tuning jobs: "base-ok" (and any other name) succeeds, "base-fail" fails once
running, "base-slow" runs until cancelled, "base-missing" does not exist (the one base model that
/v1/models does not list). Any base model fails at
validation when the training file has fewer than 10 chat examples.

Batch request models: "echo" and every other text scenario answer as they do live; "reject" fails
that request; "batch-fail" (every request) fails the batch at validation; "batch-slow" keeps the
batch in progress until cancelled."""
import hashlib
import json
import re
import threading
import time
from email.parser import BytesParser
from email.policy import HTTP as HTTP_POLICY
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def chunk(content, finish=None):
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": 0, "delta": {"content": content} if content is not None else {},
                         "finish_reason": finish}]}


# -- answer texts, shared by live chat requests and the batch runner

FINE_TUNED_TEXT = ("Fine-tuned model checks the order.\nFine-tuned model asks the approver.\n"
                   "Fine-tuned model records the result.\n")
CONDITIONS_TEXT = "The input is invalid\nThe system is unavailable\nThe user cancels"
TERMINAL_ATTACK_LINES = ["1. System shows \x1b]0;PWNED\x07the order form\n",
                         "2. System clears \x1b[2J the shopping cart\n",
                         "3. System copies \x1b]52;c;SGVsbG8=\x07 the order number\n",
                         "4. \u009b31mSystem warns about the stock\n"]
PLAIN_TEXT = "A\nB"  # the plain (not streamed) answer of the default "stream" scenario


def last_user_text(body):
    for m in reversed(body.get("messages") or []):
        if isinstance(m, dict) and m.get("role") == "user":
            content = m.get("content")
            if isinstance(content, list):  # content parts
                return "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
            return content or ""
    return ""


def echo_text(body):
    """A deterministic answer from the prompt, so asking directly and asking in a batch agree."""
    prompt = last_user_text(body)
    if "conditions that can happen" in prompt:
        return CONDITIONS_TEXT
    steps, under = [], False
    for line in prompt.splitlines():
        if line.strip() in ("Steps so far:", "Steps up to the step in question:"):
            under, steps = True, []
            continue
        m = re.match(r"\s*\d+\.\s+(.*)", line)
        if under and m:
            steps.append(m.group(1).strip())
        else:
            under = False
    last = steps[-1] if steps else "the start"
    return f"System records: {last}\nSystem confirms the request.\nUser closes the form."


TEXT_SCENARIOS = {
    "stream": lambda body: PLAIN_TEXT,
    "echo": echo_text,
    "echo-429": echo_text,
    "terminal-attack": lambda body: "".join(TERMINAL_ATTACK_LINES),
}


def scenario_text(model, body):
    """The text a chat scenario answers with; the batch runner uses it for every request. Fault
    scenarios (429s, dropped streams...) have no meaning inside a batch and answer the plain text."""
    if model.startswith("ft:"):
        return FINE_TUNED_TEXT
    return TEXT_SCENARIOS.get(model, lambda body: PLAIN_TEXT)(body)


def completion(body, text, cid="c", created=1):
    """A full chat.completion object answering `body` with `text`."""
    prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in body.get("messages") or [] if isinstance(m, dict))
    completion_tokens = len(text.split())
    return {"id": cid, "object": "chat.completion", "created": created, "model": body.get("model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": None},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens}}


def api_error(message, type="invalid_request_error", param=None, code=None):
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


class Reply(Exception):
    """Raised by a route to answer with an error: Reply(status, api_error(...))."""

    def __init__(self, status, obj, headers=None):
        super().__init__(status)
        self.status, self.obj, self.headers = status, obj, headers


def public(obj):
    """The object as sent: fields starting with "_" are the fake's own bookkeeping."""
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def page(items, query, default_limit):
    """A cursor page of `items`, which come newest first. As in the real API and the SDK's
    SyncCursorPage, `after` is the id of the last item of the previous page, and the next page is
    what follows that item in this order (so for events: the older ones). An unknown cursor gives an
    empty page."""
    after = query.get("after")
    if after:
        ids = [x["id"] for x in items]
        items = items[ids.index(after) + 1:] if after in ids else []
    limit = max(1, int(query.get("limit", default_limit)))
    return {"object": "list", "data": items[:limit], "has_more": len(items) > limit}


def parse_multipart(content_type, data):
    """{field: (filename or None, bytes)} of a multipart/form-data body (the `cgi` module is gone)."""
    m = re.search(r'boundary="?([^";]+)"?', content_type or "")
    if not m:
        raise Reply(400, api_error("Expected a multipart/form-data body with a boundary"))
    delimiter = b"--" + m.group(1).encode()
    form = {}
    for part in data.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break  # the closing delimiter
        part = part[2:] if part.startswith(b"\r\n") else part
        head, sep, value = part.partition(b"\r\n\r\n")
        if not sep:
            continue
        if value.endswith(b"\r\n"):
            value = value[:-2]  # the line break belongs to the next delimiter
        headers = BytesParser(policy=HTTP_POLICY).parsebytes(head + b"\r\n\r\n", headersonly=True)
        name = headers.get_param("name", header="content-disposition")
        if name:
            form[str(name)] = (headers.get_filename(), value)
    return form


MIN_EXAMPLES = 10
RUNNING_STEPS = 3       # polls a job spends "running", one "Step i/3" metrics event each
BATCH_PROGRESS_POLLS = 3  # polls over which a batch's requests complete
TERMINAL_JOB = ("succeeded", "failed", "cancelled")
TERMINAL_BATCH = ("completed", "failed", "expired", "cancelled")
BATCH_ENDPOINTS = ("/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/responses")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up early (a cancel, a size cap) is part of the tests


class Fake:
    def __init__(self):
        self.requests = []
        self.counts = {}
        self.lock = threading.RLock()
        self.files = {}        # id -> file object, plus "_content" (bytes)
        self.uploads = []      # (filename, bytes) of every upload that was stored
        self.dropped = set()   # filenames whose first upload went unanswered ("drop-once")
        self.jobs = {}         # id -> fine_tuning.job, plus bookkeeping fields starting with "_"
        self.batches = {}      # id -> batch, plus bookkeeping fields starting with "_"
        self.seq = {}
        self.lists_models = True  # False: GET /v1/models answers 404, as some servers' do
        self.server = Server(("127.0.0.1", 0), self.handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def next_id(self, kind):
        with self.lock:
            n = self.seq[kind] = self.seq.get(kind, 0) + 1
            return n

    # -- files

    def add_file(self, filename, purpose, content):
        with self.lock:
            fid = f"file-{self.next_id('file')}"
            self.files[fid] = {"id": fid, "object": "file", "bytes": len(content), "created_at": int(time.time()),
                               "filename": filename, "purpose": purpose, "status": "processed",
                               "expires_at": None, "status_details": None, "_content": content}
            return self.files[fid]

    def file(self, fid, param="id"):
        with self.lock:
            if fid not in self.files:
                raise Reply(404, api_error(f"No such File object: {fid}", param=param))
            return self.files[fid]

    # -- fine-tuning jobs

    def job(self, jid):
        with self.lock:
            if jid not in self.jobs:
                raise Reply(404, api_error(f"Could not find fine-tuning job: {jid}", param="fine_tuning_job_id",
                                           code="fine_tune_not_found"))
            return self.jobs[jid]

    def job_event(self, job, message, level="info", type="message", data=None):
        job["_events"].append({"object": "fine_tuning.job.event", "id": f"ftevent-{self.next_id('ftevent')}",
                               "created_at": int(time.time()), "level": level, "message": message,
                               "data": data or {}, "type": type})

    def fail_job(self, job, message):
        job.update(status="failed", finished_at=int(time.time()),
                   error={"code": "invalid_training_file", "message": message, "param": "training_file"})
        event = message if message.startswith("The job failed") else "The job failed due to an invalid training file. " + message
        self.job_event(job, event, level="error")

    def advance_job(self, job):
        """One poll's worth of progress. From creation (validating_files):
        poll 1 -> queued ("Files validated...") or failed (too few examples);
        poll 2 -> running ("Fine-tuning job started");
        polls 3, 4, 5 -> running, with "Step i/3: training loss=..." metrics events
                         (base-fail: poll 3 -> failed; base-slow: stays running, no more events);
        poll 6 -> succeeded ("New fine-tuned model created: ...", "The job has successfully completed").
        Finished and cancelled jobs do not move."""
        with self.lock:
            now, status = int(time.time()), job["status"]
            if status == "validating_files":
                if job["_examples"] < MIN_EXAMPLES:
                    self.fail_job(job, f"Training file has {job['_examples']} example(s), "
                                       f"but must have at least {MIN_EXAMPLES} examples")
                else:
                    job["status"] = "queued"
                    self.job_event(job, "Files validated, moving job to queued state")
            elif status == "queued":
                job["status"] = "running"
                self.job_event(job, "Fine-tuning job started")
            elif status == "running":
                if job["model"] == "base-slow":
                    return  # runs until cancelled
                if job["model"] == "base-fail":
                    return self.fail_job(job, "The job failed due to an invalid training file. Expected file to "
                                              "have JSONL format with prompt/completion keys.")
                job["_steps"] += 1
                i = job["_steps"]
                if i <= RUNNING_STEPS:
                    loss = round(1.2 - 0.3 * i, 2)
                    self.job_event(job, f"Step {i}/{RUNNING_STEPS}: training loss={loss:.2f}", type="metrics",
                                   data={"step": i, "total_steps": RUNNING_STEPS, "train_loss": loss})
                    return
                suffix = job["_suffix"] or "custom"
                short = hashlib.sha1(job["id"].encode()).hexdigest()[:8]
                model = f"ft:{job['model']}:flowsmith:{suffix}:{short}"
                epochs = job["hyperparameters"]["n_epochs"]
                epochs = epochs if isinstance(epochs, int) else 3
                results = self.add_file("step_metrics.csv", "fine-tune-results",
                                        b"step,train_loss\n" + b"".join(f"{s},{1.2 - 0.3 * s:.2f}\n".encode()
                                                                         for s in range(1, RUNNING_STEPS + 1)))
                job.update(status="succeeded", fine_tuned_model=model, finished_at=now,
                           trained_tokens=max(1, job["_bytes"] // 4) * epochs, result_files=[results["id"]])
                self.job_event(job, f"New fine-tuned model created: {model}")
                self.job_event(job, "The job has successfully completed")

    # -- batches

    def batch(self, bid):
        with self.lock:
            if bid not in self.batches:
                raise Reply(404, api_error(f"No such Batch object: {bid}", param="batch_id"))
            return self.batches[bid]

    def run_batch_request(self, line):
        """(ok, output line) for one request of a batch, answered as the live chat route would."""
        n = self.next_id("batch_req")
        body = line["body"]
        model = body.get("model")
        out = {"id": f"batch_req_{n}", "custom_id": line["custom_id"], "error": None}
        if model == "reject":
            out["response"] = {"status_code": 400, "request_id": f"req_{n:08x}",
                               "body": {"error": {"message": "The model `reject` does not exist",
                                                  "type": "invalid_request_error"}}}
            return False, out
        if model == "batch-fail":
            out["response"] = {"status_code": 404, "request_id": f"req_{n:08x}",
                               "body": api_error("The model `batch-fail` does not exist or you do not have access to it.",
                                                 code="model_not_found")}
            return False, out
        reply = completion(body, scenario_text(model, body), cid=f"chatcmpl-batch-{n}", created=int(time.time()))
        out["response"] = {"status_code": 200, "request_id": f"req_{n:08x}", "body": reply}
        return True, out

    def advance_batch(self, b):
        """One poll's worth of progress. From creation (validating):
        poll 1 -> in_progress (request_counts 0/0/0 of total), or failed (bad lines, or every request
                  on "batch-fail");
        polls 2, 3, 4 -> in_progress, a third of the requests more done each poll ("batch-slow":
                  stays in_progress with nothing done, until cancelled);
        poll 5 -> finalizing;
        poll 6 -> completed, with output_file_id / error_file_id.
        A cancelling batch becomes cancelled on the next poll."""
        with self.lock:
            now, status = int(time.time()), b["status"]
            lines = b["_lines"]
            if status == "validating":
                if b["_errors"]:
                    b.update(status="failed", failed_at=now, errors={"object": "list", "data": b["_errors"]})
                elif all(line["body"]["model"] == "batch-fail" for line in lines):
                    b.update(status="failed", failed_at=now, errors={"object": "list", "data": [
                        {"code": "model_not_found", "param": "body.model", "line": 1,
                         "message": "The model `batch-fail` does not exist or you do not have access to it."}]})
                else:
                    b.update(status="in_progress", in_progress_at=now)
                    b["request_counts"]["total"] = len(lines)
            elif status == "in_progress":
                if any(line["body"]["model"] == "batch-slow" for line in lines):
                    return  # in progress until cancelled
                b["_polls"] += 1
                if b["_polls"] == 2 and any(line["body"]["model"] == "batch-expire" for line in lines):
                    # Past its completion window with a third done: what was done stays downloadable.
                    good = [out for ok, out in b["_results"] if ok]
                    if good:
                        b["output_file_id"] = self.add_file(f"{b['id']}_output.jsonl", "batch_output",
                                                            b"".join(json.dumps(r).encode() + b"\n" for r in good))["id"]
                    b.update(status="expired", expired_at=now)
                    return
                if b["_polls"] > BATCH_PROGRESS_POLLS:
                    b.update(status="finalizing", finalizing_at=now)
                    return
                upto = -(-len(lines) * b["_polls"] // BATCH_PROGRESS_POLLS)  # ceiling
                for line in lines[len(b["_results"]):upto]:
                    ok, out = self.run_batch_request(line)
                    b["_results"].append((ok, out))
                    b["request_counts"]["completed" if ok else "failed"] += 1
            elif status == "finalizing":
                # Results come back in no particular order (here: reversed), so clients must match
                # them to their requests by custom_id.
                good = [out for ok, out in reversed(b["_results"]) if ok]
                bad = [out for ok, out in reversed(b["_results"]) if not ok]
                jsonl = lambda rows: b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in rows)
                if good:
                    b["output_file_id"] = self.add_file(f"{b['id']}_output.jsonl", "batch_output", jsonl(good))["id"]
                if bad:
                    b["error_file_id"] = self.add_file(f"{b['id']}_error.jsonl", "batch_output", jsonl(bad))["id"]
                b.update(status="completed", completed_at=now)
            elif status == "cancelling":
                b.update(status="cancelled", cancelled_at=now)

    def handler(self):
        fake = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # also makes parse_request answer "Expect: 100-continue"

            def log_message(self, *a):
                pass

            def send_json(self, status, obj, headers=None):
                body = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def send_bytes(self, status, data, content_type):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def read_body(self):
                """The request body, sent with Content-Length or with Transfer-Encoding: chunked."""
                if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                    data = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass  # trailers
                            return data
                        data += self.rfile.read(size)
                        self.rfile.readline()  # the CRLF after the chunk
                return self.rfile.read(int(self.headers.get("Content-Length", "0")))

            def record(self, **extra):
                with fake.lock:
                    fake.requests.append({"path": self.path, "headers": dict(self.headers), **extra})

            def json_body(self, raw):
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = None
                self.record(body=body)
                if not isinstance(body, dict):
                    raise Reply(400, api_error("We could not parse the JSON body of your request."))
                return body

            # -- routing: on method and path first; chat scenarios on the model afterwards

            ROUTES = [
                ("GET", r"/v1/models", "models"),
                ("GET", r"/v1/files", "list_files"),
                ("POST", r"/v1/files", "upload_file"),
                ("GET", r"/v1/files/([^/]+)", "get_file"),
                ("DELETE", r"/v1/files/([^/]+)", "delete_file"),
                ("GET", r"/v1/files/([^/]+)/content", "file_content"),
                ("GET", r"/v1/fine_tuning/jobs", "list_jobs"),
                ("POST", r"/v1/fine_tuning/jobs", "create_job"),
                ("GET", r"/v1/fine_tuning/jobs/([^/]+)", "get_job"),
                ("GET", r"/v1/fine_tuning/jobs/([^/]+)/events", "job_events"),
                ("POST", r"/v1/fine_tuning/jobs/([^/]+)/cancel", "cancel_job"),
                ("GET", r"/v1/batches", "list_batches"),
                ("POST", r"/v1/batches", "create_batch"),
                ("GET", r"/v1/batches/([^/]+)", "get_batch"),
                ("POST", r"/v1/batches/([^/]+)/cancel", "cancel_batch"),
                ("POST", r"/v1/chat/completions", "chat"),
            ]

            def route(self, method):
                url = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                for m, pattern, name in self.ROUTES:
                    match = re.fullmatch(pattern, url.path.rstrip("/"))
                    if m == method and match:
                        return getattr(self, "r_" + name), query, match.groups()
                return None, query, ()

            def dispatch(self, method):
                fn, query, args = self.route(method)
                try:
                    if fn is None:
                        if method == "POST":
                            # Any other POST keeps the old behaviour: a chat scenario picked by model.
                            return self.r_chat(query)
                        self.record()
                        return self.send_json(404, {"error": {"message": "no such route", "type": "invalid_request_error"}})
                    fn(query, *args)
                except Reply as r:
                    self.send_json(r.status, r.obj, r.headers)

            def do_GET(self):
                self.dispatch("GET")

            def do_POST(self):
                self.dispatch("POST")

            def do_DELETE(self):
                self.dispatch("DELETE")

            # -- models and chat

            def r_models(self, query):
                self.record()
                if not fake.lists_models:
                    return self.send_json(404, {"error": {"message": "Not Found", "type": "invalid_request_error"}})
                # Every chat scenario is a model it serves (fine-tuned ones are not listed), and
                # so is every base model of fine-tuning but base-missing.
                names = (["m1", "m2"] + sorted(n[2:].replace("_", "-") for n in dir(self) if n.startswith("s_"))
                         + ["base-ok", "base-fail", "base-slow", "base-flaky", "base-busy"])
                self.send_json(200, {"object": "list", "data": [{"id": n, "object": "model"} for n in names]})

            def r_chat(self, query):
                body = json.loads(self.read_body() or b"{}")
                self.record(body=body)
                scenario = body.get("model", "stream")
                with fake.lock:
                    n = fake.counts[scenario] = fake.counts.get(scenario, 0) + 1
                if scenario.startswith("ft:"):
                    return self.s_fine_tuned(body, n)
                getattr(self, "s_" + scenario.replace("-", "_"))(body, n)

            # -- files

            def r_upload_file(self, query):
                try:
                    form = parse_multipart(self.headers.get("Content-Type"), self.read_body())
                except Reply:
                    self.record(form=None)
                    raise
                self.record(form={k: (fn if fn is not None else v.decode("utf-8", "replace")) for k, (fn, v) in form.items()})
                purpose = form.get("purpose", (None, b""))[1].decode("utf-8", "replace")
                if purpose not in ("fine-tune", "batch"):
                    raise Reply(400, api_error(f"Invalid value for 'purpose': '{purpose}'. Expected 'fine-tune' or 'batch'.",
                                               param="purpose"))
                filename, content = form.get("file", (None, None))
                if not filename:
                    raise Reply(400, api_error("Missing file: send the 'file' field with a filename.", param="file"))
                with fake.lock:
                    obj = fake.add_file(filename, purpose, content)
                    fake.uploads.append((filename, content))
                    drop = "drop-once" in filename and filename not in fake.dropped
                    fake.dropped.add(filename)
                if drop:
                    # Simulated lost response: the file is stored, but the connection closes without
                    # an answer. A client that retries must find the file in the list, not upload again.
                    self.close_connection = True
                    return
                self.send_json(200, public(obj))

            def r_list_files(self, query):
                self.record()
                with fake.lock:
                    items = [public(f) for f in reversed(fake.files.values())
                             if query.get("purpose") in (None, f["purpose"])]
                if query.get("order") == "asc":
                    items.reverse()
                self.send_json(200, page(items, query, 10000))

            def r_get_file(self, query, fid):
                self.record()
                self.send_json(200, public(fake.file(fid)))

            def r_file_content(self, query, fid):
                self.record()
                f = fake.file(fid)
                kind = "application/jsonl" if f["filename"].endswith(".jsonl") else "application/octet-stream"
                self.send_bytes(200, f["_content"], kind)

            def r_delete_file(self, query, fid):
                self.record()
                with fake.lock:
                    fake.file(fid)
                    del fake.files[fid]
                self.send_json(200, {"id": fid, "object": "file", "deleted": True})

            # -- fine-tuning jobs

            def r_create_job(self, query):
                body = self.json_body(self.read_body())
                with fake.lock:
                    # base-busy: the first try is refused with a rate limit of a second.
                    if body.get("model") == "base-busy" and not fake.counts.get("base-busy"):
                        fake.counts["base-busy"] = 1
                        raise Reply(429, api_error("Too many jobs are being created", type="requests", code="rate_limit_exceeded"),
                                    {"retry-after": "1"})
                    if body.get("model") == "base-busy":
                        body["model"] = "base-ok"
                    for param in ("training_file", "validation_file"):
                        fid = body.get(param)
                        if fid is None and param == "validation_file":
                            continue
                        if fid not in fake.files or fake.files[fid]["purpose"] != "fine-tune":
                            raise Reply(400, api_error(f"invalid {param}: {fid}", param=param, code="invalid_file"))
                    model = body.get("model")
                    if not model or model == "base-missing":
                        raise Reply(404, api_error(f"The model `{model}` does not exist or you do not have access to it.",
                                                   code="model_not_found"))
                    content = fake.files[body["training_file"]]["_content"]
                    examples = 0
                    for line in content.decode("utf-8", "replace").splitlines():
                        try:
                            example = json.loads(line)
                        except ValueError:
                            continue
                        examples += isinstance(example, dict) and isinstance(example.get("messages"), list)
                    method = body.get("method") or {}
                    given = body.get("hyperparameters") or \
                        ((method.get(method.get("type") or "supervised") or {}).get("hyperparameters") or {})
                    hp = {k: given.get(k, "auto") for k in ("n_epochs", "batch_size", "learning_rate_multiplier")}
                    n = fake.next_id("ftjob")
                    jid = f"ftjob-{n}"
                    job = {"object": "fine_tuning.job", "id": jid, "model": model, "created_at": int(time.time()),
                           "finished_at": None, "fine_tuned_model": None, "organization_id": "org-fake",
                           "result_files": [], "status": "validating_files",
                           "validation_file": body.get("validation_file"), "training_file": body["training_file"],
                           "hyperparameters": hp, "trained_tokens": None, "error": None,
                           "seed": body.get("seed", 1000 + n), "estimated_finish": None, "integrations": [],
                           "metadata": body.get("metadata"),
                           "method": {"type": method.get("type", "supervised"),
                                      method.get("type", "supervised"): {"hyperparameters": hp}},
                           "user_provided_suffix": body.get("suffix"),
                           "_events": [], "_examples": examples, "_bytes": len(content), "_steps": 0,
                           "_suffix": body.get("suffix")}
                    fake.jobs[jid] = job
                    fake.job_event(job, f"Created fine-tuning job: {jid}")
                    fake.job_event(job, f"Validating training file: {body['training_file']}")
                    obj = public(job)
                self.send_json(200, obj)

            def r_get_job(self, query, jid):
                self.record()
                with fake.lock:
                    job = fake.job(jid)
                    # base-flaky: every other look at the job fails (the job goes on regardless).
                    if job["model"] == "base-flaky":
                        job["_looks"] = job.get("_looks", 0) + 1
                        if job["_looks"] % 2 == 0:
                            raise Reply(500, api_error("The server had an error while processing your request", type="server_error"))
                    fake.advance_job(job)
                    obj = public(job)
                self.send_json(200, obj)

            def r_job_events(self, query, jid):
                self.record()
                with fake.lock:
                    job = fake.job(jid)
                    if not query.get("after"):
                        # Only a first page is a poll: following pages, fetched with the cursor,
                        # must not add events while the client is paging through them.
                        fake.advance_job(job)
                    obj = page(list(reversed(job["_events"])), query, 20)
                self.send_json(200, obj)

            def r_cancel_job(self, query, jid):
                self.record()
                with fake.lock:
                    job = fake.job(jid)
                    if job["status"] in TERMINAL_JOB:
                        raise Reply(400, api_error(f"Job has already completed: {jid}"))
                    job["status"] = "cancelled"
                    fake.job_event(job, "Fine-tuning job cancelled")
                    obj = public(job)
                self.send_json(200, obj)

            def r_list_jobs(self, query):
                self.record()
                with fake.lock:
                    items = [public(j) for j in reversed(fake.jobs.values())]
                self.send_json(200, page(items, query, 20))

            # -- batches

            def r_create_batch(self, query):
                body = self.json_body(self.read_body())
                with fake.lock:
                    fid, endpoint = body.get("input_file_id"), body.get("endpoint")
                    if fid not in fake.files or fake.files[fid]["purpose"] != "batch":
                        raise Reply(400, api_error(f"invalid input_file_id: {fid}", param="input_file_id",
                                                   code="invalid_file"))
                    if endpoint not in BATCH_ENDPOINTS:
                        raise Reply(400, api_error(f"Invalid value for 'endpoint': '{endpoint}'.", param="endpoint"))
                    if body.get("completion_window") != "24h":
                        raise Reply(400, api_error("Invalid value for 'completion_window': only '24h' is supported.",
                                                   param="completion_window"))
                    lines, errors, seen = [], [], set()

                    def bad(n, message):
                        errors.append({"code": "invalid_request", "message": message, "param": None, "line": n})

                    for n, text in enumerate(fake.files[fid]["_content"].decode("utf-8", "replace").splitlines(), 1):
                        if not text.strip():
                            continue
                        try:
                            line = json.loads(text)
                        except ValueError:
                            bad(n, f"Line {n} is not valid JSON.")
                            continue
                        if not isinstance(line, dict) or not isinstance(line.get("custom_id"), str):
                            bad(n, f"Line {n} has no custom_id.")
                        elif line["custom_id"] in seen:
                            bad(n, f"Line {n} repeats the custom_id '{line['custom_id']}'; custom_ids must be unique.")
                        elif line.get("method") != "POST":
                            bad(n, f"Line {n} has method {line.get('method')!r}; only 'POST' is supported.")
                        elif line.get("url") != endpoint:
                            bad(n, f"Line {n} has url {line.get('url')!r}, which is not the batch's endpoint '{endpoint}'.")
                        elif not isinstance(line.get("body"), dict) or not line["body"].get("model"):
                            bad(n, f"Line {n} has no body with a model.")
                        else:
                            seen.add(line["custom_id"])
                            lines.append(line)
                    if not lines and not errors:
                        errors.append({"code": "empty_file", "message": "The input file has no requests.",
                                       "param": None, "line": None})
                    now = int(time.time())
                    bid = f"batch_{fake.next_id('batch')}"
                    fake.batches[bid] = b = {
                        "id": bid, "object": "batch", "endpoint": endpoint, "errors": None, "input_file_id": fid,
                        "completion_window": "24h", "status": "validating", "output_file_id": None,
                        "error_file_id": None, "created_at": now, "in_progress_at": None, "expires_at": now + 86400,
                        "finalizing_at": None, "completed_at": None, "failed_at": None, "expired_at": None,
                        "cancelling_at": None, "cancelled_at": None,
                        "request_counts": {"total": 0, "completed": 0, "failed": 0},
                        "metadata": body.get("metadata"),
                        "_lines": lines, "_errors": errors, "_polls": 0, "_results": []}
                    obj = public(b)
                self.send_json(200, obj)

            def r_get_batch(self, query, bid):
                self.record()
                with fake.lock:
                    b = fake.batch(bid)
                    fake.advance_batch(b)
                    obj = json.loads(json.dumps(public(b)))  # a copy: request_counts is shared
                self.send_json(200, obj)

            def r_cancel_batch(self, query, bid):
                self.record()
                with fake.lock:
                    b = fake.batch(bid)
                    if b["status"] in TERMINAL_BATCH:
                        raise Reply(400, api_error(f"Cannot cancel a batch with status '{b['status']}'."))
                    if b["status"] != "cancelling":
                        b.update(status="cancelling", cancelling_at=int(time.time()))
                    obj = json.loads(json.dumps(public(b)))
                self.send_json(200, obj)

            def r_list_batches(self, query):
                self.record()
                with fake.lock:
                    items = json.loads(json.dumps([public(b) for b in reversed(fake.batches.values())]))
                self.send_json(200, page(items, query, 20))

            # -- helpers
            def start_stream(self, crlf=False):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                self.nl = b"\r\n" if crlf else b"\n"

            def raw(self, b, pause=0.0):
                self.wfile.write(b)
                self.wfile.flush()
                if pause:
                    time.sleep(pause)

            def event(self, obj):
                data = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
                self.raw(b"data: " + data.encode() + self.nl + self.nl)

            def reply_text(self, body):
                if body.get("stream"):
                    return None
                return {"id": "c", "object": "chat.completion", "created": 1, "model": body["model"],
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": PLAIN_TEXT}, "finish_reason": "stop"}]}

            def answer(self, body, text):
                """Answers with `text`: streamed line by line when asked to stream, else one completion."""
                if not body.get("stream"):
                    return self.send_json(200, completion(body, text))
                self.start_stream()
                for line in text.splitlines(keepends=True):
                    self.event(chunk(line))
                self.event(chunk(None, "stop"))
                self.event("[DONE]")

            # -- scenarios
            def s_stream(self, body, n):
                if not body.get("stream"):
                    return self.send_json(200, self.reply_text(body))
                self.start_stream(crlf=True)
                text = "1. 系统记录访问来源。\n2. System shows the home page.\n- 系统发送登录通知\n"
                data = b""
                for piece in ["1. 系统记录", "访问来源。\n2. System ", "shows the home page.\n- 系统发送", "登录通知\n"]:
                    data += b"data: " + json.dumps(chunk(piece), ensure_ascii=False).encode() + b"\r\n\r\n"
                data += b"data: " + json.dumps(chunk(None, "stop")).encode() + b"\r\n\r\ndata: [DONE]\r\n\r\n"
                # Cut the bytes anywhere, inside characters and lines, and send them slowly.
                for i in range(0, len(data), 7):
                    self.raw(data[i:i + 7], 0.002)

            def s_fine_tuned(self, body, n):
                # Any model named "ft:..." (what a succeeded fine-tuning job reports) answers so.
                self.answer(body, FINE_TUNED_TEXT)

            def s_echo(self, body, n):
                self.answer(body, echo_text(body))

            def s_echo_429(self, body, n):
                # Every 3rd request to this scenario is refused once: the client has to wait and retry.
                if n % 3 == 0:
                    return self.send_json(429, api_error("Rate limit reached for requests", type="requests",
                                                         code="rate_limit_exceeded"), {"retry-after-ms": "100"})
                self.answer(body, echo_text(body))

            def s_escape(self, body, n):
                self.start_stream()
                for piece in ["System shows \x1b]52;c;ZXZp", "bA==\x07the \x1b[31mwarning\x1b[0m\n", "\u202eSystem logs it\n"]:
                    self.event(chunk(piece))
                self.event("[DONE]")

            def s_terminal_attack(self, body, n):
                # Every line carries a sequence a terminal would obey: a window title (OSC 0), a
                # clipboard write (OSC 52), clear screen (CSI 2J) and the 8-bit CSI (U+009B).
                lines = TERMINAL_ATTACK_LINES
                if not body.get("stream"):
                    reply = {"id": "c", "object": "chat.completion", "created": 1, "model": body["model"],
                             "choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(lines)},
                                          "finish_reason": "stop"}]}
                    return self.send_json(200, reply)
                self.start_stream()
                for piece in lines:
                    self.event(chunk(piece))
                self.event(chunk(None, "stop"))
                self.event("[DONE]")

            def s_unauthorized(self, body, n):
                key = self.headers.get("Authorization", "").removeprefix("Bearer ")
                self.send_json(401, {"error": {"message": f"Incorrect API key provided: {key}. You can find your API key at the dashboard.",
                                               "type": "invalid_request_error", "code": "invalid_api_key"}})

            def s_rate_then_ok(self, body, n):
                if n == 1:
                    return self.send_json(429, {"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}},
                                          {"retry-after-ms": "150"})
                self.s_stream(body, n)

            def s_rate_one_second(self, body, n):
                if n == 1:
                    return self.send_json(429, {"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}},
                                          {"retry-after": "1"})
                self.s_stream(body, n)

            def s_quota(self, body, n):
                self.send_json(429, {"error": {"message": "You exceeded your current quota", "type": "insufficient_quota", "code": "insufficient_quota"}})

            def s_flaky(self, body, n):
                if n <= 2:
                    return self.send_json(503, {"error": {"message": "The server is overloaded", "type": "server_error"}})
                self.s_stream(body, n)

            def s_bad_request(self, body, n):
                self.send_json(400, {"error": {"message": "Invalid value for 'temperature'", "type": "invalid_request_error"}})

            def s_error_event(self, body, n):
                self.start_stream()
                self.event(chunk("System "))
                self.event({"error": {"message": "The model is overloaded mid-stream", "type": "server_error"}})

            def s_truncated(self, body, n):
                self.start_stream()
                self.event(chunk("System validates the "))
                self.close_connection = True

            def s_stall(self, body, n):
                self.start_stream()
                self.event(chunk("System "))
                time.sleep(3)

            def s_slow(self, body, n):
                time.sleep(1.5)
                self.s_stream(body, n)

            # -- what real servers and chatty models send besides clean lines

            def s_no_done(self, body, n):
                # finish_reason "stop", then the stream ends without [DONE] (older llama.cpp servers).
                self.start_stream()
                self.event(chunk("System confirms the order.\nSystem sends a receipt.\n"))
                self.event(chunk(None, "stop"))
                self.close_connection = True

            def s_ignores_stream(self, body, n):
                # Asked to stream, answers with one plain chat completion.
                self.send_json(200, completion(body, "System confirms the order.\nSystem sends a receipt.\n"))

            def s_chatty(self, body, n):
                self.answer(body, "Sure! Here are three steps:\n\n1. System confirms the order.\n2. System sends a receipt.\n"
                                  "3. Clerk files the order.\n\nLet me know if you need more!\n")

            def s_thinking(self, body, n):
                self.answer(body, "<think>\nThe user wants the next step.\nMaybe a receipt.\n</think>\n"
                                  "System sends a receipt.\nClerk files the order.\n")

            def s_empty(self, body, n):
                self.answer(body, "  \n")

            def s_overlong(self, body, n):
                self.answer(body, "System " + "validates-the-very-long-field " * 40 + "\nSystem sends a receipt.\n")

            def s_html_502(self, body, n):
                page = ("<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{font-family:sans-serif;"
                        "margin:40px}</style></head><body><h1>Bad Gateway</h1>" + "<p>upstream</p>" * 100 + "</body></html>")
                self.send_bytes(502, page.encode(), "text/html")

            def s_repeats(self, body, n):
                # Steps 1 and 2 of 系统登录 in the bundled Chinese example, said again.
                self.answer(body, "客服人员填写用户名、密码和图形验证码。\n系统校验图形验证码。\n")

            def s_half_empty(self, body, n):
                self.answer(body, "  \n" if n % 2 == 0 else echo_text(body))

            def s_crlf_error(self, body, n):
                self.send_json(400, {"error": {"message": "Invalid request.\r\nPlease check\r\n  the model name.", "type": "invalid_request_error"}})

            def s_redirect(self, body, n):
                self.send_json(302, {}, {"Location": "https://login.example.com/v1/chat/completions"})

            def s_vllm_error(self, body, n):
                # vLLM's (and other FastAPI servers') error body: the message at the top level.
                self.send_json(400, {"object": "error", "message": "This model's maximum context length is 2048 tokens",
                                     "type": "BadRequestError", "param": None, "code": 400})

            def s_server_error(self, body, n):
                self.send_json(500, {"error": {"message": "The server had an error while processing your request", "type": "server_error"}})

            def s_escape_401(self, body, n):
                self.send_json(401, {"error": {"message": "bad key \x1b[2J\x1b]52;c;ZWNobyBwd25lZA==\x07\u202eevil",
                                               "type": "invalid_request_error"}})

            def s_huge(self, body, n):
                self.start_stream()
                for _ in range(2000):
                    self.event(chunk("x" * 3000))
                self.event("[DONE]")

        return H
