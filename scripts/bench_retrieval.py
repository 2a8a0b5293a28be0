#!/usr/bin/env python3
"""Retrieval quality on LoCoMo (../shared/data/locomo-dev.json) through Engram's HTTP API.

Every turn is stored as one memory ("{speaker}: {text}", infer=false, its dia_id in metadata), one
scope per conversation. Each question of categories 1-4 is searched with the raw question, and
recall_any@k (an evidence turn in the top k), recall_all@k (every evidence turn in the top k) and
MRR@k are reported, overall and per category, for four rankings:
  fused    - the API's own ranking (POST /search, top_k=k): semantic, keyword and graph
  nograph  - the same without graph memory (enable_graph=false): semantic and keyword
  dense    - semantic only (POST /search with keyword_search=false and enable_graph=false)
  bm25     - keyword only (the keyword_score of explain=true over a wide candidate pool)
  reranked - with RERANK=1: the fused ranking reordered by the server's reranker (rerank=true)
Each is reported for all conversations and, apart, for the last HELD_OUT (default 2) ones: the graph's
settings were chosen on the others, so those show how it does on conversations it was not tuned on.
Usage: bench_retrieval.py BASE_URL DATA_PATH [k]
"""
import http.client
import json
import os
import re
import sys
import time
from collections import defaultdict
from urllib.parse import urlparse

CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}


class Client:
    def __init__(self, base_url):
        url = urlparse(base_url)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)

    def post(self, path, body):
        self.connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        response = self.connection.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError(f"POST {path} -> {response.status}: {data[:200]!r}")
        return json.loads(data)


def normalise_evidence(evidence, known):
    """Turns ids like 'D:1:3' into 'D1:3', splits 'D10:3 D10:4', and drops ids naming no turn."""
    ids = []
    for item in evidence:
        for part in re.split(r"[\s,;]+", item.strip()):
            match = re.fullmatch(r"D:?(\d+):(\d+)", part)
            if match:
                dia_id = f"D{match.group(1)}:{match.group(2)}"
                if dia_id in known:
                    ids.append(dia_id)
    return sorted(set(ids))


def load(client, sample):
    conversation = sample["conversation"]
    scope = sample["sample_id"]
    known = set()
    sessions = sorted(
        (key for key in conversation if re.fullmatch(r"session_\d+", key)), key=lambda key: int(key.split("_")[1])
    )
    for session in sessions:
        for turn in conversation[session]:
            text = f"{turn['speaker']}: {turn['text']}"
            client.post("/memories", {
                "messages": [{"role": "user", "content": text}], "user_id": scope, "infer": False,
                "metadata": {"dia_id": turn["dia_id"]},
            })
            known.add(turn["dia_id"])
    return scope, known


def ranks(results, key=None):
    items = results if key is None else sorted(
        (item for item in results if item["score_details"][key] > 0),
        key=lambda item: (-item["score_details"][key], item["id"]))
    return [item["metadata"]["dia_id"] for item in items]


def score(ranking, evidence, k):
    top = ranking[:k]
    hits = [index for index, dia_id in enumerate(top) if dia_id in evidence]
    return (1.0 if hits else 0.0, 1.0 if set(evidence) <= set(top) else 0.0, 1.0 / (hits[0] + 1) if hits else 0.0)


def main():
    base_url, data_path = sys.argv[1], sys.argv[2]
    k = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    samples = json.load(open(data_path))
    held = int(os.environ.get("HELD_OUT", "2"))
    client = Client(base_url)
    rerank = os.environ.get("RERANK") == "1"
    warned = 0
    totals = defaultdict(lambda: [0.0, 0.0, 0.0, 0])
    started = time.time()
    for position, sample in enumerate(samples):
        held_out = position >= len(samples) - held
        scope, known = load(client, sample)
        for qa in sample["qa"]:
            category = qa.get("category")
            if category not in CATEGORIES:
                continue
            evidence = normalise_evidence(qa.get("evidence", []), known)
            if not evidence:
                continue
            query = qa["question"]
            fused = client.post("/search", {"query": query, "user_id": scope, "top_k": k, "threshold": 0})["results"]
            nograph = client.post("/search", {"query": query, "user_id": scope, "top_k": k, "threshold": 0,
                                              "enable_graph": False})["results"]
            dense = client.post("/search", {"query": query, "user_id": scope, "top_k": k, "threshold": 0,
                                            "keyword_search": False, "enable_graph": False})["results"]
            wide = client.post("/search", {"query": query, "user_id": scope, "top_k": 200, "threshold": 0,
                                           "explain": True, "enable_graph": False})["results"]
            rankings = (("fused", ranks(fused)), ("nograph", ranks(nograph)), ("dense", ranks(dense)),
                        ("bm25", ranks(wide, "keyword_score")))
            if rerank:
                response = client.post("/search", {"query": query, "user_id": scope, "top_k": k, "threshold": 0, "rerank": True})
                warned += bool(response.get("warnings"))
                rankings += (("reranked", ranks(response["results"])),)
            splits = ("all", "held-out") if held_out else ("all",)
            for mode, ranking in rankings:
                any_hit, all_hit, reciprocal = score(ranking, evidence, k)
                for bucket in [f"{split}|{name}" for split in splits for name in (mode, f"{mode}/{CATEGORIES[category]}")]:
                    total = totals[bucket]
                    total[0] += any_hit
                    total[1] += all_hit
                    total[2] += reciprocal
                    total[3] += 1
        print(f"{scope}: loaded {len(known)} turns", file=sys.stderr)

    print(f"LoCoMo dev ({len(samples)} conversations, the last {held} held out), categories 1-4, k={k}; "
          f"{time.time() - started:.0f}s")
    if rerank:
        print(f"reranked searches that fell back to the fused order (a warning): {warned}")
    print(f"{'set':<9} {'ranking':<8} {'category':<12} {'questions':>9} {f'any@{k}':>8} {f'all@{k}':>8} {f'MRR@{k}':>8}")
    for split in ("all", "held-out"):
        for category in ["overall"] + list(CATEGORIES.values()):
            for mode in ("bm25", "dense", "nograph", "fused") + (("reranked",) if rerank else ()):
                bucket = f"{split}|{mode}" if category == "overall" else f"{split}|{mode}/{category}"
                any_hit, all_hit, reciprocal, count = totals[bucket]
                if count:
                    print(f"{split:<9} {mode:<8} {category:<12} {count:>9} {any_hit / count:>8.3f} {all_hit / count:>8.3f} "
                          f"{reciprocal / count:>8.3f}")


if __name__ == "__main__":
    main()
