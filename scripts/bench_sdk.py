"""mem0's own platform SDK against Engram: add (infer=False) and search latency through the real
`MemoryClient` (PyPI mem0ai 2.2.1, `MemoryClient(api_key=KEY, host="http://127.0.0.1:PORT")`), at a few sizes of
one scope. Run by `make bench` (scripts/bench-engine.sh) after the engine benchmark, or alone:

  .venv-mem0-client/bin/python scripts/bench_sdk.py run [OUT_DIR]   (scripts/client-venvs.sh makes the venv)

Environment (all optional):
  SDK_BENCH_SIZES    memories in the one scope at each level, comma-separated, cumulative (default "1000,10000";
                     "1k,10k" works too). The scope is seeded through Engram's POST /memories (infer:false, in
                     requests of SDK_BENCH_BATCH messages, default 100), then measured through the SDK.
  SDK_BENCH_QUERIES  timed searches per level (default 300, after 20 untimed ones): client.search(query,
                     filters={"user_id": scope}, top_k=BENCH_TOP_K); the same queries are then sent as raw
                     HTTP POST /v3/memories/search/ on one keep-alive connection, to show what the SDK adds.
  SDK_BENCH_ADDS     timed adds per level (default 300, after 20 untimed ones): client.add(text, user_id=scope,
                     infer=False), one message each, into the same scope (the next level is topped up to size).
  BENCH_TOP_K, BENCH_SEED, ENGRAM_BIN, ENGRAM_MODEL_DIR   as in scripts/bench_engine.py.

Engram is started by this script on a free port of 127.0.0.1 with an admin key and its data in a temporary
folder, and stopped on exit. Only loopback is reachable from this process (bench_engine's guard); mem0's
telemetry is off. The table goes to stdout, progress to stderr, and the numbers to OUT_DIR/sdk.json.
"""
import http.client
import json
import os
import sys
import time
import uuid

os.environ["MEM0_TELEMETRY"] = "False"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_engine  # noqa: E402  (also installs the loopback-only guard)
from bench_engine import EngramServer, env_int, latency_summary, memory_text, parse_count, progress, queries  # noqa: E402


