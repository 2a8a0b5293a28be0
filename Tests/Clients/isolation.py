"""Project isolation and key administration over plain HTTP (httpx), against a live Engram.

With ALPHA's key memories are written for user "iso-user"; then BETA's key tries every route on ALPHA's
ids and scopes: each answer must be 404 (never 403) or an empty result, and afterwards ALPHA's memories
must be intact and unchanged. Also: non-admin keys get 403 on /configure, /admin/keys and /reset; the
admin key creates a key of project "gamma" that works at once and is refused (401) at once once revoked.

Environment: ENGRAM_URL, ENGRAM_KEY_ALPHA, ENGRAM_KEY_BETA (non-admin keys of projects "alpha" and "beta"),
ENGRAM_ADMIN_KEY (admin key of project "default"). Run with the .venv-mem0-client interpreter. Prints
`ok NAME` / `FAIL NAME: why` per check and a summary; exits 1 when anything failed.
"""
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clientcheck import check, env, expect, finish, short  # noqa: E402

import httpx  # noqa: E402

URL = env("ENGRAM_URL").rstrip("/")
ALPHA = env("ENGRAM_KEY_ALPHA")
BETA = env("ENGRAM_KEY_BETA")
ADMIN = env("ENGRAM_ADMIN_KEY")
USER = "iso-user"
RUN = uuid.uuid4().hex[:8]


def session(key):
    return httpx.Client(base_url=URL, headers={"Authorization": f"Token {key}"}, timeout=60)


alpha, beta, admin = session(ALPHA), session(BETA), session(ADMIN)
STATE = {"ids": [], "snapshot": {}}


def body(response):
    try:
        return response.json()
    except ValueError:
        return response.text


def ok_json(response, what):
    expect(response.status_code in (200, 201, 202), f"{what} answered {response.status_code}: {response.text[:300]}")
    return response.json()


def items_in(answer):
    """The memories (or entities, or events) an answer lists, whatever its envelope."""
    if isinstance(answer, list):
        return answer
    if isinstance(answer, dict):
        for key in ("results", "memories", "entities", "events"):
            if isinstance(answer.get(key), list):
                return answer[key]
    return None


def expect_hidden(response, what, allow_empty=True):
    """404, or (when allowed) a 2xx that lists nothing. 403 would tell beta the thing exists."""
    status = response.status_code
    expect(status != 403, f"{what} answered 403 (must be 404: never confirm another project's data)")
    if status == 404:
        detail = body(response)
        expect(isinstance(detail, dict) and "detail" in detail, f"{what} 404 body {short(detail)}")
        return
    expect(allow_empty and 200 <= status < 300, f"{what} answered {status}: {response.text[:300]}")
    answer = body(response)
    listed = items_in(answer)
    if listed is not None:
        expect(not any(_mentions_alpha(item) for item in listed), f"{what} lists alpha's data: {short(answer)}")
        return
    # A 2xx without a list: a count of zero, or a message with deleted == 0.
    expect(isinstance(answer, dict), f"{what} answered {status} {short(answer)}")
    for key in ("count", "deleted", "updated"):
        if key in answer:
            expect(answer[key] == 0, f"{what}: {key} = {answer[key]} in {short(answer)}")


def _mentions_alpha(item):
    if not isinstance(item, dict):
        return False
    values = {item.get("id"), item.get("memory_id"), item.get("name"), item.get("user_id"), item.get("entity_id")}
    return bool(values & (set(STATE["ids"]) | {USER, STATE.get("event")}))


