#!/usr/bin/env python3
"""A scripted stand-in for an OpenAI-compatible chat model, for `make bench-retrieval` with the `llm`
reranker (RERANKER=fake-llm): it answers Engram's reranking prompt by scoring each numbered memory on
the share of the query's words (four letters or more) it contains, 0 to 10, as the JSON Engram asks
for. It shows the reranking path working end to end, not what a real model would rank.
Usage: fake_judge.py PORT  (listens on 127.0.0.1 only)
"""
import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def words(text):
    return {word for word in re.findall(r"[a-z0-9']+", text.lower()) if len(word) >= 4}


class Judge(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        prompt = next((m["content"] for m in reversed(body.get("messages", [])) if m.get("role") == "user"), "")
        query = words(prompt.split("\n", 1)[0])
        scores = []
        for line in prompt.splitlines():
            match = re.match(r"\[(\d+)\] (.*)", line)
            if match:
                shared = len(query & words(match.group(2)))
                scores.append({"index": int(match.group(1)), "score": round(10 * shared / max(len(query), 1), 2)})
        answer = json.dumps({"scores": scores})
        reply = json.dumps({
            "id": "fake", "object": "chat.completion", "model": body.get("model", "fake"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Judge).serve_forever()
