"""Times MCP tool calls against the REST calls they wrap (see scripts/bench-mcp.sh).

Usage: bench_mcp.py URL KEY MEMORIES REQUESTS. Standard library only: one keep-alive connection, the
same client code for both paths, so the difference is the endpoint's own work (JSON-RPC decoding,
argument checks, the in-process REST call, the result's two renderings).
"""
import http.client
import json
import statistics
import subprocess
import sys
import time
import urllib.parse

url, key, memories, requests = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
parsed = urllib.parse.urlparse(url)
connection = http.client.HTTPConnection(parsed.hostname, parsed.port)
headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json",
           "Accept": "application/json, text/event-stream"}


def post(path, body):
    started = time.perf_counter()
    connection.request("POST", path, json.dumps(body), headers)
    response = connection.getresponse()
    data = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        sys.exit(f"POST {path}: {response.status} {data[:300]!r}")
    return elapsed, json.loads(data)


def get(path):
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    data = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        sys.exit(f"GET {path}: {response.status} {data[:300]!r}")
    return elapsed, json.loads(data)


topics = ["tea", "hiking", "jazz", "Lisbon", "chess", "pottery", "sourdough", "cycling", "Kyoto", "violin"]
print(f"Seeding {memories} memories...", file=sys.stderr)
ids = []
for start in range(0, memories, 50):
    batch = [{"role": "user", "content": f"Fact {i}: the user mentioned {topics[i % 10]} and item {i * 7919 % 10007}"}
             for i in range(start, min(memories, start + 50))]
    for message in batch:
        _, answer = post("/memories", {"messages": [message], "user_id": "bench", "infer": False})
        ids.append(answer["results"][0]["id"])


def tool(name, arguments):
    return {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": arguments}}


def check(answer):
    result = answer.get("result", {})
    if result.get("isError") is not False:
        sys.exit(f"tool call failed: {json.dumps(answer)[:300]}")


pairs = {
    "search (top 10)": (
        lambda i: post("/search", {"query": f"what about {topics[i % 10]}", "user_id": "bench", "top_k": 10}),
        lambda i: post("/mcp", tool("search_memories", {"query": f"what about {topics[i % 10]}", "user_id": "bench", "limit": 10}))),
    "get one memory": (
        lambda i: get(f"/memories/{ids[i % len(ids)]}"),
        lambda i: post("/mcp", tool("get_memory", {"memory_id": ids[i % len(ids)]}))),
    "list a page (20)": (
        lambda i: get("/memories?user_id=bench&page_size=20"),
        lambda i: post("/mcp", tool("get_memories", {"user_id": "bench", "page_size": 20}))),
}

for warm in range(50):
    for rest, mcp in pairs.values():
        rest(warm)
        check(mcp(warm)[1])

cpu = subprocess.run(["grep", "-m1", "model name", "/proc/cpuinfo"], capture_output=True, text=True).stdout.split(":", 1)[-1].strip()
print(f"CPU {cpu}; {memories} memories in the scope; {requests} calls of each kind, one keep-alive connection")
print(f"{'call':<18} {'REST p50':>9} {'MCP p50':>9} {'overhead p50':>13} {'REST p95':>9} {'MCP p95':>9}")
for name, (rest, mcp) in pairs.items():
    rest_times, mcp_times = [], []
    for i in range(requests):
        rest_times.append(rest(i)[0])
        elapsed, answer = mcp(i)
        check(answer)
        mcp_times.append(elapsed)

    def p(values, q):
        return statistics.quantiles(values, n=100)[q - 1]

    print(f"{name:<18} {statistics.median(rest_times):7.3f}ms {statistics.median(mcp_times):7.3f}ms "
          f"{statistics.median(mcp_times) - statistics.median(rest_times):11.3f}ms {p(rest_times, 95):7.3f}ms {p(mcp_times, 95):7.3f}ms")