# ---------------------------------------------------------------------------------------------------
def setup():
    texts = [f"I like green tea ({RUN})", f"I live in Lisbon ({RUN})", f"My sister plays the cello ({RUN})"]
    added = ok_json(alpha.post("/memories", json={"messages": [{"role": "user", "content": t} for t in texts],
                                                  "user_id": USER, "infer": False, "metadata": {"run": RUN}}),
                    "POST /memories")
    STATE["ids"] = [r["id"] for r in added["results"]]
    expect(len(STATE["ids"]) == 3, f"3 memories expected: {short(added)}")
    first = STATE["ids"][0]
    ok_json(alpha.put(f"/memories/{first}", json={"text": f"I like jasmine tea ({RUN})"}), "PUT /memories/{id}")
    job = ok_json(alpha.post("/memories", json={"messages": [{"role": "user", "content":
                                                              "My name is Ines and I work as a nurse in Porto."}],
                                                "user_id": USER, "async_mode": True}), "POST /memories async_mode")
    STATE["event"] = job.get("event_id")
    expect(STATE["event"], f"no event_id: {short(job)}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        event = ok_json(alpha.get(f"/events/{STATE['event']}"), "GET /events/{id}")
        if event.get("status") in ("SUCCEEDED", "FAILED"):
            break
        time.sleep(0.2)
    STATE["snapshot"] = snapshot()


def snapshot():
    memories = {}
    for memory_id in STATE["ids"]:
        item = ok_json(alpha.get(f"/memories/{memory_id}"), f"alpha GET /memories/{memory_id}")
        history = ok_json(alpha.get(f"/memories/{memory_id}/history"), "alpha history")
        memories[memory_id] = ({k: item.get(k) for k in ("memory", "hash", "metadata", "updated_at", "user_id")},
                               len(history))
    listed = ok_json(alpha.get("/memories", params={"user_id": USER}), "alpha GET /memories")
    return {"memories": memories, "count": listed.get("count", len(listed.get("results", [])))}


# ---------------------------------------------------------------------------------------------------
def per_id_routes():
    """Routes that name one of alpha's memories: 404 only."""
    checks = []
    for n, memory_id in enumerate(STATE["ids"], 1):
        checks += [(f"{name} [alpha memory {n}]", call) for name, call in [
            ("GET /v1/memories/{id}/", lambda i=memory_id: beta.get(f"/v1/memories/{i}/")),
            ("GET /v1/memories/{id} (no slash)", lambda i=memory_id: beta.get(f"/v1/memories/{i}")),
            ("PUT /v1/memories/{id}/", lambda i=memory_id: beta.put(f"/v1/memories/{i}/", json={"text": "beta was here"})),
            ("DELETE /v1/memories/{id}/", lambda i=memory_id: beta.delete(f"/v1/memories/{i}/")),
            ("GET /v1/memories/{id}/history/", lambda i=memory_id: beta.get(f"/v1/memories/{i}/history/")),
            ("GET /memories/{id}", lambda i=memory_id: beta.get(f"/memories/{i}")),
            ("PUT /memories/{id}", lambda i=memory_id: beta.put(f"/memories/{i}", json={"text": "beta was here"})),
            ("DELETE /memories/{id}", lambda i=memory_id: beta.delete(f"/memories/{i}")),
            ("DELETE /memories/{id}?purge=true", lambda i=memory_id: beta.delete(f"/memories/{i}", params={"purge": "true"})),
            ("GET /memories/{id}/history", lambda i=memory_id: beta.get(f"/memories/{i}/history")),
            ("POST /v1/feedback/", lambda i=memory_id: beta.post("/v1/feedback/", json={
                "memory_id": i, "feedback": "NEGATIVE", "feedback_reason": "beta"})),
        ]]
    ids = STATE["ids"]
    checks += [
        ("PUT /v1/batch/ with alpha's ids", lambda: beta.put("/v1/batch/", json={"memories": [
            {"memory_id": i, "text": "beta was here"} for i in ids]})),
        ("DELETE /v1/batch/ with alpha's ids", lambda: beta.request("DELETE", "/v1/batch/", json={"memories": [
            {"memory_id": i} for i in ids]})),
        ("GET /v1/event/{alpha_event}/", lambda: beta.get(f"/v1/event/{STATE['event']}/")),
        ("GET /events/{alpha_event}", lambda: beta.get(f"/events/{STATE['event']}")),
        ("GET alpha's project settings", lambda: beta.get("/api/v1/orgs/organizations/engram/projects/alpha/")),
        ("PATCH alpha's project settings", lambda: beta.patch("/api/v1/orgs/organizations/engram/projects/alpha/",
                                                              json={"custom_instructions": "beta was here"})),
        ("GET alpha's webhooks", lambda: beta.get("/api/v1/webhooks/projects/alpha/")),
        ("GET /v2/entities/user/iso-user/profile/", lambda: beta.get(f"/v2/entities/user/{USER}/profile/")),
    ]
    return checks


def scope_routes():
    """Routes over alpha's scope "iso-user": 404 or an empty result."""
    scope = {"user_id": USER}
    return [
        ("POST /v3/memories/ (get_all)", lambda: beta.post("/v3/memories/", json={"filters": scope})),
        ("POST /v3/memories/ page 1", lambda: beta.post("/v3/memories/", json={"filters": scope},
                                                        params={"page": 1, "page_size": 10})),
        ("POST /v3/memories/search/", lambda: beta.post("/v3/memories/search/", json={
            "query": "tea", "filters": scope, "threshold": 0})),
        ("POST /v3/memories/search/ OR", lambda: beta.post("/v3/memories/search/", json={
            "query": "tea", "filters": {"OR": [scope, {"user_id": "someone-else"}]}, "threshold": 0})),
        ("POST /v2/memories/ (1.x get_all)", lambda: beta.post("/v2/memories/", json={"filters": scope})),
        ("POST /v2/memories/search/ v1.0", lambda: beta.post("/v2/memories/search/", json={
            "query": "tea", "user_id": USER, "output_format": "v1.0"})),
        ("POST /v2/memories/search/ v1.1", lambda: beta.post("/v2/memories/search/", json={
            "query": "tea", "filters": scope, "output_format": "v1.1"})),
        ("POST /v1/memories/search/", lambda: beta.post("/v1/memories/search/", json={"query": "tea", "user_id": USER})),
        ("GET /memories?user_id", lambda: beta.get("/memories", params=scope)),
        ("POST /search", lambda: beta.post("/search", json={"query": "tea", "user_id": USER, "threshold": 0})),
        ("GET /history?user_id", lambda: beta.get("/history", params=scope)),
        ("GET /v1/entities/", lambda: beta.get("/v1/entities/")),
        ("GET /entities", lambda: beta.get("/entities")),
        ("GET /v1/events/", lambda: beta.get("/v1/events/")),
        ("GET /graph/entities?user_id", lambda: beta.get("/graph/entities", params=scope)),
        ("DELETE /v1/memories/?user_id=iso-user", lambda: beta.delete("/v1/memories/", params=scope)),
        ("DELETE /v1/memories/?user_id=*", lambda: beta.delete("/v1/memories/", params={"user_id": "*"})),
        ("DELETE /memories?user_id=iso-user", lambda: beta.delete("/memories", params=scope)),
        ("DELETE /v2/entities/user/iso-user/", lambda: beta.delete(f"/v2/entities/user/{USER}/")),
        ("DELETE /v1/entities/user/iso-user/", lambda: beta.delete(f"/v1/entities/user/{USER}/")),
        ("DELETE /entities/user/iso-user", lambda: beta.delete(f"/entities/user/{USER}")),
    ]


def run_route(name, call, allow_empty):
    def probe():
        expect_hidden(call(), name, allow_empty)
    check(f"beta: {name}", probe)


def webhook_routes():
    """Alpha registers a webhook (a literal public address, so no DNS; nothing in alpha changes while it
    exists, so nothing is delivered); beta may not read, change or delete it."""
    created = ok_json(alpha.post("/api/v1/webhooks/projects/alpha/", json={
        "url": "https://93.184.216.34/engram-iso-hook", "name": f"iso-{RUN}", "event_types": ["memory_add"]}),
        "alpha POST webhook")
    hook = created.get("webhook_id")
    expect(hook, f"no webhook_id: {short(created)}")
    try:
        for name, call in (
                ("PUT /api/v1/webhooks/{alpha_hook}/", lambda: beta.put(f"/api/v1/webhooks/{hook}/", json={
                    "url": "https://93.184.216.34/beta", "name": "beta"})),
                ("DELETE /api/v1/webhooks/{alpha_hook}/", lambda: beta.delete(f"/api/v1/webhooks/{hook}/")),
                ("GET /api/v1/webhooks/{alpha_hook}/deliveries", lambda: beta.get(f"/api/v1/webhooks/{hook}/deliveries")),
                ("GET /api/v1/webhooks/projects/alpha/", lambda: beta.get("/api/v1/webhooks/projects/alpha/")),
                ("POST /api/v1/webhooks/projects/alpha/", lambda: beta.post("/api/v1/webhooks/projects/alpha/", json={
                    "url": "https://93.184.216.34/beta", "name": "beta", "event_types": ["memory_add"]}))):
            response = call()
            expect(response.status_code == 404, f"beta {name} answered {response.status_code}: {response.text[:200]}")
        listed = ok_json(beta.get("/api/v1/webhooks/projects/beta/"), "beta lists its webhooks")
        expect(hook not in [h.get("webhook_id") for h in listed], f"beta lists alpha's webhook: {short(listed)}")
        mine = ok_json(alpha.get("/api/v1/webhooks/projects/alpha/"), "alpha lists its webhooks")
        same = [h for h in mine if h.get("webhook_id") == hook]
        expect(same and same[0].get("name") == f"iso-{RUN}" and same[0].get("url") ==
               "https://93.184.216.34/engram-iso-hook", f"alpha's webhook changed: {short(mine)}")
    finally:
        alpha.delete(f"/api/v1/webhooks/{hook}/")


def alpha_intact():
    now = snapshot()
    before = STATE["snapshot"]
    expect(now["count"] == before["count"], f"alpha lists {now['count']} memories, had {before['count']}")
    for memory_id, (fields, history) in before["memories"].items():
        after_fields, after_history = now["memories"][memory_id]
        expect(after_fields == fields, f"{memory_id} changed: {short(fields)} -> {short(after_fields)}")
        expect(after_history == history, f"{memory_id} history {history} -> {after_history} entries")
    event = ok_json(alpha.get(f"/events/{STATE['event']}"), "alpha GET /events/{id}")
    expect(event.get("id") == STATE["event"], f"event {short(event)}")
    names = [(e.get("type"), e.get("id") or e.get("name")) for e in items_in(ok_json(alpha.get("/entities"), "alpha entities"))]
    expect(("user", USER) in names, f"alpha's entity gone: {names}")


def alpha_platform_view():
    """Alpha itself still reaches everything through the platform routes (so the 404s above are isolation,
    not missing routes)."""
    for memory_id in STATE["ids"]:
        ok_json(alpha.get(f"/v1/memories/{memory_id}/"), f"alpha GET /v1/memories/{memory_id}/")
        ok_json(alpha.get(f"/v1/memories/{memory_id}/history/"), "alpha history")
    page = ok_json(alpha.post("/v3/memories/", json={"filters": {"user_id": USER}}), "alpha POST /v3/memories/")
    expect(page.get("count") == STATE["snapshot"]["count"], f"alpha v3 count {short(page)}")
    found = ok_json(alpha.post("/v3/memories/search/", json={"query": "tea", "filters": {"user_id": USER}}),
                    "alpha search")
    expect(found.get("results"), f"alpha search found nothing: {short(found)}")
    event = ok_json(alpha.get(f"/v1/event/{STATE['event']}/"), "alpha GET /v1/event/{id}/")
    expect(event.get("status") == "SUCCEEDED", f"event {short(event)}")


def admin_is_confined():
    for memory_id in STATE["ids"]:
        response = admin.get(f"/v1/memories/{memory_id}/")
        expect(response.status_code == 404, f"admin (project default) GET alpha's memory: {response.status_code}")
        response = admin.get(f"/memories/{memory_id}")
        expect(response.status_code == 404, f"admin GET /memories/{{id}}: {response.status_code}")
    listed = ok_json(admin.get("/memories", params={"user_id": USER}), "admin GET /memories")
    expect(not listed.get("results"), f"admin lists alpha's memories: {short(listed)}")


def non_admin_refused():
    for key_name, client in (("alpha", alpha), ("beta", beta)):
        for method, path, payload in (("POST", "/configure", {"llm": {"provider": "openai"}}),
                                      ("GET", "/configure", None),
                                      ("GET", "/admin/keys", None),
                                      ("POST", "/admin/keys", {"project": "alpha", "admin": True}),
                                      ("DELETE", "/admin/keys/nope", None),
                                      ("POST", "/reset", None)):
            response = client.request(method, path, json=payload)
            if method == "GET" and path == "/configure":
                # Reading the configuration (secrets redacted) may be allowed; writing it may not.
                expect(response.status_code in (200, 403), f"{key_name} GET /configure: {response.status_code}")
                continue
            expect(response.status_code == 403, f"{key_name} {method} {path} answered {response.status_code}: "
                                                f"{response.text[:200]}")
            expect(isinstance(body(response), dict) and "detail" in body(response), f"403 body {response.text[:200]}")


def key_lifecycle():
    created = admin.post("/admin/keys", json={"project": "gamma"})
    expect(created.status_code == 201, f"POST /admin/keys answered {created.status_code}: {created.text[:300]}")
    record = created.json()
    for key in ("id", "key", "project"):
        expect(key in record, f"POST /admin/keys lacks {key!r}: {short(record)}")
    expect(record["project"] == "gamma", f"project {record['project']!r}")
    gamma = session(record["key"])
    ping = gamma.get("/v1/ping/")
    expect(ping.status_code == 200 and ping.json().get("project_id") == "gamma", f"gamma ping {ping.status_code}: "
                                                                              f"{ping.text[:300]}")
    wrote = gamma.post("/memories", json={"messages": "gamma note", "user_id": USER, "infer": False})
    expect(wrote.status_code == 200, f"gamma add {wrote.status_code}")
    listed = ok_json(admin.get("/admin/keys"), "GET /admin/keys")
    records = items_in(listed) or []
    mine = [r for r in records if r.get("id") == record["id"]]
    expect(mine and mine[0].get("project") == "gamma", f"new key not listed: {short(listed)}")
    expect(all("key" not in r for r in records), "GET /admin/keys shows a key itself")
    revoked = admin.delete(f"/admin/keys/{record['id']}")
    expect(revoked.status_code == 200, f"DELETE /admin/keys/{{id}} answered {revoked.status_code}: {revoked.text[:200]}")
    refused = gamma.get("/v1/ping/")
    expect(refused.status_code == 401, f"a revoked key pinged {refused.status_code}")
    refused = gamma.get("/memories", params={"user_id": USER})
    expect(refused.status_code == 401, f"a revoked key listed {refused.status_code}")
    again = admin.delete(f"/admin/keys/{record['id']}")
    expect(again.status_code == 404, f"revoking twice answered {again.status_code}")
    # gamma's memory is invisible to alpha
    expect(ok_json(alpha.get("/memories", params={"user_id": USER}), "alpha list")["count"] ==
           STATE["snapshot"]["count"], "gamma's memory shows up in alpha")


def bad_key():
    for headers in ({"Authorization": f"Token nope-{RUN}"}, {"Authorization": f"Bearer nope-{RUN}"},
                    {"X-API-Key": f"nope-{RUN}"}, {}):
        response = httpx.get(f"{URL}/v1/ping/", headers=headers)
        expect(response.status_code == 401, f"{list(headers) or 'no key'}: {response.status_code}")
        expect("WWW-Authenticate" in response.headers, "401 without WWW-Authenticate")


def main():
    if check("setup: alpha writes, updates and infers for iso-user", setup) is None and not STATE["ids"]:
        finish("isolation")
    for name, call in per_id_routes():
        run_route(name, call, allow_empty=False)
    for name, call in scope_routes():
        run_route(name, call, allow_empty=True)
    check("beta cannot read, change or delete alpha's webhook (404)", webhook_routes)
    check("alpha's memories intact and unchanged", alpha_intact)
    check("alpha reads them through the platform routes", alpha_platform_view)
    check("the admin key of project default does not see alpha's memories", admin_is_confined)
    check("non-admin keys: /configure, /admin/keys, /reset -> 403", non_admin_refused)
    check("admin creates a gamma key; it works; revoked -> 401 at once", key_lifecycle)
    check("bad or missing key -> 401 with WWW-Authenticate", bad_key)
    check("alpha still intact at the end", alpha_intact)
    finish("isolation")


if __name__ == "__main__":
    main()
