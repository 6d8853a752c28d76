"""A loopback server speaking the OpenAI wire format, with faults on request. The model name in
the request picks the scenario; the server records what it received."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def chunk(content, finish=None):
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": 0, "delta": {"content": content} if content is not None else {},
                         "finish_reason": finish}]}


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up early (a cancel, a size cap) is part of the tests


class Fake:
    def __init__(self):
        self.requests = []
        self.counts = {}
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

    def handler(self):
        fake = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

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

            def do_GET(self):
                fake.requests.append({"path": self.path, "headers": dict(self.headers)})
                if self.path == "/v1/models":
                    self.send_json(200, {"object": "list", "data": [{"id": "m1", "object": "model"}, {"id": "m2", "object": "model"}]})
                else:
                    self.send_json(404, {"error": {"message": "no such route", "type": "invalid_request_error"}})

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                scenario = body.get("model", "stream")
                n = fake.counts[scenario] = fake.counts.get(scenario, 0) + 1
                getattr(self, "s_" + scenario.replace("-", "_"))(body, n)

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
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": "A\nB"}, "finish_reason": "stop"}]}

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

            def s_escape(self, body, n):
                self.start_stream()
                for piece in ["System shows \x1b]52;c;ZXZp", "bA==\x07the \x1b[31mwarning\x1b[0m\n", "\u202eSystem logs it\n"]:
                    self.event(chunk(piece))
                self.event("[DONE]")

            def s_terminal_attack(self, body, n):
                # Every line carries a sequence a terminal would obey: a window title (OSC 0), a
                # clipboard write (OSC 52), clear screen (CSI 2J) and the 8-bit CSI (U+009B).
                lines = ["1. System shows \x1b]0;PWNED\x07the order form\n",
                         "2. System clears \x1b[2J the shopping cart\n",
                         "3. System copies \x1b]52;c;SGVsbG8=\x07 the order number\n",
                         "4. \u009b31mSystem warns about the stock\n"]
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

            def s_huge(self, body, n):
                self.start_stream()
                for _ in range(2000):
                    self.event(chunk("x" * 3000))
                self.event("[DONE]")

        return H
