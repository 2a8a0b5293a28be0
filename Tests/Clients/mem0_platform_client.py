"""mem0's official hosted-platform SDK (PyPI mem0ai 2.2.1: MemoryClient and AsyncMemoryClient) against a live
Engram, every method called exactly as a user calls it, every answer checked as the client returns it.

Environment:
  ENGRAM_URL         the server, e.g. http://127.0.0.1:8765
  ENGRAM_KEY_ALPHA   a non-admin key of project "alpha" (every memory here is written with it)
  ENGRAM_KEY_BETA    a non-admin key of project "beta"
  ENGRAM_ADMIN_KEY   the admin key of project "default"
The server runs without an LLM (heuristic extraction): exports and summaries answer 501, profiles are
`not_enabled`; and without --allow-private-webhooks, so a loopback webhook URL is refused.

Run with the .venv-mem0-client interpreter (scripts/client-venvs.sh). Prints `ok NAME` / `FAIL NAME: why`
per check and a summary; exits 1 when anything failed. reset() and delete_users() empty project alpha.
"""
import asyncio
import datetime
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clientcheck import acheck, araises, check, env, expect, finish, raises, short  # noqa: E402

import httpx  # noqa: E402
from mem0 import AsyncMemoryClient, MemoryClient  # noqa: E402
from mem0.client.types import (AddMemoryOptions, DeleteAllMemoryOptions, GetAllMemoryOptions,  # noqa: E402
                               SearchMemoryOptions, UpdateMemoryOptions)
from mem0.exceptions import AuthenticationError, MemoryError as Mem0Error  # noqa: E402
from mem0.exceptions import MemoryNotFoundError, MemoryQuotaExceededError, ValidationError  # noqa: E402

URL = env("ENGRAM_URL").rstrip("/")
ALPHA = env("ENGRAM_KEY_ALPHA")
BETA = env("ENGRAM_KEY_BETA")
ADMIN = env("ENGRAM_ADMIN_KEY")
RUN = uuid.uuid4().hex[:8]

ITEM_KEYS = ("id", "memory", "user_id", "metadata", "categories", "created_at", "updated_at")
TERMINAL = ("SUCCEEDED", "FAILED")
PUBLIC_HOOK = "https://93.184.216.34/engram-hook"  # a literal public address: accepted without DNS


def memory_text_of(result):
    """The text of one add result: the platform nests it as data.memory; Engram's OSS shape is memory."""
    data = result.get("data")
    if isinstance(data, dict) and "memory" in data:
        return data["memory"]
    return result.get("memory")


def ids_of(page):
    return [item["id"] for item in page["results"]]


def expect_item(item, text=None, **fields):
    expect(isinstance(item, dict), f"not an object: {short(item)}")
    missing = [key for key in ITEM_KEYS if key not in item]
    expect(not missing, f"memory lacks {missing}: {short(item)}")
    expect(isinstance(item["categories"], list), f"categories is not a list: {short(item['categories'])}")
    if text is not None:
        expect(item["memory"] == text, f"memory {item['memory']!r} != {text!r}")
    for key, value in fields.items():
        expect(item.get(key) == value, f"{key} {item.get(key)!r} != {value!r} in {short(item)}")


def expect_page(page):
    expect(isinstance(page, dict), f"not a paginated object: {short(page)}")
    for key in ("count", "next", "previous", "results"):
        expect(key in page, f"page lacks {key!r}: {short(page)}")
    expect(isinstance(page["results"], list), f"results is not a list: {short(page)}")
    for item in page["results"]:
        expect(isinstance(item.get("categories"), list), f"categories not a list on {short(item)}")


def expect_not_implemented(error):
    """501 without an LLM: mem0ai 2.2.1 has no class for 501, so it raises the base mem0 MemoryError."""
    expect(type(error) is Mem0Error, f"expected mem0.exceptions.MemoryError itself, got {type(error).__name__}")
    expect(error.error_code == "HTTP_501", f"error_code {error.error_code!r} != 'HTTP_501'")
    expect("llm" in str(error.message).lower(), f"detail does not say an LLM is required: {error.message!r}")


def iso(moment):
    return moment.astimezone(datetime.timezone.utc).isoformat()


