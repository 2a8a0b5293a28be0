"""mem0's legacy 1.x hosted-platform SDK (PyPI mem0ai 1.0.11, MemoryClient) against a live Engram.

1.0.11 differs from 2.x: add posts to /v1/memories/ with async_mode (default True) and output_format "v1.1"
forced; get_all posts to /v2/memories/, search to /v2/memories/search/ (a bare list is wrapped client-side as
{"results": list}); after the ping every request also carries the ping's org_id and project_id (query
parameters on GET/PUT/DELETE, body keys on POST).

Environment: ENGRAM_URL, ENGRAM_KEY_ALPHA (a non-admin key of project "alpha"). Run with the
.venv-mem0-legacy interpreter (scripts/client-venvs.sh). Prints `ok NAME` / `FAIL NAME: why` per check and a
summary; exits 1 when anything failed.
"""
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clientcheck import check, env, expect, finish, raises, short  # noqa: E402

import mem0  # noqa: E402
from mem0 import MemoryClient  # noqa: E402
from mem0.exceptions import MemoryNotFoundError  # noqa: E402

URL = env("ENGRAM_URL").rstrip("/")
ALPHA = env("ENGRAM_KEY_ALPHA")
RUN = uuid.uuid4().hex[:8]
USER = f"legacy-{RUN}"
OTHER = f"legacy-infer-{RUN}"
STATE = {}


def results_of(answer):
    """The list inside a 1.x answer: {"results": [...]} or a bare list."""
    if isinstance(answer, list):
        return answer
    expect(isinstance(answer, dict) and isinstance(answer.get("results"), list), f"answer {short(answer)}")
    return answer["results"]


def text_of(result):
    data = result.get("data")
    return data["memory"] if isinstance(data, dict) and "memory" in data else result.get("memory")


def event_of(answer):
    """The job of an async_mode add: the platform answers [{"message", "status", "event_id"}]; a dict with
    event_id (or {"results": [...]} holding one) is accepted too."""
    if isinstance(answer, dict) and answer.get("event_id"):
        return answer["event_id"], answer.get("status")
    items = results_of(answer)
    expect(items and items[0].get("event_id"), f"no event_id in {short(answer)}")
    return items[0]["event_id"], items[0].get("status")


def wait_for_event(client, event_id, timeout=60):
    deadline = time.monotonic() + timeout
    event = {}
    while time.monotonic() < deadline:
        response = client.client.get(f"/v1/event/{event_id}/")
        expect(response.status_code == 200, f"GET /v1/event/{event_id}/ answered {response.status_code}: "
                                            f"{response.text[:300]}")
        event = response.json()
        if event.get("status") in ("SUCCEEDED", "FAILED"):
            break
        time.sleep(0.2)
    expect(event.get("status") == "SUCCEEDED", f"event {short(event)}")
    return event


def listed(client, user):
    return results_of(client.get_all(filters={"user_id": user}))


