"""The official MCP Python SDK from PyPI (`mcp` 2.x or 1.x, whichever this interpreter has), unchanged,
against `engram serve`'s /mcp endpoint.

With mcp 2.x every connection mode runs: `legacy` (initialize), `auto` (server/discover, then the
2026-07-28 era) and `2026-07-28` pinned. With mcp 1.x the one era it speaks: `streamablehttp_client` and
`ClientSession.initialize()`. Each mode: list the tools, a round trip through them (add -> search finds it
-> get -> update -> history -> delete -> get is an error), an unknown tool raised as a JSON-RPC error, bad
arguments as an isError result, the scope taken from the URL's `?user_id=`, `delete_all_memories`
refusing without a scope, and two project keys that do not see each other's memories.

Environment: ENGRAM_URL (the server's root), ENGRAM_KEY (its administrator key). Prints `ok NAME` /
`FAIL NAME: why` per check and a summary; exits 1 when anything failed.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clientcheck import acheck, env, expect, finish, short  # noqa: E402

import asyncio  # noqa: E402
import contextlib  # noqa: E402
import importlib.metadata  # noqa: E402
import json  # noqa: E402
import urllib.request  # noqa: E402
import uuid  # noqa: E402

URL = env("ENGRAM_URL").rstrip("/")
KEY = env("ENGRAM_KEY")
VERSION = importlib.metadata.version("mcp")
MAJOR = int(VERSION.split(".")[0])
TOOLS = ["add_memory", "search_memories", "get_memories", "get_memory", "update_memory", "delete_memory",
         "delete_all_memories", "list_entities", "memory_history", "search_relations", "get_event_status"]

if MAJOR >= 2:
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared.exceptions import MCPError as ProtocolError
else:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client
    from mcp.shared.exceptions import McpError as ProtocolError


def rest(method, path, body=None, key=KEY):
    """One call to Engram's REST API with the standard library: (status, parsed JSON body)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(URL + path, data=data, method=method, headers={
        "Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read() or b"null")


def project_key(project):
    status, body = rest("POST", "/admin/keys", {"project": project})
    expect(status == 201, f"creating a key: {status} {short(body)}")
    return body["key"]


class Session:
    """One connected client, whatever the SDK's major: tools, and results in one shape."""

    def __init__(self, client, protocol_version):
        self.client = client
        self.protocol_version = protocol_version

    async def tool_names(self):
        return [tool.name for tool in (await self.client.list_tools()).tools]

    async def call(self, name, arguments):
        """(is_error, structured content, text of the first block)."""
        result = await self.client.call_tool(name, arguments)
        if MAJOR >= 2:
            error, structured = result.is_error, result.structured_content
        else:
            error, structured = result.isError, result.structuredContent
        text = result.content[0].text if result.content else ""
        return bool(error), structured, text

    async def ok(self, name, arguments):
        error, structured, text = await self.call(name, arguments)
        expect(not error, f"{name} failed: {short(text)}")
        expect(json.loads(text) == structured, f"{name}: the text block is not the structured content")
        return structured


@contextlib.asynccontextmanager
async def connect(mode, path="/mcp", key=KEY):
    target = URL + path
    headers = {"Authorization": f"Bearer {key}"}
    if MAJOR >= 2:
        http = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=60))
        async with http, Client(streamable_http_client(target, http_client=http), mode=mode) as client:
            yield Session(client, client.protocol_version)
    else:
        async with streamablehttp_client(target, headers=headers) as (read, write, session_id):
            async with ClientSession(read, write) as client:
                initialized = await client.initialize()
                expect(session_id() is None, f"the server issued a session id {short(session_id())}")
                yield Session(client, initialized.protocolVersion)