class Suite:
    """Every method of one client. `sync` clients are called directly, async ones awaited."""

    def __init__(self, label, client, http):
        self.label, self.c, self.http = label, client, http
        self.user = f"plat-{label}-{RUN}"
        self.other = f"plat-{label}-other-{RUN}"
        self.agent = f"agent-{label}-{RUN}"
        self.app = f"app-{label}-{RUN}"
        self.run = f"run-{label}-{RUN}"
        self.ids = {}

    async def call(self, function, *args, **kwargs):
        value = function(*args, **kwargs)
        return await value if asyncio.iscoroutine(value) else value

    async def check(self, name, function, *args, **kwargs):
        return await acheck(f"{self.label}.{name}", function, *args, **kwargs)

    async def raises(self, kind, function, *args, **kwargs):
        return await araises(kind, self.call, function, *args, **kwargs)

    async def get_json(self, path):
        response = await self.call(self.http.get, path)
        expect(response.status_code == 200, f"GET {path} answered {response.status_code}: {response.text[:300]}")
        return response.json()

    # ------------------------------------------------------------------------------------------------
    async def run_all(self):
        await self.check("construct: ping gives org engram, project alpha", self.construct)
        await self.check("add infer=False (top-level user_id, metadata)", self.add_sync)
        await self.check("add infer=False answer: message, status SUCCEEDED, event_id", self.add_sync_envelope)
        await self.check("add infer=False (scope in filters)", self.add_filters_scope)
        await self.check("add infer=False with agent_id, app_id, run_id", self.add_all_scopes)
        await self.check("add infer=False, several messages: one memory each", self.add_several)
        await self.check("add (default: async inference) -> event SUCCEEDED -> listed", self.add_async_inference)
        await self.check("GET /v1/events/ lists the event", self.events_list)
        await self.check("get", self.get)
        await self.check("get: app_id, agent_id and the run as session_id", self.get_all_scopes)
        await self.check("get unknown id -> MemoryNotFoundError", self.get_unknown)
        await self.check("get_all by user", self.get_all_user)
        await self.check("get_all pagination page/page_size", self.get_all_pages)
        await self.check("get_all filters AND + metadata", self.get_all_and)
        await self.check("get_all filters OR over users", self.get_all_or)
        await self.check("get_all filters NOT", self.get_all_not)
        await self.check("get_all created_at range", self.get_all_created_range)
        await self.check("get_all start_date/end_date", self.get_all_dates)
        await self.check("get_all categories", self.get_all_categories)
        await self.check("get_all by agent_id, app_id and run_id filters", self.get_all_other_scopes)
        await self.check("get_all without an entity id -> ValidationError", self.get_all_unscoped)
        await self.check("get_all unknown top-level filter key -> ValidationError", self.get_all_bad_key)
        await self.check("get_all top-level user_id -> ValueError (client-side)", self.get_all_top_level)
        await self.check("search", self.search)
        await self.check("search top_k", self.search_top_k)
        await self.check("search threshold", self.search_threshold)
        await self.check("search filters AND + metadata", self.search_filters)
        await self.check("search categories", self.search_categories)
        await self.check("search keyword_search", self.search_keyword)
        await self.check("search rerank=False", self.search_rerank_false)
        await self.check("search names the run run_id", self.search_run_id)
        await self.check("search without an entity id -> ValidationError", self.search_unscoped)
        await self.check("update text", self.update_text)
        await self.check("update metadata", self.update_metadata)
        await self.check("update expiration_date=None clears it", self.update_expiration)
        await self.check("update unknown id -> MemoryNotFoundError", self.update_unknown)
        await self.check("history: ADD then UPDATE, oldest first", self.history)
        await self.check("history unknown id -> MemoryNotFoundError", self.history_unknown)
        await self.check("feedback", self.feedback)
        await self.check("feedback unknown id -> MemoryNotFoundError", self.feedback_unknown)
        await self.check("batch_update", self.batch_update)
        await self.check("batch_update unknown id -> MemoryNotFoundError", self.batch_update_unknown)
        await self.check("batch_delete", self.batch_delete)
        await self.check("batch_delete of 1001 -> refused (400/413)", self.batch_delete_too_many)
        await self.check("delete", self.delete)
        await self.check("delete delete_linked=True", self.delete_linked)
        await self.check("delete unknown id -> MemoryNotFoundError", self.delete_unknown)
        await self.check("delete_all(user_id=...)", self.delete_all_user)
        await self.check("delete_all(filters={'user_id': ...}) (sent as ?filters=<python repr>)",
                         self.delete_all_filters)
        await self.check("typed options: AddMemoryOptions, SearchMemoryOptions, GetAllMemoryOptions, "
                         "UpdateMemoryOptions", self.typed_options)
        await self.check("users()", self.users)
        await self.check("delete_users(user_id=...)", self.delete_users_one)
        await self.check("delete_users(user_id=unknown) -> MemoryNotFoundError", self.delete_users_unknown)
        await self.check("get_project / project.get", self.get_project)
        await self.check("update_project custom_instructions + custom_categories", self.update_project)
        await self.check("add infer=False uses the custom categories", self.custom_categories_used)
        await self.check("project.update", self.project_update)
        await self.check("create_memory_export -> 501 (no LLM)", self.export_create)
        await self.check("get_memory_export -> 501 (no LLM)", self.export_get)
        await self.check("get_summary -> 501 (no LLM)", self.summary)
        await self.check("get_profile_settings", self.profile_settings)
        await self.check("update_profile_settings", self.profile_settings_update)
        await self.check("get_profile: not_enabled", self.profile_get)
        await self.check("get_profile unknown user -> MemoryNotFoundError", self.profile_unknown)
        await self.check("generate_profile refused without an LLM", self.profile_generate)
        await self.check("sample_profiles refused without an LLM", self.profile_sample)
        await self.check("get_profile_job unknown -> MemoryNotFoundError", self.profile_job_unknown)
        await self.check("get_webhooks", self.webhooks_get)
        await self.check("create_webhook on loopback -> ValidationError", self.webhook_loopback)
        await self.check("create/update/delete_webhook (public URL, no delivery)", self.webhook_cycle)
        await self.check("delete_all(user_id='*') empties every user, keeps agent-only", self.delete_all_star)
        await self.check("delete_users() (all)", self.delete_users_all)
        await self.check("reset()", self.reset)

    # ------------------------------------------------------------------------------------------------
    async def construct(self):
        expect(self.c.org_id == "engram", f"org_id {self.c.org_id!r} != 'engram'")
        expect(self.c.project_id == "alpha", f"project_id {self.c.project_id!r} != 'alpha'")
        ping = await self.get_json("/v1/ping/")
        expect(ping.get("status") == "ok", f"ping {short(ping)}")
        expect(ping.get("project_id") == "alpha" and ping.get("org_id") == "engram", f"ping {short(ping)}")
        expect("user_email" in ping, f"ping lacks user_email: {short(ping)}")

    async def add_sync(self):
        text = f"I like green tea with honey ({self.label})"
        result = await self.call(self.c.add, text, user_id=self.user, infer=False,
                                 metadata={"kind": "drink", "rank": 1})
        expect(isinstance(result, dict) and isinstance(result.get("results"), list), f"add answered {short(result)}")
        expect(len(result["results"]) == 1, f"one memory expected: {short(result)}")
        first = result["results"][0]
        expect(first.get("event") == "ADD" and first.get("id"), f"result {short(first)}")
        expect(memory_text_of(first) == text, f"memory text in {short(first)}")
        self.ids["tea"] = first["id"]
        self.ids["tea_text"] = text

    async def add_sync_envelope(self):
        # The platform's synchronous answer: {"message", "status", "event_id", "results": [...]}.
        result = await self.call(self.c.add, f"I keep a paper diary ({self.label})", user_id=self.other, infer=False)
        expect(result.get("message") and result.get("status") == "SUCCEEDED", f"add answered {short(result)}")
        expect(result.get("event_id"), f"no event_id in {short(result)}")

    async def add_filters_scope(self):
        text = f"I live in Lisbon ({self.label})"
        result = await self.call(self.c.add, [{"role": "user", "content": text}], filters={"user_id": self.user},
                                 infer=False, metadata={"kind": "place", "rank": 2})
        first = result["results"][0]
        expect(first.get("event") == "ADD", f"result {short(result)}")
        item = await self.call(self.c.get, first["id"])
        expect(item.get("user_id") == self.user, f"user_id from filters not applied: {short(item)}")
        self.ids["lisbon"] = first["id"]

    async def add_all_scopes(self):
        text = f"The deploy runbook lives in the ops wiki ({self.label})"
        result = await self.call(self.c.add, {"role": "user", "content": text}, user_id=self.user,
                                 agent_id=self.agent, app_id=self.app, run_id=self.run, infer=False,
                                 metadata={"kind": "work", "rank": 3})
        first = result["results"][0]
        expect(first.get("event") == "ADD", f"result {short(result)}")
        self.ids["scoped"] = first["id"]

    async def add_several(self):
        texts = [f"My sister plays the cello ({self.label})", f"I am allergic to peanuts ({self.label})",
                 f"I run every Sunday morning ({self.label})"]
        result = await self.call(self.c.add, [{"role": "user", "content": t} for t in texts],
                                 user_id=self.user, infer=False, metadata={"kind": "misc"})
        expect(len(result["results"]) == 3, f"3 memories expected: {short(result)}")
        expect(sorted(memory_text_of(r) for r in result["results"]) == sorted(texts), f"texts {short(result)}")
        self.ids["several"] = [r["id"] for r in result["results"]]

    async def add_async_inference(self):
        result = await self.call(self.c.add, [
            {"role": "user", "content": "Hi! My name is Dana, I work as a pharmacist in Porto and I love ramen."},
            {"role": "assistant", "content": "Nice to meet you, Dana!"}], user_id=self.other)
        expect(isinstance(result, dict) and result.get("event_id"), f"no event_id: {short(result)}")
        expect(result.get("status") in ("PENDING", "RUNNING", "SUCCEEDED"), f"status {short(result)}")
        event_id = result["event_id"]
        self.ids["event"] = event_id
        event = {}
        for _ in range(300):
            event = await self.get_json(f"/v1/event/{event_id}/")
            if event.get("status") in TERMINAL:
                break
            await asyncio.sleep(0.2)
        expect(event.get("status") == "SUCCEEDED", f"event {short(event)}")
        expect(event.get("id") == event_id, f"event id {short(event)}")
        expect(isinstance(event.get("results"), list) and event["results"], f"event has no results: {short(event)}")
        page = await self.call(self.c.get_all, filters={"user_id": self.other})
        expect_page(page)
        expect(page["count"] >= 1 and page["results"], f"inferred memory not listed: {short(page)}")
        event_ids = {r.get("id") for r in event["results"]}
        expect(event_ids & set(ids_of(page)), f"event results {short(event['results'])} not in {ids_of(page)}")

    async def events_list(self):
        answer = await self.get_json("/v1/events/")
        events = answer if isinstance(answer, list) else answer.get("results")
        expect(isinstance(events, list), f"/v1/events/ answered {short(answer)}")
        expect(self.ids.get("event") in {e.get("id") for e in events}, f"event missing from {short(answer)}")

    async def get(self):
        item = await self.call(self.c.get, self.ids["tea"])
        expect_item(item, self.ids["tea_text"], id=self.ids["tea"], user_id=self.user,
                    metadata={"kind": "drink", "rank": 1})

    async def get_all_scopes(self):
        item = await self.call(self.c.get, self.ids["scoped"])
        expect_item(item, user_id=self.user, agent_id=self.agent, app_id=self.app, session_id=self.run)

    async def get_unknown(self):
        error = await self.raises(MemoryNotFoundError, self.c.get, str(uuid.uuid4()))
        expect(error.error_code == "HTTP_404", f"error_code {error.error_code}")

    async def get_all_user(self):
        page = await self.call(self.c.get_all, filters={"user_id": self.user})
        expect_page(page)
        expect(page["count"] == 6 and len(page["results"]) == 6, f"6 memories expected: {short(page)}")
        for item in page["results"]:
            expect_item(item, user_id=self.user)
        expect(self.ids["tea"] in ids_of(page), "tea memory missing")

    async def get_all_pages(self):
        seen = []
        first = await self.call(self.c.get_all, filters={"user_id": self.user}, page=1, page_size=4)
        expect_page(first)
        expect(first["count"] == 6 and len(first["results"]) == 4, f"page 1: {short(first)}")
        expect(first["next"] and first["previous"] is None, f"page 1 links next={first['next']!r} "
                                                            f"previous={first['previous']!r}")
        seen += ids_of(first)
        second = await self.call(self.c.get_all, filters={"user_id": self.user}, page=2, page_size=4)
        expect(len(second["results"]) == 2, f"page 2: {short(second)}")
        expect(second["next"] is None and second["previous"], f"page 2 links next={second['next']!r} "
                                                              f"previous={second['previous']!r}")
        seen += ids_of(second)
        expect(len(set(seen)) == 6, f"pages overlap or miss: {seen}")
        beyond = await self.call(self.c.get_all, filters={"user_id": self.user}, page=3, page_size=4)
        expect(beyond["results"] == [], f"page 3 not empty: {short(beyond)}")

    async def get_all_and(self):
        page = await self.call(self.c.get_all, filters={"AND": [{"user_id": self.user},
                                                                {"metadata": {"kind": "drink"}}]})
        expect(ids_of(page) == [self.ids["tea"]], f"AND metadata: {short(page)}")

    async def get_all_or(self):
        page = await self.call(self.c.get_all, filters={"OR": [{"user_id": self.user}, {"user_id": self.other}]})
        expect(page["count"] >= 7, f"OR over two users: {short(page)}")
        users = {item.get("user_id") for item in page["results"]}
        expect(users == {self.user, self.other}, f"users {users}")
        inner = await self.call(self.c.get_all, filters={"AND": [{"user_id": self.user}, {"OR": [
            {"metadata": {"kind": "drink"}}, {"metadata": {"kind": "place"}}]}]})
        expect(sorted(ids_of(inner)) == sorted([self.ids["tea"], self.ids["lisbon"]]), f"nested OR {short(inner)}")

    async def get_all_not(self):
        page = await self.call(self.c.get_all, filters={"AND": [{"user_id": self.user},
                                                                {"NOT": [{"metadata": {"kind": "misc"}}]}]})
        expect(sorted(ids_of(page)) == sorted([self.ids["tea"], self.ids["lisbon"], self.ids["scoped"]]),
               f"NOT misc: {short(page)}")

    async def get_all_created_range(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        within = await self.call(self.c.get_all, filters={"AND": [
            {"user_id": self.user}, {"created_at": {"gte": iso(now - datetime.timedelta(hours=1))}},
            {"created_at": {"lte": iso(now + datetime.timedelta(minutes=5))}}]})
        expect(within["count"] == 6, f"created_at in the last hour: {short(within)}")
        future = await self.call(self.c.get_all, filters={"AND": [
            {"user_id": self.user}, {"created_at": {"gt": iso(now + datetime.timedelta(days=1))}}]})
        expect(future["count"] == 0 and future["results"] == [], f"created_at in the future: {short(future)}")

    async def get_all_dates(self):
        today = datetime.datetime.now(datetime.timezone.utc)
        within = await self.call(self.c.get_all, filters={"user_id": self.user},
                                 start_date=(today - datetime.timedelta(days=1)).date().isoformat(),
                                 end_date=(today + datetime.timedelta(days=1)).date().isoformat())
        expect(within["count"] == 6, f"start/end date around today: {short(within)}")
        later = await self.call(self.c.get_all, filters={"user_id": self.user},
                                start_date=(today + datetime.timedelta(days=2)).date().isoformat())
        expect(later["count"] == 0, f"start_date in two days: {short(later)}")

    async def get_all_categories(self):
        page = await self.call(self.c.get_all, filters={"user_id": self.user})
        categorised = [item for item in page["results"] if item["categories"]]
        none = await self.call(self.c.get_all, filters={"user_id": self.user}, categories=[f"nosuch-{RUN}"])
        expect(none["count"] == 0, f"an unknown category matched: {short(none)}")
        expect(categorised, f"no memory has a category: {[(i['memory'], i['categories']) for i in page['results']]}")
        category = categorised[0]["categories"][0]
        chosen = await self.call(self.c.get_all, filters={"user_id": self.user}, categories=[category])
        expect(categorised[0]["id"] in ids_of(chosen), f"categories=[{category!r}] misses its memory")
        for item in chosen["results"]:
            expect(category in item["categories"], f"{category!r} not in {item['categories']}")
        in_filter = await self.call(self.c.get_all, filters={"AND": [{"user_id": self.user},
                                                                     {"categories": {"in": [category]}}]})
        expect(sorted(ids_of(in_filter)) == sorted(ids_of(chosen)), f"categories in-filter {short(in_filter)}")

    async def get_all_other_scopes(self):
        for key, value in (("agent_id", self.agent), ("app_id", self.app), ("run_id", self.run)):
            page = await self.call(self.c.get_all, filters={key: value})
            expect(ids_of(page) == [self.ids["scoped"]], f"filters {key}: {short(page)}")

    async def get_all_unscoped(self):
        error = await self.raises(ValidationError, self.c.get_all, filters={"metadata": {"kind": "drink"}})
        expect(error.error_code in ("HTTP_400", "HTTP_422"), f"error_code {error.error_code}")

    async def get_all_bad_key(self):
        await self.raises(ValidationError, self.c.get_all, filters={"user_id": self.user, "colour": "red"})

    async def get_all_top_level(self):
        await self.raises(ValueError, self.c.get_all, user_id=self.user)

    async def search(self):
        answer = await self.call(self.c.search, "what do I like to drink?", filters={"user_id": self.user})
        expect(isinstance(answer, dict) and isinstance(answer.get("results"), list), f"search {short(answer)}")
        results = answer["results"]
        expect(results, "no results")
        expect(results[0]["id"] == self.ids["tea"], f"best hit {results[0].get('memory')!r}, not the tea")
        scores = [r.get("score") for r in results]
        expect(all(isinstance(s, (int, float)) and 0 <= s <= 1 for s in scores), f"scores {scores}")
        expect(scores == sorted(scores, reverse=True), f"not best first: {scores}")
        for item in results:
            expect(isinstance(item.get("categories"), list), f"categories on {short(item)}")
            expect(item.get("user_id") == self.user, f"user_id on {short(item)}")

    async def search_top_k(self):
        answer = await self.call(self.c.search, "what do I like?", filters={"user_id": self.user}, top_k=2)
        expect(len(answer["results"]) <= 2, f"top_k=2 gave {len(answer['results'])}")
        one = await self.call(self.c.search, "green tea", filters={"user_id": self.user}, top_k=1, threshold=0)
        expect(len(one["results"]) == 1, f"top_k=1 gave {len(one['results'])}")

    async def search_threshold(self):
        loose = await self.call(self.c.search, "green tea", filters={"user_id": self.user}, threshold=0.0)
        expect(len(loose["results"]) == 6, f"threshold 0: {len(loose['results'])} results, 6 expected")
        strict = await self.call(self.c.search, "green tea", filters={"user_id": self.user}, threshold=0.999)
        expect(all(r["score"] >= 0.999 for r in strict["results"]), f"threshold 0.999: {short(strict)}")
        expect(len(strict["results"]) < 6, "threshold 0.999 kept everything")

    async def search_filters(self):
        answer = await self.call(self.c.search, "where do I live?", filters={"AND": [
            {"user_id": self.user}, {"metadata": {"kind": "place"}}]}, threshold=0)
        expect(ids_of(answer) == [self.ids["lisbon"]], f"search AND metadata: {short(answer)}")
        either = await self.call(self.c.search, "anything", filters={"OR": [{"user_id": self.user},
                                                                          {"user_id": self.other}]},
                                 threshold=0, top_k=100)
        expect({r.get("user_id") for r in either["results"]} == {self.user, self.other}, f"OR {short(either)}")

    async def search_categories(self):
        page = await self.call(self.c.get_all, filters={"user_id": self.user})
        categorised = [item for item in page["results"] if item["categories"]]
        expect(categorised, "no memory has a category")
        category = categorised[0]["categories"][0]
        answer = await self.call(self.c.search, categorised[0]["memory"], filters={"user_id": self.user},
                                 categories=[category], threshold=0)
        expect(categorised[0]["id"] in ids_of(answer), f"categories=[{category!r}] misses its memory")
        for item in answer["results"]:
            expect(category in item["categories"], f"{category!r} not in {item['categories']}")
        none = await self.call(self.c.search, "tea", filters={"user_id": self.user}, categories=[f"nosuch-{RUN}"],
                               threshold=0)
        expect(none["results"] == [], f"unknown category matched: {short(none)}")

    async def search_keyword(self):
        answer = await self.call(self.c.search, "peanuts", filters={"user_id": self.user}, keyword_search=True)
        expect(answer["results"] and "peanuts" in answer["results"][0]["memory"], f"keyword: {short(answer)}")

    async def search_rerank_false(self):
        answer = await self.call(self.c.search, "green tea", filters={"user_id": self.user}, rerank=False)
        expect(answer["results"] and answer["results"][0]["id"] == self.ids["tea"], f"rerank=False {short(answer)}")

    async def search_run_id(self):
        answer = await self.call(self.c.search, "deploy runbook", filters={"run_id": self.run}, threshold=0)
        expect(ids_of(answer) == [self.ids["scoped"]], f"search by run_id: {short(answer)}")
        item = answer["results"][0]
        expect(item.get("run_id") == self.run, f"run_id {item.get('run_id')!r} in {short(item)}")
        expect(item.get("agent_id") == self.agent and item.get("app_id") == self.app, f"scope on {short(item)}")

    async def search_unscoped(self):
        await self.raises(ValidationError, self.c.search, "tea", filters={"metadata": {"kind": "drink"}})

    async def update_text(self):
        text = f"I like jasmine tea ({self.label})"
        answer = await self.call(self.c.update, self.ids["tea"], text=text)
        expect(isinstance(answer, dict), f"update answered {short(answer)}")
        item = await self.call(self.c.get, self.ids["tea"])
        expect_item(item, text)
        self.ids["tea_new_text"] = text

    async def update_metadata(self):
        await self.call(self.c.update, self.ids["tea"], metadata={"kind": "drink", "rank": 10})
        item = await self.call(self.c.get, self.ids["tea"])
        expect(item["metadata"] == {"kind": "drink", "rank": 10}, f"metadata {item['metadata']!r}")
        expect(item["memory"] == self.ids["tea_new_text"], f"text changed by a metadata update: {item['memory']!r}")

    async def update_expiration(self):
        result = await self.call(self.c.add, f"Temporary parking pass ({self.label})", user_id=self.other,
                                 infer=False, expiration_date="2099-12-31")
        memory_id = result["results"][0]["id"]
        item = await self.call(self.c.get, memory_id)
        expect(str(item.get("expiration_date", "")).startswith("2099-12-31"), f"expiration {short(item)}")
        await self.call(self.c.update, memory_id, expiration_date=None)
        item = await self.call(self.c.get, memory_id)
        expect(item.get("expiration_date") is None, f"expiration not cleared: {short(item)}")

    async def update_unknown(self):
        await self.raises(MemoryNotFoundError, self.c.update, str(uuid.uuid4()), text="nothing")

    async def history(self):
        entries = await self.call(self.c.history, self.ids["tea"])
        expect(isinstance(entries, list) and len(entries) >= 2, f"history {short(entries)}")
        events = [entry.get("event") for entry in entries]
        expect(events[0] == "ADD" and "UPDATE" in events[1:], f"events {events}")
        expect(all(entry.get("memory_id") == self.ids["tea"] for entry in entries), f"memory_id {short(entries)}")
        update = entries[events.index("UPDATE")]
        expect(update.get("old_memory") == self.ids["tea_text"], f"old_memory {update.get('old_memory')!r}")
        expect(update.get("new_memory") == self.ids["tea_new_text"], f"new_memory {update.get('new_memory')!r}")
        times = [entry.get("created_at") for entry in entries]
        expect(times == sorted(times), f"not oldest first: {times}")

    async def history_unknown(self):
        await self.raises(MemoryNotFoundError, self.c.history, str(uuid.uuid4()))

    async def feedback(self):
        answer = await self.call(self.c.feedback, self.ids["tea"], "positive", "spot on")
        expect(isinstance(answer, dict), f"feedback {short(answer)}")
        expect(answer.get("feedback") == "POSITIVE" and answer.get("feedback_reason") == "spot on",
               f"feedback answered {short(answer)}")
        cleared = await self.call(self.c.feedback, self.ids["tea"], None)
        expect(cleared.get("feedback") is None, f"feedback=None answered {short(cleared)}")
        await self.raises(ValueError, self.c.feedback, self.ids["tea"], "meh")

    async def feedback_unknown(self):
        await self.raises(MemoryNotFoundError, self.c.feedback, str(uuid.uuid4()), "NEGATIVE")

    async def batch_update(self):
        first, second, _ = self.ids["several"]
        answer = await self.call(self.c.batch_update, [
            {"memory_id": first, "text": f"My sister plays the viola ({self.label})"},
            {"memory_id": second, "metadata": {"kind": "health"}}])
        expect(isinstance(answer, dict) and answer.get("message"), f"batch_update answered {short(answer)}")
        item = await self.call(self.c.get, first)
        expect(item["memory"] == f"My sister plays the viola ({self.label})", f"text {item['memory']!r}")
        item = await self.call(self.c.get, second)
        expect(item["metadata"] == {"kind": "health"}, f"metadata {item['metadata']!r}")

    async def batch_update_unknown(self):
        await self.raises(MemoryNotFoundError, self.c.batch_update, [{"memory_id": str(uuid.uuid4()), "text": "x"}])

    async def batch_delete(self):
        _, second, third = self.ids["several"]
        answer = await self.call(self.c.batch_delete, [{"memory_id": second}, {"memory_id": third}])
        expect(isinstance(answer, dict) and answer.get("message"), f"batch_delete answered {short(answer)}")
        for memory_id in (second, third):
            await self.raises(MemoryNotFoundError, self.c.get, memory_id)

    async def batch_delete_too_many(self):
        too_many = [{"memory_id": str(uuid.uuid4())} for _ in range(1001)]
        await self.raises((ValidationError, MemoryQuotaExceededError), self.c.batch_delete, too_many)

    async def delete(self):
        answer = await self.call(self.c.delete, self.ids["lisbon"])
        expect(isinstance(answer, dict) and answer.get("message"), f"delete answered {short(answer)}")
        await self.raises(MemoryNotFoundError, self.c.get, self.ids["lisbon"])

    async def delete_linked(self):
        result = await self.call(self.c.add, f"Linked note ({self.label})", user_id=self.other, infer=False)
        memory_id = result["results"][0]["id"]
        answer = await self.call(self.c.delete, memory_id, delete_linked=True)
        expect(answer.get("message"), f"delete_linked answered {short(answer)}")
        await self.raises(MemoryNotFoundError, self.c.get, memory_id)

    async def delete_unknown(self):
        await self.raises(MemoryNotFoundError, self.c.delete, str(uuid.uuid4()))

    async def delete_all_user(self):
        scope = f"plat-{self.label}-wipe-{RUN}"
        await self.call(self.c.add, [{"role": "user", "content": f"wipe {i} ({self.label})"} for i in range(3)],
                        user_id=scope, infer=False)
        answer = await self.call(self.c.delete_all, user_id=scope)
        expect(isinstance(answer, dict) and answer.get("message"), f"delete_all answered {short(answer)}")
        page = await self.call(self.c.get_all, filters={"user_id": scope})
        expect(page["count"] == 0, f"left after delete_all: {short(page)}")
        kept = await self.call(self.c.get_all, filters={"user_id": self.user})
        expect(kept["count"] > 0, "delete_all of another user emptied this one")

    async def delete_all_filters(self):
        # mem0ai 2.2.1's DeleteAllMemoryOptions says scope ids go in `filters`; the client then passes the dict
        # as a query parameter, which httpx renders with str(): ?filters={'user_id': '...'}
        scope = f"plat-{self.label}-wipe2-{RUN}"
        await self.call(self.c.add, f"wipe me ({self.label})", user_id=scope, infer=False)
        answer = await self.call(self.c.delete_all, DeleteAllMemoryOptions(filters={"user_id": scope}))
        expect(isinstance(answer, dict) and answer.get("message"), f"delete_all answered {short(answer)}")
        page = await self.call(self.c.get_all, filters={"user_id": scope})
        expect(page["count"] == 0, f"left after delete_all(filters=...): {short(page)}")
        kept = await self.call(self.c.get_all, filters={"user_id": self.user})
        expect(kept["count"] > 0, "delete_all(filters=...) emptied another user")

    async def typed_options(self):
        scope = f"plat-{self.label}-typed-{RUN}"
        added = await self.call(self.c.add, [{"role": "user", "content": f"I collect vinyl records ({self.label})"},
                                             {"role": "user", "content": f"I bake sourdough ({self.label})"}],
                                AddMemoryOptions(filters={"user_id": scope}, infer=False, metadata={"typed": True}))
        expect(len(added["results"]) == 2, f"add with AddMemoryOptions {short(added)}")
        page = await self.call(self.c.get_all, GetAllMemoryOptions(filters={"user_id": scope}, page=1, page_size=1))
        expect(page["count"] == 2 and len(page["results"]) == 1, f"GetAllMemoryOptions {short(page)}")
        found = await self.call(self.c.search, "vinyl", SearchMemoryOptions(filters={"user_id": scope}, top_k=1))
        expect(len(found["results"]) == 1 and "vinyl" in found["results"][0]["memory"], f"search {short(found)}")
        memory_id = found["results"][0]["id"]
        await self.call(self.c.update, memory_id, UpdateMemoryOptions(text=f"I collect jazz vinyl ({self.label})"))
        item = await self.call(self.c.get, memory_id)
        expect(item["memory"] == f"I collect jazz vinyl ({self.label})" and item["metadata"] == {"typed": True},
               f"after UpdateMemoryOptions {short(item)}")
        await self.call(self.c.delete_all, user_id=scope)

    async def users(self):
        answer = await self.call(self.c.users)
        expect(isinstance(answer, dict) and isinstance(answer.get("results"), list), f"users {short(answer)}")
        found = {(e.get("type"), e.get("name")) for e in answer["results"]}
        for pair in (("user", self.user), ("user", self.other), ("agent", self.agent), ("app", self.app),
                     ("run", self.run)):
            expect(pair in found, f"{pair} not in users(): {sorted(found)}")
        expect("count" in answer, f"users() lacks count: {short(answer)}")
        for entity in answer["results"]:
            expect(entity.get("id") is not None, f"entity without id {short(entity)}")

    async def delete_users_one(self):
        scope = f"plat-{self.label}-gone-{RUN}"
        await self.call(self.c.add, f"to be forgotten ({self.label})", user_id=scope, infer=False)
        answer = await self.call(self.c.delete_users, user_id=scope)
        expect(answer == {"message": "Entity deleted successfully."}, f"delete_users answered {short(answer)}")
        page = await self.call(self.c.get_all, filters={"user_id": scope})
        expect(page["count"] == 0, f"memories left: {short(page)}")
        names = {(e.get("type"), e.get("name")) for e in (await self.call(self.c.users))["results"]}
        expect(("user", scope) not in names, "deleted user still in users()")

    async def delete_users_unknown(self):
        await self.raises(MemoryNotFoundError, self.c.delete_users, user_id=f"nobody-{RUN}")

    async def get_project(self):
        project = await self.call(self.c.get_project)
        expect(isinstance(project, dict), f"get_project {short(project)}")
        expect("custom_instructions" in project and "custom_categories" in project, f"project {short(project)}")
        fields = await self.call(self.c.project.get, fields=["custom_instructions"])
        expect("custom_instructions" in fields, f"project.get(fields) {short(fields)}")

    async def update_project(self):
        categories = [{"beverages": "Drinks the user likes: tea, coffee, juice, espresso"},
                      {"pets": "Animals the user owns or cares for: dog, cat"}]
        instructions = f"Only keep facts about drinks and pets ({self.label})"
        answer = await self.call(self.c.update_project, custom_instructions=instructions,
                                 custom_categories=categories)
        expect(isinstance(answer, dict) and answer.get("message"), f"update_project answered {short(answer)}")
        project = await self.call(self.c.get_project, fields=["custom_instructions", "custom_categories"])
        expect(project.get("custom_instructions") == instructions, f"instructions {short(project)}")
        expect(project.get("custom_categories") == categories, f"categories {short(project)}")

    async def custom_categories_used(self):
        result = await self.call(self.c.add, f"I drink a double espresso every morning ({self.label})",
                                 user_id=self.other, infer=False)
        item = await self.call(self.c.get, result["results"][0]["id"])
        expect_item(item)
        expect("beverages" in item["categories"], f"custom category not applied: {item['categories']}")
        result = await self.call(self.c.add, f"My dog is called Biscuit ({self.label})", user_id=self.other,
                                 infer=False)
        item = await self.call(self.c.get, result["results"][0]["id"])
        expect("pets" in item["categories"], f"custom category not applied: {item['categories']}")

    async def project_update(self):
        instructions = f"Keep every fact ({self.label})"
        answer = await self.call(self.c.project.update, custom_instructions=instructions)
        expect(isinstance(answer, dict), f"project.update answered {short(answer)}")
        project = await self.call(self.c.project.get)
        expect(project.get("custom_instructions") == instructions, f"instructions {short(project)}")
        expect(project.get("custom_categories"), "project.update(custom_instructions) dropped the categories")

    async def export_create(self):
        schema = json.dumps({"type": "object", "properties": {"drinks": {"type": "array",
                                                                         "items": {"type": "string"}}}})
        error = await self.raises(Mem0Error, self.c.create_memory_export, schema, user_id=self.user)
        expect_not_implemented(error)

    async def export_get(self):
        error = await self.raises(Mem0Error, self.c.get_memory_export, filters={"user_id": self.user})
        expect_not_implemented(error)

    async def summary(self):
        error = await self.raises(Mem0Error, self.c.get_summary, filters={"user_id": self.user})
        expect_not_implemented(error)

    async def profile_settings(self):
        settings = await self.call(self.c.get_profile_settings)
        expect(isinstance(settings, dict) and "enabled" in settings, f"settings {short(settings)}")
        self.ids["profile_settings"] = settings

    async def profile_settings_update(self):
        instructions = f"Summarise food preferences ({self.label})"
        answer = await self.call(self.c.update_profile_settings, custom_instructions=instructions)
        expect(isinstance(answer, dict), f"update_profile_settings answered {short(answer)}")
        user = (answer.get("entities") or {}).get("user") or {}
        expect(user.get("custom_instructions") == instructions, f"answer {short(answer)}")
        settings = await self.call(self.c.get_profile_settings)
        expect(((settings.get("entities") or {}).get("user") or {}).get("custom_instructions") == instructions,
               f"settings after update {short(settings)}")
        cleared = await self.call(self.c.update_profile_settings, custom_instructions=None)
        user = (cleared.get("entities") or {}).get("user") or {}
        expect(user.get("custom_instructions") is None, f"None did not clear: {short(cleared)}")

    async def profile_get(self):
        profile = await self.call(self.c.get_profile, self.user)
        expect(isinstance(profile, dict), f"get_profile {short(profile)}")
        expect(profile.get("status") == "not_enabled", f"status {short(profile)}")
        expect(profile.get("entity_type") == "user" and profile.get("entity_id") == self.user, f"{short(profile)}")
        for key in ("profile", "updated_at", "generation_count"):
            expect(key in profile, f"get_profile lacks {key!r}: {short(profile)}")

    async def profile_unknown(self):
        await self.raises(MemoryNotFoundError, self.c.get_profile, f"nobody-{RUN}")

    async def profile_generate(self):
        error = await self.raises(Mem0Error, self.c.generate_profile, self.user)
        expect(error.error_code in ("HTTP_400", "HTTP_501"), f"error_code {error.error_code}: {error.message!r}")

    async def profile_sample(self):
        error = await self.raises(Mem0Error, self.c.sample_profiles, limit=2)
        expect(error.error_code in ("HTTP_400", "HTTP_501"), f"error_code {error.error_code}: {error.message!r}")

    async def profile_job_unknown(self):
        await self.raises(MemoryNotFoundError, self.c.get_profile_job, str(uuid.uuid4()))

    async def webhooks_get(self):
        hooks = await self.call(self.c.get_webhooks, project_id=self.c.project_id)
        expect(isinstance(hooks, list), f"get_webhooks answered {short(hooks)}")

    async def webhook_loopback(self):
        error = await self.raises(ValidationError, self.c.create_webhook, url="http://127.0.0.1:9/hook",
                                  name="loopback", project_id=self.c.project_id, event_types=["memory_add"])
        expect(error.error_code == "HTTP_400", f"error_code {error.error_code}")

    async def webhook_cycle(self):
        # A public address is accepted. It is a literal (a name would need DNS, which the server resolves when
        # the webhook is registered), and no memory is written while the webhook exists, so nothing is ever
        # delivered: deliveries come only from memory changes.
        hook = await self.call(self.c.create_webhook, url=PUBLIC_HOOK, name=f"hook-{RUN}",
                               project_id=self.c.project_id, event_types=["memory_add"])
        expect(isinstance(hook, dict) and hook.get("webhook_id") is not None, f"create_webhook {short(hook)}")
        webhook_id = hook["webhook_id"]
        try:
            expect(hook.get("url") == PUBLIC_HOOK and hook.get("event_types") == ["memory_add"],
                   f"created {short(hook)}")
            hooks = await self.call(self.c.get_webhooks, project_id=self.c.project_id)
            expect(webhook_id in [h.get("webhook_id") for h in hooks], f"not listed: {short(hooks)}")
            updated = await self.call(self.c.update_webhook, webhook_id, name=f"renamed-{RUN}",
                                      event_types=["memory_add", "memory_delete"])
            expect(isinstance(updated, dict), f"update_webhook {short(updated)}")
            hooks = await self.call(self.c.get_webhooks, project_id=self.c.project_id)
            mine = [h for h in hooks if h.get("webhook_id") == webhook_id]
            expect(mine and mine[0].get("name") == f"renamed-{RUN}", f"after update {short(hooks)}")
            expect(mine[0].get("event_types") == ["memory_add", "memory_delete"], f"event_types {short(mine)}")
            await self.raises(ValidationError, self.c.update_webhook, webhook_id, url="http://127.0.0.1:9/x")
            deliveries = await self.get_json(f"/api/v1/webhooks/{webhook_id}/deliveries")
            listed = deliveries if isinstance(deliveries, list) else deliveries.get("results")
            expect(listed == [], f"deliveries were made: {short(deliveries)}")
        finally:
            deleted = await self.call(self.c.delete_webhook, webhook_id)
        expect(isinstance(deleted, dict) and deleted.get("message"), f"delete_webhook {short(deleted)}")
        hooks = await self.call(self.c.get_webhooks, project_id=self.c.project_id)
        expect(webhook_id not in [h.get("webhook_id") for h in hooks], "deleted webhook still listed")
        await self.raises(MemoryNotFoundError, self.c.delete_webhook, webhook_id)

    async def delete_all_star(self):
        agent_only = await self.call(self.c.add, f"Agent-only note ({self.label})", agent_id=self.agent,
                                     infer=False)
        kept_id = agent_only["results"][0]["id"]
        answer = await self.call(self.c.delete_all, user_id="*")
        expect(isinstance(answer, dict) and answer.get("message"), f"delete_all('*') answered {short(answer)}")
        for user in (self.user, self.other):
            page = await self.call(self.c.get_all, filters={"user_id": user})
            expect(page["count"] == 0, f"{user} still has {page['count']}")
        item = await self.call(self.c.get, kept_id)
        expect(item["id"] == kept_id, "agent-only memory gone")

    async def delete_users_all(self):
        await self.call(self.c.add, f"one more ({self.label})", user_id=self.user, infer=False)
        answer = await self.call(self.c.delete_users)
        expect(answer == {"message": "All users, agents, apps and runs deleted."}, f"answered {short(answer)}")
        users = await self.call(self.c.users)
        expect(users["results"] == [], f"entities left: {short(users)}")
        page = await self.call(self.c.get_all, filters={"agent_id": self.agent})
        expect(page["count"] == 0, f"agent memories left: {short(page)}")

    async def reset(self):
        await self.call(self.c.add, f"after reset ({self.label})", user_id=self.user, agent_id=self.agent,
                        infer=False)
        answer = await self.call(self.c.reset)
        expect(answer == {"message": "Client reset successful. All users and memories deleted."}, short(answer))
        users = await self.call(self.c.users)
        expect(users["results"] == [], f"entities left: {short(users)}")
        # An empty project: the client itself refuses (it lists no entity to delete).
        error = await self.raises(ValueError, self.c.reset)
        expect("No entities to delete" in str(error), str(error))


# ----------------------------------------------------------------------------------------------------
def construction_checks():
    def bad_key():
        error = raises(ValueError, MemoryClient, api_key=f"wrong-{RUN}", host=URL)
        expect(str(error).startswith("Error: "), f"message {error}")
        response = httpx.get(f"{URL}/v1/ping/", headers={"Authorization": f"Token wrong-{RUN}"})
        expect(response.status_code == 401, f"ping with a bad key answered {response.status_code}")
        expect("detail" in response.json(), f"401 body {response.text[:200]}")

    def async_bad_key():
        error = raises(ValueError, AsyncMemoryClient, api_key=f"wrong-{RUN}", host=URL)
        expect(str(error).startswith("Error: "), f"message {error}")

    def revoked_mid_session():
        client = MemoryClient(api_key=ALPHA, host=URL)
        client.client.headers["Authorization"] = f"Token wrong-{RUN}"
        error = raises(AuthenticationError, client.get_all, filters={"user_id": "x"})
        expect(error.error_code == "HTTP_401", f"error_code {error.error_code}")

    def auth_schemes():
        for headers in ({"Authorization": f"Bearer {ALPHA}"}, {"X-API-Key": ALPHA},
                        {"Authorization": f"Token {ALPHA}"}):
            for path in ("/v1/ping/", "/v1/ping"):
                response = httpx.get(f"{URL}{path}", headers=headers)
                expect(response.status_code == 200, f"{path} with {list(headers)} answered {response.status_code}")
                expect(response.json().get("project_id") == "alpha", f"{response.json()}")

    def other_projects():
        beta = MemoryClient(api_key=BETA, host=URL)
        expect(beta.org_id == "engram" and beta.project_id == "beta", f"beta: {beta.org_id}/{beta.project_id}")
        admin = MemoryClient(api_key=ADMIN, host=URL)
        expect(admin.project_id == "default", f"admin project {admin.project_id!r}")
        alpha = MemoryClient(api_key=ALPHA, host=URL)
        memory_id = alpha.add(f"alpha only {RUN}", user_id=f"cross-{RUN}", infer=False)["results"][0]["id"]
        raises(MemoryNotFoundError, beta.get, memory_id)
        expect(beta.get_all(filters={"user_id": f"cross-{RUN}"})["count"] == 0, "beta sees alpha's scope")
        expect(alpha.get(memory_id)["id"] == memory_id, "alpha lost its memory")
        alpha.delete(memory_id)

    def add_errors():
        client = MemoryClient(api_key=ALPHA, host=URL)
        raises(ValidationError, client.add, f"no scope {RUN}", infer=False)
        raises(ValidationError, client.add, [], user_id=f"empty-{RUN}", infer=False)
        raises(ValueError, client.add, 42, user_id="x")  # client-side: messages must be str/dict/list

    check("construct with a bad key -> ValueError('Error: ...') (401)", bad_key)
    check("AsyncMemoryClient with a bad key -> ValueError (401, via requests)", async_bad_key)
    check("a key refused mid-session -> AuthenticationError (401)", revoked_mid_session)
    check("Token, Bearer and X-API-Key; with and without trailing slash", auth_schemes)
    check("beta and admin keys ping their own projects; beta cannot read alpha", other_projects)
    check("add without scope / with no messages -> ValidationError", add_errors)


async def main():
    construction_checks()
    client = check("sync: construct MemoryClient(api_key, host)", MemoryClient, api_key=ALPHA, host=URL)
    if client is not None:
        await Suite("sync", client, client.client).run_all()
    aclient = check("async: construct AsyncMemoryClient(api_key, host)", AsyncMemoryClient, api_key=ALPHA, host=URL)
    if aclient is not None:
        async with aclient:
            await Suite("async", aclient, aclient.async_client).run_all()
    finish("mem0ai 2.2.1 MemoryClient / AsyncMemoryClient")


if __name__ == "__main__":
    asyncio.run(main())
