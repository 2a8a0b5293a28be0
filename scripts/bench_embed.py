"""Benchmark helper for `make bench-embed`.

  bench_embed.py texts OUT                     write the benchmark texts (JSON) to OUT
  bench_embed.py torch TEXTS THREADS MODEL     measure sentence-transformers on CPU, print one JSON object
  bench_embed.py table REPORT...               print a Markdown table of JSON reports (ours and theirs)

Both sides are measured the same way: 20 warm-up calls, then 200 single-text calls (p50/p95 latency by
nearest rank), and batches of 32 texts repeated for at least 3 seconds (texts per second).
"""
import json
import math
import sys
import time

SUBJECTS = ["Alice", "My brother", "The user", "Our team lead", "Sarah", "Grandpa", "The new intern", "Marco"]
FACTS = [
    "prefers morning meetings over long calls",
    "is allergic to peanuts and shellfish",
    "moved to Lisbon last spring for work",
    "plays the cello in a community orchestra",
    "wants vegetarian restaurant suggestions",
    "runs a half marathon every October",
    "is learning Japanese before the trip",
    "hates flying but loves night trains",
]


def make_texts():
    short = [f"{s} {f} these days." for s in SUBJECTS for f in FACTS]
    long = []
    for i in range(64):
        sentences = [f"{SUBJECTS[(i + k) % 8]} {FACTS[(i * 3 + k) % 8]}" for k in range(12)]
        long.append("; ".join(sentences) + ". Remember this when planning next month's schedule.")
    return {"short": short, "long": long}


def percentile(sorted_values, percent):
    rank = math.ceil(percent / 100 * len(sorted_values))
    return sorted_values[min(max(rank, 1), len(sorted_values)) - 1]


def resident_mb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def bench_torch(texts_path, threads, model_dir):
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    texts = json.load(open(texts_path))
    model = SentenceTransformer(model_dir, device="cpu")
    loaded = resident_mb("VmRSS")
    report = {
        "implementation": f"sentence-transformers (torch {torch.__version__})",
        "threads": threads,
        "rss_loaded_mb": loaded,
    }
    for kind, batch_texts in texts.items():
        tokenizer = model.tokenizer
        tokens = [len(tokenizer(t, truncation=True, max_length=256)["input_ids"]) for t in batch_texts]
        with torch.inference_mode():
            for text in batch_texts[:20]:
                model.encode(text, normalize_embeddings=True)
            latencies = []
            for call in range(200):
                start = time.perf_counter()
                model.encode(batch_texts[call % len(batch_texts)], normalize_embeddings=True)
                latencies.append((time.perf_counter() - start) * 1000)
            latencies.sort()
            batches = [batch_texts[i:i + 32] for i in range(0, len(batch_texts), 32)]
            model.encode(batches[0], batch_size=32, normalize_embeddings=True)
            embedded, rounds, start = 0, 0, time.perf_counter()
            while rounds < 3 or time.perf_counter() - start < 3:
                embedded += len(model.encode(batches[rounds % len(batches)], batch_size=32, normalize_embeddings=True))
                rounds += 1
            elapsed = time.perf_counter() - start
        report[kind] = {
            "p50_ms": percentile(latencies, 50),
            "p95_ms": percentile(latencies, 95),
            "batch_texts_per_s": embedded / elapsed,
            "mean_tokens": sum(tokens) / len(tokens),
        }
    report["rss_mb"] = resident_mb("VmRSS")
    report["peak_rss_mb"] = resident_mb("VmHWM")
    print(json.dumps(report, sort_keys=True))


def table(paths):
    reports = [json.load(open(path)) for path in paths]
    def name(report):
        kernels = report.get("kernels")
        return f"engram ({kernels})" if kernels else report["implementation"]

    for report in reports:
        if "library" in report:
            print(f"{name(report)}, {report['threads']} thread(s): {report['library']}")
    print()
    print("| implementation | threads | texts | mean tokens | p50 ms | p95 ms | batch texts/s |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for kind in ("short", "long"):
        for report in sorted(reports, key=lambda r: (r["threads"], r["implementation"] != "engram", name(r))):
            row = report[kind]
            print(f"| {name(report)} | {report['threads']} | {kind} | {row['mean_tokens']:.0f} "
                  f"| {row['p50_ms']:.2f} | {row['p95_ms']:.2f} | {row['batch_texts_per_s']:.0f} |")
    print()
    print("| implementation | threads | RSS after load MB | RSS at end MB | peak RSS MB |")
    print("|---|---:|---:|---:|---:|")
    for report in sorted(reports, key=lambda r: (r["threads"], r["implementation"] != "engram", name(r))):
        print(f"| {name(report)} | {report['threads']} | {report['rss_loaded_mb']:.0f} "
              f"| {report['rss_mb']:.0f} | {report['peak_rss_mb']:.0f} |")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "texts" and len(sys.argv) == 3:
        json.dump(make_texts(), open(sys.argv[2], "w"))
    elif command == "torch" and len(sys.argv) == 5:
        bench_torch(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif command == "table" and len(sys.argv) > 2:
        table(sys.argv[2:])
    else:
        sys.exit(__doc__)
