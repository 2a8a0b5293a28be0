"""The official OpenAI Python SDK (latest), unchanged, against Engram's chat proxy in front of the fake provider.

MODE selects the run:
- `openai`: the fake speaks OpenAI. A memory is seeded for user "alice"; then non-streamed and streamed
  completions with `user_id` (through `extra_body`) and with OpenAI's `user`, the exchange remembered
  afterwards (polled until the async job's memory appears), 429/500 from the provider raised as
  RateLimitError/InternalServerError, a stream that breaks off raised as APIError, `models.list()`.
- `anthropic`: the fake speaks Anthropic's Messages API; the same completions, streamed and not.
- `no-llm`: no LLM configured; the proxy answers 501 with a detail.

The fake's answers (see OpenAIClientTests.swift) depend on the last user message: "rate limit" -> 429,
"server error" -> 500, "break" -> a stream cut mid-way; anything else -> "Green tea it is." (streamed in
three pieces when asked). The Swift test checks on its side that the memories reached the system message.

Environment: ENGRAM_URL, ENGRAM_KEY, MODE. Run with the .venv-openai interpreter. Prints `ok NAME` /
`FAIL NAME: why` per check and a summary; exits 1 when anything failed.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clientcheck import check, env, expect, finish, raises, short, wait_until  # noqa: E402

import json  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402

import openai  # noqa: E402

URL = env("ENGRAM_URL").rstrip("/")
KEY = env("ENGRAM_KEY")
MODE = env("MODE")
ANSWER = "Green tea it is."
REMEMBERED = "User's favourite drink is green tea."

client = openai.OpenAI(base_url=URL + "/v1", api_key=KEY, max_retries=0, timeout=30)


def rest(method, path, body=None, **query):
    """One call to Engram's REST API with the standard library: (status, parsed JSON body)."""
    target = URL + path + ("?" + urllib.parse.urlencode(query) if query else "")
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(target, data=data, method=method, headers={
        "Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read() or b"null")


def ask(text, **options):
    return client.chat.completions.create(
        model=options.pop("model", "fake-model"), messages=[{"role": "user", "content": text}], **options)


def completion(user_fields):
    answer = ask("Which tea do I like?", **user_fields)
    expect(answer.object == "chat.completion", f"object {short(answer.object)}")
    expect(answer.choices[0].message.content == ANSWER, f"content {short(answer.choices[0].message.content)}")
    expect(answer.choices[0].finish_reason == "stop", f"finish_reason {short(answer.choices[0].finish_reason)}")


def streamed(user_fields):
    pieces = []
    finish_reasons = []
    for chunk in ask("Which tea should I brew?", stream=True, **user_fields):
        expect(chunk.object == "chat.completion.chunk", f"object {short(chunk.object)}")
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
            finish_reasons.append(chunk.choices[0].finish_reason)
    expect("".join(pieces) == ANSWER, f"streamed {short(pieces)}")
    expect(len(pieces) >= 3, f"only {len(pieces)} chunks")
    expect(finish_reasons[-1] == "stop", f"finish reasons {short(finish_reasons)}")


def remembered():
    def probe():
        _, listed = rest("GET", "/memories", user_id="alice")
        return [item["memory"] for item in listed.get("results", [])] if REMEMBERED in str(listed) else None
    memories = wait_until(probe, timeout=30)
    expect(memories, "the exchange was not remembered within 30 s")


def seed():
    status, body = rest("POST", "/memories", {
        "messages": [{"role": "user", "content": "Alice loves green tea."}], "user_id": "alice", "infer": False})
    expect(status == 200, f"seed {status} {short(body)}")


def rate_limited():
    error = raises(openai.RateLimitError, ask, "rate limit me", extra_body={"user_id": "bob"})
    expect(error.status_code == 429, f"status {error.status_code}")
    expect("Rate limit reached" in str(error), f"message {short(str(error))}")


def server_error():
    error = raises(openai.InternalServerError, ask, "server error please", extra_body={"user_id": "bob"})
    expect(error.status_code == 500, f"status {error.status_code}")


def broken_stream():
    def consume():
        return "".join(chunk.choices[0].delta.content or "" for chunk in ask("break it", stream=True, extra_body={"user_id": "bob"})
                       if chunk.choices)
    raises(openai.APIError, consume)


def nothing_for_bob():
    _, listed = rest("GET", "/memories", user_id="bob")
    expect(listed.get("results") == [], f"bob has memories {short(listed)}")


def models():
    ids = [model.id for model in client.models.list()]
    expect(ids == ["fake-model"], f"models {short(ids)}")


def not_configured():
    error = raises(openai.APIStatusError, ask, "hello")
    expect(error.status_code == 501, f"status {error.status_code}")
    expect("needs an LLM" in str(error.response.json().get("detail")), f"body {short(error.response.text)}")


print(f"openai {openai.__version__}, mode {MODE}", flush=True)
if MODE == "no-llm":
    check("501 without an LLM", not_configured)
else:
    check("seed a memory", seed)
    check("completion with user_id", completion, {"extra_body": {"user_id": "alice"}})
    check("streamed completion with user_id", streamed, {"extra_body": {"user_id": "alice"}})
    check("completion with OpenAI's user field", completion, {"user": "alice"})
    check("the exchange is remembered", remembered)
    if MODE == "openai":
        check("streamed completion with OpenAI's user field", streamed, {"user": "alice"})
        check("provider 429 raises RateLimitError", rate_limited)
        check("provider 500 raises InternalServerError", server_error)
        check("a stream that breaks off raises APIError", broken_stream)
        check("nothing is remembered for failed calls", nothing_for_bob)
        check("models.list names the configured model", models)
finish(f"openai SDK against the chat proxy ({MODE})")
