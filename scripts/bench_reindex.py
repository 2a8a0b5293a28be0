"""The admin commands at scale (make bench-reindex): import, reindex and export rates, export's peak
memory, and the cost of a /metrics scrape at two store sizes. Prints a markdown table.

Usage: bench_reindex.py ENGRAM_BINARY WORK_DIR MEMORIES SCRAPE_MEMORIES PORT
"""
import http.client
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import time

binary, work, memories, scrape_memories, port = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
data = os.path.join(work, "data")


def cpu_model():
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def run(arguments):
    """Runs engram; returns (seconds, stdout, peak anonymous resident memory in MiB, sampled every 20 ms:
    the heap, not the pages of the database file SQLite maps)."""
    start = time.perf_counter()
    child = subprocess.Popen([binary] + arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    while child.poll() is None:
        try:
            with open(f"/proc/{child.pid}/status") as status:
                for line in status:
                    if line.startswith("RssAnon:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.02)
    out, err = child.communicate()
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        sys.exit(f"engram {' '.join(arguments)} failed: {err[-2000:]}")
    return seconds, out, peak / 1024


# Records as mem0's get_all returns them: varied sentences over 200 users.
random.seed(7)
subjects = ["hiking", "green tea", "jazz", "Lisbon", "the night shift", "a red bicycle", "sourdough", "chess", "the ocean", "Kyoto"]
verbs = ["loves", "is learning about", "moved closer to", "writes about", "dreams of", "avoids", "collects photos of", "talks a lot about"]
source = os.path.join(work, "records.jsonl")
os.makedirs(work, exist_ok=True)
with open(source, "w") as out:
    for index in range(memories):
        text = f"User {index % 200} {random.choice(verbs)} {random.choice(subjects)} since {1990 + index % 35} (note {index})"
        out.write(json.dumps({"memory": text, "user_id": f"user-{index % 200}", "metadata": {"n": index},
                              "created_at": "2025-01-01T00:00:00.000000+00:00"}) + "\n")

rows = []
seconds, out, rss = run(["import", source, "--data-dir", data, "--progress", "none"])
rows.append(("engram import", memories, seconds, rss))
seconds, out, rss = run(["reindex", "--data-dir", data, "--progress", "none"])
rows.append(("engram reindex", memories, seconds, rss))
seconds, out, rss = run(["export", "--data-dir", data, "--output", os.path.join(work, "export.jsonl")])
rows.append(("engram export", memories, seconds, rss))
# With the vectors in the export, an import with the same embedder writes them instead of embedding:
# into a new SQLite store, and into Postgres when BENCH_IMPORT_DATABASE_URL names an empty database.
vectors = os.path.join(work, "export-vectors.jsonl")
seconds, out, rss = run(["export", "--with-vectors", "--data-dir", data, "--output", vectors])
rows.append(("engram export --with-vectors", memories, seconds, rss))
seconds, out, rss = run(["import", vectors, "--data-dir", os.path.join(work, "from-vectors"), "--progress", "none"])
if "kept the vectors" not in out:
    sys.exit(f"the import embedded the memories again: {out}")
rows.append(("engram import, vectors kept", memories, seconds, rss))
if os.environ.get("BENCH_IMPORT_DATABASE_URL"):
    seconds, out, rss = run(["import", vectors, "--data-dir", os.path.join(work, "pg"), "--progress", "none",
                             "--database-url", os.environ["BENCH_IMPORT_DATABASE_URL"]])
    rows.append(("engram import, vectors kept, into Postgres", memories, seconds, rss))


def scrape_times(count=300):
    server = subprocess.Popen([binary, "serve", "--port", str(port), "--data-dir", data, "--log-level", "warning"],
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/health")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        times = []
        size = 0
        for _ in range(count):
            start = time.perf_counter()
            connection.request("GET", "/metrics")
            response = connection.getresponse()
            body = response.read()
            times.append((time.perf_counter() - start) * 1000)
            size = len(body)
        times.sort()
        # The server's own time for the scrapes, from its histogram (the client's adds Python's).
        served = [line for line in body.decode().splitlines() if 'route="/metrics"' in line]
        total = float(next(l for l in served if l.startswith("engram_http_request_duration_seconds_sum")).split()[-1])
        count = float(next(l for l in served if l.startswith("engram_http_request_duration_seconds_count")).split()[-1])
        return statistics.median(times), times[int(len(times) * 0.95)], total / count * 1000, size
    finally:
        server.terminate()
        server.wait()


scrapes = [(memories,) + scrape_times()]
if scrape_memories > memories:
    # Grow the store by SQL to SCRAPE_MEMORIES rows (copies of the imported ones under new ids): the
    # triggers keep the keyword index and the counters as a write through the engine would.
    database = sqlite3.connect(os.path.join(data, "engram.sqlite"))
    missing = scrape_memories - memories
    while missing > 0:
        step = min(missing, memories)
        database.execute(f"""
            INSERT INTO memories (id, project, text, hash, metadata, user_id, created_at, updated_at, state, embedding, observed_at)
            SELECT lower(hex(randomblob(16))), project, text || ' (copy)', hash, metadata, user_id, created_at, updated_at, state,
                   embedding, observed_at FROM memories LIMIT {step}""")
        database.commit()
        missing -= step
    database.close()
    scrapes.append((scrape_memories,) + scrape_times())
    seconds, out, rss = run(["export", "--data-dir", data, "--output", os.path.join(work, "export-large.jsonl")])
    rows.append(("engram export", scrape_memories, seconds, rss))

print(f"\nCPU: {cpu_model()} ({os.cpu_count()} cores); {memories:,} memories; SQLite store\n")
print("| command | memories | seconds | memories/s | peak anonymous RSS MiB |")
print("|---|---|---|---|---|")
for name, count, seconds, rss in rows:
    print(f"| {name} | {count:,} | {seconds:.1f} | {count / seconds:,.0f} | {rss:.0f} |")
print("\n| store | /metrics p50 ms (client) | p95 ms (client) | server mean ms | bytes |")
print("|---|---|---|---|---|")
for count, p50, p95, server, size in scrapes:
    print(f"| {count:,} memories | {p50:.2f} | {p95:.2f} | {server:.2f} | {size:,} |")