def seed_scope(server, key, scope, seed, start, stop, batch):
    """Adds memories start..stop-1 to the scope through POST /memories, infer:false, `batch` per request."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
    headers = {"Content-Type": "application/json", "Authorization": f"Token {key}"}
    for first in range(start, stop, batch):
        indices = range(first, min(first + batch, stop))
        body = json.dumps({"messages": [{"role": "user", "content": memory_text(seed, i)} for i in indices],
                           "user_id": scope, "infer": False})
        connection.request("POST", "/memories", body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        if response.status != 200:
            raise SystemExit(f"POST /memories answered {response.status}: {answer[:300]!r}")
    connection.close()


def timed(function, items, warmup):
    for item in items[:warmup]:
        function(item)
    samples = []
    for item in items[warmup:]:
        began = time.perf_counter()
        function(item)
        samples.append((time.perf_counter() - began) * 1000)
    return latency_summary(samples)


def raw_search(server, key, scope, query_list, top_k, warmup):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    headers = {"Content-Type": "application/json", "Authorization": f"Token {key}"}

    def one(query):
        connection.request("POST", "/v3/memories/search/", headers=headers, body=json.dumps(
            {"query": query, "filters": {"user_id": scope}, "top_k": top_k}))
        response = connection.getresponse()
        answer = response.read()
        if response.status != 200:
            raise SystemExit(f"POST /v3/memories/search/ answered {response.status}: {answer[:300]!r}")

    try:
        return timed(one, query_list, warmup)
    finally:
        connection.close()


def count_in_scope(client, scope):
    return client.get_all(filters={"user_id": scope}, page=1, page_size=1)["count"]


def print_table(report):
    print(f"\nmem0 SDK (mem0ai {report['sdk_version']} MemoryClient) against Engram, one scope, "
          f"top_k {report['top_k']}; latency p50 / p95 in ms\n")
    print("| memories in the scope | add, infer=False (SDK) | search (SDK) | search (raw HTTP, same route) "
          "| SDK overhead (search p50) |")
    print("|---:|---:|---:|---:|---:|")
    for level in report["levels"]:
        add, search, raw = level["add"], level["search"], level["raw_search"]
        print(f"| {level['memories']:,} | {add['p50_ms']:.1f} / {add['p95_ms']:.1f} "
              f"| {search['p50_ms']:.1f} / {search['p95_ms']:.1f} | {raw['p50_ms']:.1f} / {raw['p95_ms']:.1f} "
              f"| {search['p50_ms'] - raw['p50_ms']:+.1f} ms |")
    print(f"\n{report['adds']} timed adds and {report['queries']} timed searches per level (after 20 untimed); "
          f"the adds join the scope, which is topped up to the next size before it is measured.")


def main():
    if len(sys.argv) not in (2, 3) or sys.argv[1] != "run":
        raise SystemExit(__doc__)
    out_dir = sys.argv[2] if len(sys.argv) == 3 else None
    from importlib.metadata import version
    from mem0 import MemoryClient

    sizes = sorted(parse_count(part) for part in os.environ.get("SDK_BENCH_SIZES", "1000,10000").split(",")
                   if part.strip())
    seed, top_k = env_int("BENCH_SEED", 7), env_int("BENCH_TOP_K", 10)
    query_count, add_count, warmup = env_int("SDK_BENCH_QUERIES", 300), env_int("SDK_BENCH_ADDS", 300), 20
    batch = env_int("SDK_BENCH_BATCH", 100)
    key = f"sdk-bench-{uuid.uuid4().hex}"
    os.environ["ENGRAM_API_KEY"] = key  # the server started below inherits it: its admin key
    server = EngramServer(os.environ.get("ENGRAM_BIN", ".build/release/engram"),
                          os.environ.get("ENGRAM_MODEL_DIR", "models/all-MiniLM-L6-v2"))
    report = {"sdk_version": version("mem0ai"), "top_k": top_k, "queries": query_count, "adds": add_count,
              "levels": []}
    query_list = queries(seed + 1, query_count + warmup)
    scope = "sdk-bench-scope"
    try:
        server.start()
        client = MemoryClient(api_key=key, host=f"http://127.0.0.1:{server.port}")
        progress(f"MemoryClient connected (org {client.org_id}, project {client.project_id})")
        loaded, next_text = 0, 10_000_000  # the timed adds' texts come from far past the seeded ones
        for size in sizes:
            present = count_in_scope(client, scope) if loaded else 0
            if present < size:
                progress(f"{size:,}: seeding {size - present:,} memories through POST /memories (infer:false)")
                seed_scope(server, key, scope, seed, loaded, loaded + size - present, batch)
                loaded += size - present
            present = count_in_scope(client, scope)
            if present != size:
                raise SystemExit(f"the scope holds {present} memories, expected {size}")
            progress(f"{size:,}: {query_count} searches through MemoryClient.search")
            search = timed(lambda q: client.search(q, filters={"user_id": scope}, top_k=top_k), query_list, warmup)
            raw = raw_search(server, key, scope, query_list, top_k, warmup)
            progress(f"{size:,}: {add_count} adds through MemoryClient.add(infer=False)")
            texts = [memory_text(seed, next_text + i) for i in range(add_count + warmup)]
            next_text += len(texts)

            def add(text):
                answer = client.add(text, user_id=scope, infer=False)
                if not answer.get("results"):
                    raise SystemExit(f"MemoryClient.add answered {answer!r}")

            add_summary = timed(add, texts, warmup)
            report["levels"].append({"memories": size, "search": search, "raw_search": raw, "add": add_summary})
            progress(f"{size:,}: add p50 {add_summary['p50_ms']:.1f} ms, search p50 {search['p50_ms']:.1f} ms "
                     f"(raw {raw['p50_ms']:.1f} ms)")
    finally:
        server.stop()
    if bench_engine.BLOCKED:
        progress(f"blocked connections: {bench_engine.BLOCKED}")
    report["blocked_connections"] = list(bench_engine.BLOCKED)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, "sdk.json"), "w") as file:
            json.dump(report, file, indent=2)
    print_table(report)


if __name__ == "__main__":
    main()
