#!/usr/bin/env python3
"""A scripted OpenAI-compatible Chat Completions server, for the faults a real one will not
produce on demand. A test tool: the success path is proven against a real model.

It meters like a provider: a request bucket and a token bucket, each holding up to its
per-minute figure and refilled continuously, charged on arrival with the call's prompt and
completion tokens (it knows its answer before it sends it); past either, a 429. It answers
with schema-valid scores for the dimensions named in the request's schema, quoting the first
words of the document as evidence.

    scripted_llm_server.py --port 0 --port-file F [--rpm N] [--tpm N] [--storm 0.4 --retry-after 2]
        [--latency-ms N] [--fault none|500|invalid-json|invalid-once|schema-violation|hallucinated-quote|drop]
        [--vary-scores]

Every score is 0.5, unless --vary-scores: then each document gets a score of its own, moved
a little by the request's seed and model, as replicates and other models would move it
(deterministic, so a test can repeat it).

What it counted (requests, answered, rate_limited, stormed, tokens_answered, first_at,
last_at, and answered calls per document id as documents) is written as JSON to --stats-file after every call, and returned by GET /stats.
"""
import argparse
import re
import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Bucket:
    def __init__(self, per_minute):
        self.capacity = float(per_minute)
        self.level = float(per_minute)
        self.updated = time.monotonic()

    def take(self, amount):
        now = time.monotonic()
        self.level = min(self.capacity, self.level + (now - self.updated) * self.capacity / 60.0)
        self.updated = now
        if self.level < amount:
            return False
        self.level -= amount
        return True


def tokens(text):
    return (len(text.encode("utf-8")) + 3) // 4


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.requests = Bucket(args.rpm) if args.rpm else None
        self.tokens = Bucket(args.tpm) if args.tpm else None
        self.random = random.Random(7)
        self.stats = {"requests": 0, "rejected": 0, "answered": 0, "rate_limited": 0, "stormed": 0, "tokens_answered": 0, "prompt_tokens_answered": 0, "completion_tokens_answered": 0, "first_at": None, "last_at": None, "documents": {}}


def varied_score(document, seed, dimension, model):
    import hashlib
    base = int(hashlib.sha256((document + dimension).encode()).hexdigest()[:8], 16) % 80 / 100 + 0.1
    noise = (int(hashlib.sha256(f"{document}|{dimension}|{seed}|{model}".encode()).hexdigest()[:8], 16) % 21 - 10) / 100
    return round(min(1.0, max(0.0, base + noise)), 2)


def answer_for(request, fault, vary=False):
    schema = request.get("response_format", {}).get("schema") or request.get("response_format", {}).get("json_schema", {}).get("schema", {})
    dimensions = schema.get("required", ["score"])
    document = request["messages"][-1]["content"]
    words = document.split('"""')[-2].split() if document.count('"""') >= 2 else document.split()
    quote = " ".join(words[:3])
    if fault == "hallucinated-quote":
        quote = "words that are not in the document"
    body = {name: {"score": varied_score(document, request.get("seed"), name, request.get("model")) if vary else 0.5, "confidence": 0.5,
                   "evidence": [quote] if quote else []} for name in dimensions}
    if fault == "schema-violation":
        body = {name: {"score": 7} for name in dimensions}
    text = json.dumps(body)
    # A repair request carries the invalid answer and the problem after the first prompt.
    if fault == "invalid-json" or (fault == "invalid-once" and len(request.get("messages", [])) <= 2):
        text = "this is not JSON {"
    return text


def write_stats(state):
    if not state.args.stats_file:
        return
    with open(state.args.stats_file + ".tmp", "w") as file:
        json.dump(state.stats, file)
    import os
    os.replace(state.args.stats_file + ".tmp", state.args.stats_file)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, status, value, headers=()):
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, header in headers:
            self.send_header(name, header)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        state = self.server.state
        if self.path.rstrip("/").endswith("/stats"):
            with state.lock:
                self.send_json(200, state.stats)
        elif self.path.rstrip("/").endswith("/models"):
            self.send_json(200, {"object": "list", "data": [{"id": "scripted", "object": "model"}]})
        else:
            self.send_json(404, {"error": {"message": "not found"}})

    def do_POST(self):
        state = self.server.state
        args = state.args
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self.send_json(404, {"error": {"message": "not found"}})
            return
        with state.lock:
            state.stats["requests"] += 1
            rejected = (args.key and self.headers.get("Authorization") != "Bearer " + args.key) or (args.model and request.get("model") != args.model)
            if rejected:
                state.stats["rejected"] += 1
                write_stats(state)
        if args.key and self.headers.get("Authorization") != "Bearer " + args.key:
            self.send_json(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})
            return
        if args.model and request.get("model") != args.model:
            self.send_json(404, {"error": {"message": f"The model '{request.get('model')}' does not exist", "type": "invalid_request_error"}})
            return
        content = answer_for(request, args.fault, args.vary_scores)
        prompt_tokens = sum(tokens(m.get("content", "")) for m in request.get("messages", []))
        completion_tokens = tokens(content)
        with state.lock:
            now = time.time()
            state.stats["first_at"] = state.stats["first_at"] or now
            state.stats["last_at"] = now
            stormed = args.storm > 0 and state.random.random() < args.storm
            if stormed:
                state.stats["stormed"] += 1
            limited = not stormed and (
                (state.requests is not None and not state.requests.take(1))
                or (state.tokens is not None and not state.tokens.take(prompt_tokens + completion_tokens)))
            if limited:
                state.stats["rate_limited"] += 1
            if not stormed and not limited:
                # Which document each answered call was for (the default prompt names it), so
                # a test can tell which documents the pipeline sent again.
                found = re.search(r'Document (\S+):\n"""', request.get("messages", [{}])[min(1, len(request.get("messages", [])) - 1)].get("content", ""))
                if found:
                    state.stats["documents"][found.group(1)] = state.stats["documents"].get(found.group(1), 0) + 1
                state.stats["answered"] += 1
                state.stats["tokens_answered"] += prompt_tokens + completion_tokens
                state.stats["prompt_tokens_answered"] += prompt_tokens
                state.stats["completion_tokens_answered"] += completion_tokens
            write_stats(state)
        if stormed:
            self.send_json(429, {"error": {"message": "Rate limit reached (storm)", "type": "requests"}}, [("Retry-After", str(args.retry_after))])
            return
        if limited:
            self.send_json(429, {"error": {"message": "Rate limit reached", "type": "tokens"}})
            return
        if args.latency_ms:
            time.sleep(args.latency_ms / 1000.0)
        if args.fault == "500":
            self.send_json(500, {"error": {"message": "internal error"}})
            return
        if args.fault == "drop":
            self.close_connection = True
            self.connection.close()
            return
        self.send_json(200, {
            "id": "scripted-1", "object": "chat.completion", "model": request.get("model"), "system_fingerprint": "fp_scripted",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens},
        })


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--stats-file")
    parser.add_argument("--rpm", type=float, default=0)
    parser.add_argument("--tpm", type=float, default=0)
    parser.add_argument("--storm", type=float, default=0)
    parser.add_argument("--retry-after", type=int, default=2)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--model")
    parser.add_argument("--key")
    parser.add_argument("--fault", default="none")
    parser.add_argument("--vary-scores", action="store_true")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = State(args)
    write_stats(server.state)
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as file:
            file.write(str(server.server_address[1]))
        import os
        os.replace(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