def main():
    expect_version = "1.0.11"

    def version():
        from importlib.metadata import version as installed
        expect(installed("mem0ai") == expect_version, f"mem0ai {installed('mem0ai')} installed")
        _ = mem0

    check("mem0ai 1.0.11 is the client under test", version)
    client = check("construct MemoryClient(api_key, host): ping", MemoryClient, api_key=ALPHA, host=URL)
    if client is None:
        finish("mem0ai 1.0.11 MemoryClient")
    c = client

    def construct():
        expect(c.org_id == "engram" and c.project_id == "alpha", f"org/project {c.org_id!r}/{c.project_id!r}")

    def add_default_async():
        text = "Hi, I'm Robin. I work as an architect in Oslo and I love pho."
        answer = c.add([{"role": "user", "content": text}, {"role": "assistant", "content": "Hello Robin!"}],
                       user_id=OTHER)
        event_id, status = event_of(answer)
        expect(status in ("PENDING", "RUNNING", "SUCCEEDED"), f"status {status!r} in {short(answer)}")
        event = wait_for_event(c, event_id)
        expect(isinstance(event.get("results"), list) and event["results"], f"event results {short(event)}")
        items = listed(c, OTHER)
        expect(items, "nothing listed after the job succeeded")
        expect({r.get("id") for r in event["results"]} & {i["id"] for i in items},
               f"event results {short(event['results'])} not listed")

    def add_infer_false():
        # The user's call: infer=False only, so async_mode is still True (the 1.0.11 default).
        text = f"I like green tea ({RUN})"
        answer = c.add(text, user_id=USER, infer=False, metadata={"kind": "drink"})
        if isinstance(answer, dict) and answer.get("results") and answer["results"][0].get("id"):
            memory_id = answer["results"][0]["id"]
        else:
            event_id, _ = event_of(answer)
            event = wait_for_event(c, event_id)
            expect(event["results"], f"event {short(event)}")
            memory_id = event["results"][0]["id"]
        item = c.get(memory_id)
        expect(item.get("memory") == text, f"memory {short(item)}")
        STATE["tea"], STATE["tea_text"] = memory_id, text

    def add_sync():
        text = f"I live in Lisbon ({RUN})"
        answer = c.add(text, user_id=USER, infer=False, async_mode=False, metadata={"kind": "place"})
        items = results_of(answer)
        expect(len(items) == 1 and items[0].get("event") == "ADD" and items[0].get("id"), f"add {short(answer)}")
        expect(text_of(items[0]) == text, f"text {short(items[0])}")
        STATE["lisbon"] = items[0]["id"]
        more = c.add([{"role": "user", "content": f"My sister plays the cello ({RUN})"},
                      {"role": "user", "content": f"I am allergic to peanuts ({RUN})"}], user_id=USER, infer=False,
                     async_mode=False)
        expect(len(results_of(more)) == 2, f"two messages: {short(more)}")

    def search_default():
        answer = c.search("what do I drink?", user_id=USER)
        items = results_of(answer)
        expect(items and items[0]["id"] == STATE["tea"], f"best hit {short(items[:1])}")
        expect(all(0 <= r.get("score", -1) <= 1 for r in items), f"scores {[r.get('score') for r in items]}")

    def search_filters():
        answer = c.search("where do I live?", filters={"user_id": USER}, top_k=1)
        items = results_of(answer)
        expect(len(items) == 1 and items[0]["id"] == STATE["lisbon"], f"search filters {short(answer)}")

    def search_v10():
        answer = c.search("green tea", user_id=USER, output_format="v1.0")
        expect(isinstance(answer, dict) and isinstance(answer.get("results"), list), f"client gave {short(answer)}")
        raw = c.client.post("/v2/memories/search/", json={"query": "green tea", "user_id": USER,
                                                          "output_format": "v1.0"})
        expect(raw.status_code == 200 and isinstance(raw.json(), list), f"v1.0 answered {raw.status_code}: "
                                                                      f"{raw.text[:300]}")
        expect(raw.json() and raw.json()[0]["id"] == STATE["tea"], f"v1.0 best hit {raw.text[:300]}")

    def search_v11():
        answer = c.search("green tea", user_id=USER, output_format="v1.1")
        expect(results_of(answer)[0]["id"] == STATE["tea"], f"v1.1 {short(answer)}")
        raw = c.client.post("/v2/memories/search/", json={"query": "green tea", "filters": {"user_id": USER},
                                                          "output_format": "v1.1"})
        expect(raw.status_code == 200 and isinstance(raw.json(), dict) and "results" in raw.json(),
               f"v1.1 answered {raw.status_code}: {raw.text[:300]}")

    def search_v1_route():
        for fmt, is_list in (("v1.0", True), ("v1.1", False)):
            raw = c.client.post("/v1/memories/search/", json={"query": "green tea", "user_id": USER,
                                                              "output_format": fmt})
            expect(raw.status_code == 200, f"/v1/memories/search/ {fmt} answered {raw.status_code}: {raw.text[:300]}")
            body = raw.json()
            expect(isinstance(body, list) == is_list, f"{fmt}: {raw.text[:300]}")
            items = body if is_list else body["results"]
            expect(items and items[0]["id"] == STATE["tea"], f"{fmt} best hit {raw.text[:300]}")

    def get_all_v2():
        answer = c.get_all(filters={"user_id": USER})
        items = results_of(answer)
        expect(len(items) == 4, f"4 memories expected, got {len(items)}: {short(answer)}")
        for item in items:
            expect(item.get("user_id") == USER and isinstance(item.get("categories"), list), f"item {short(item)}")
        top_level = results_of(c.get_all(user_id=USER))
        expect(sorted(i["id"] for i in top_level) == sorted(i["id"] for i in items), "user_id top-level differs")
        page = results_of(c.get_all(filters={"user_id": USER}, page=1, page_size=3))
        expect(len(page) == 3, f"page_size=3 gave {len(page)}")
        rest = results_of(c.get_all(filters={"user_id": USER}, page=2, page_size=3))
        expect(len(rest) == 1 and rest[0]["id"] not in {i["id"] for i in page}, f"page 2 {short(rest)}")

    def get():
        item = c.get(STATE["tea"])
        expect(item.get("id") == STATE["tea"] and item.get("memory") == STATE["tea_text"], f"get {short(item)}")
        expect(item.get("user_id") == USER and item.get("metadata") == {"kind": "drink"}, f"get {short(item)}")

    def get_unknown():
        raises(MemoryNotFoundError, c.get, str(uuid.uuid4()))

    def update():
        text = f"I like jasmine tea ({RUN})"
        answer = c.update(STATE["tea"], text=text)
        expect(isinstance(answer, dict), f"update {short(answer)}")
        c.update(STATE["tea"], metadata={"kind": "drink", "strength": "mild"})
        item = c.get(STATE["tea"])
        expect(item["memory"] == text and item["metadata"] == {"kind": "drink", "strength": "mild"}, short(item))
        STATE["tea_new_text"] = text

    def history():
        entries = c.history(STATE["tea"])
        events = [e.get("event") for e in entries]
        expect(events[:1] == ["ADD"] and "UPDATE" in events, f"events {events}")
        update = entries[events.index("UPDATE")]
        expect(update.get("old_memory") == STATE["tea_text"] and update.get("new_memory") == STATE["tea_new_text"],
               f"update entry {short(update)}")

    def delete():
        answer = c.delete(STATE["lisbon"])
        expect(isinstance(answer, dict) and answer.get("message"), f"delete {short(answer)}")
        raises(MemoryNotFoundError, c.get, STATE["lisbon"])

    def delete_all_and_users():
        names = {(e.get("type"), e.get("name")) for e in c.users()["results"]}
        expect(("user", USER) in names, f"users() lacks {USER}: {sorted(names)}")
        answer = c.delete_all(user_id=USER)
        expect(answer.get("message"), f"delete_all {short(answer)}")
        expect(results_of(c.get_all(filters={"user_id": USER})) == [], "memories left after delete_all")
        answer = c.delete_users(user_id=OTHER)
        expect(answer == {"message": "Entity deleted successfully."}, f"delete_users {short(answer)}")
        expect(results_of(c.get_all(filters={"user_id": OTHER})) == [], "memories left after delete_users")

    check("ping gives org engram, project alpha", construct)
    check("add (default async_mode=True) -> job -> SUCCEEDED -> listed", add_default_async)
    check("add infer=False (async_mode default) -> memory stored verbatim", add_infer_false)
    check("add infer=False, async_mode=False -> results", add_sync)
    check("search (v2 route, top-level user_id)", search_default)
    check("search filters + top_k", search_filters)
    check("search output_format v1.0: bare list (wrapped by the client)", search_v10)
    check("search output_format v1.1: {results}", search_v11)
    check("POST /v1/memories/search/ v1.0 list and v1.1 object", search_v1_route)
    check("get_all (v2 route), filters, top-level user_id, page/page_size", get_all_v2)
    check("get", get)
    check("get unknown id -> MemoryNotFoundError", get_unknown)
    check("update text and metadata", update)
    check("history: ADD then UPDATE", history)
    check("delete", delete)
    check("users / delete_all / delete_users", delete_all_and_users)
    finish("mem0ai 1.0.11 MemoryClient")


if __name__ == "__main__":
    main()