async def run(mode):
    expected_version = {"legacy": "2025-11-25", "auto": "2026-07-28", "2026-07-28": "2026-07-28"}[mode]
    user = f"mcp-{mode}-{uuid.uuid4().hex[:8]}"

    async def handshake():
        async with connect(mode) as session:
            expect(session.protocol_version == expected_version, f"protocol version {short(session.protocol_version)}")
            names = await session.tool_names()
            expect(names == TOOLS, f"tools {short(names)}")

    async def round_trip():
        async with connect(mode) as session:
            added = await session.ok("add_memory", {
                "text": "Prefers window seats on long flights", "user_id": user, "infer": False,
                "metadata": {"topic": "travel"}})
            memory_id = added["results"][0]["id"]
            found = await session.ok("search_memories", {"query": "which seat on flights", "user_id": user})
            expect([r["id"] for r in found["results"]][:1] == [memory_id], f"search {short(found)}")
            listed = await session.ok("get_memories", {"user_id": user})
            expect([r["id"] for r in listed["results"]] == [memory_id], f"list {short(listed)}")
            got = await session.ok("get_memory", {"memory_id": memory_id})
            expect(got["memory"] == "Prefers window seats on long flights" and got["metadata"] == {"topic": "travel"},
                   f"get {short(got)}")
            await session.ok("update_memory", {"memory_id": memory_id, "text": "Prefers aisle seats on long flights"})
            got = await session.ok("get_memory", {"memory_id": memory_id})
            expect(got["memory"] == "Prefers aisle seats on long flights", f"after update {short(got)}")
            history = await session.ok("memory_history", {"memory_id": memory_id})
            expect([h["event"] for h in history["results"]] == ["ADD", "UPDATE"], f"history {short(history)}")
            deleted = await session.ok("delete_memory", {"memory_id": memory_id})
            expect(deleted["deleted"] is True, f"delete {short(deleted)}")
            error, structured, text = await session.call("get_memory", {"memory_id": memory_id})
            expect(error and structured is None and "404" in text, f"get after delete: {error} {short(text)}")

    async def other_tools():
        # Every tool's structured content is checked by the SDK against the tool's outputSchema.
        async with connect(mode) as session:
            queued = await session.ok("add_memory", {
                "messages": [{"role": "user", "content": "I moved to Lisbon last spring and I work at Acme."}],
                "user_id": user, "async_mode": True})
            event_id = queued["event_id"]

            async def finished():
                status = await session.ok("get_event_status", {"event_id": event_id})
                return status if status["status"] in ("SUCCEEDED", "FAILED") else None
            status = None
            for _ in range(150):
                status = await finished()
                if status:
                    break
                await asyncio.sleep(0.2)
            expect(status and status["status"] == "SUCCEEDED", f"event {short(status)}")
            entities = await session.ok("list_entities", {})
            expect(user in [e["id"] for e in entities["results"]], f"entities {short(entities)}")
            relations = await session.ok("search_relations", {"query": "Where does the user live?", "user_id": user})
            expect(isinstance(relations["relations"], list), f"relations {short(relations)}")
            wiped = await session.ok("delete_all_memories", {"user_id": user})
            expect(wiped["deleted"] >= 1, f"delete_all {short(wiped)}")
            listed = await session.ok("get_memories", {"user_id": user})
            expect(listed["results"] == [], f"after delete_all {short(listed)}")

    async def protocol_errors():
        async with connect(mode) as session:
            try:
                await session.client.call_tool("no_such_tool", {})
            except ProtocolError as failure:
                code = failure.code if MAJOR >= 2 else failure.error.code
                expect(code == -32602, f"code {code}")
            else:
                raise AssertionError("an unknown tool did not raise")
            error, _, text = await session.call("search_memories", {"query": "x", "user_id": user, "limit": "ten"})
            expect(error and "limit" in text, f"bad limit: {error} {short(text)}")

    async def url_scope():
        async with connect(mode, path=f"/mcp?user_id={user}-url") as session:
            await session.ok("add_memory", {"text": "Keeps bees on the roof", "infer": False})
            found = await session.ok("search_memories", {"query": "bees"})
            expect([r["memory"] for r in found["results"]] == ["Keeps bees on the roof"], f"search {short(found)}")
        _, listed = rest("GET", f"/memories?user_id={user}-url")
        expect([m["memory"] for m in listed["results"]] == ["Keeps bees on the roof"], f"REST list {short(listed)}")
        async with connect(mode) as session:
            error, _, text = await session.call("delete_all_memories", {})
            expect(error and "scope" in text.lower(), f"delete_all without a scope: {error} {short(text)}")
        _, listed = rest("GET", f"/memories?user_id={user}-url")
        expect(len(listed["results"]) == 1, "delete_all without a scope deleted something")

    async def isolation():
        alpha, beta = project_key(f"alpha-{user}"), project_key(f"beta-{user}")
        async with connect(mode, key=alpha) as session:
            added = await session.ok("add_memory", {"text": "The launch is in May", "user_id": "shared", "infer": False})
            memory_id = added["results"][0]["id"]
        async with connect(mode, key=beta) as session:
            found = await session.ok("search_memories", {"query": "launch", "user_id": "shared"})
            expect(found["results"] == [], f"beta found {short(found)}")
            error, _, text = await session.call("get_memory", {"memory_id": memory_id})
            expect(error and "404" in text, f"beta read alpha's memory: {short(text)}")

    for name, check in [("handshake", handshake), ("round trip", round_trip), ("other tools", other_tools), ("protocol errors", protocol_errors),
                        ("scope from the URL", url_scope), ("project isolation", isolation)]:
        await acheck(f"mcp {VERSION} {mode}: {name}", check)


async def main():
    for mode in (["legacy", "auto", "2026-07-28"] if MAJOR >= 2 else ["legacy"]):
        await run(mode)


asyncio.run(main())
finish(f"mcp {VERSION} against {URL}/mcp")
