"""`make bench`: Engram's memory engine over HTTP, side by side with mem0 2.x on the same data.

  bench_engine.py run OUT_DIR     run every level of BENCH_SIZES (and mem0 at MEM0_SIZES), write one
                                  JSON report per system and level into OUT_DIR, print the table
  bench_engine.py table OUT_DIR   print the table of the reports already in OUT_DIR
  bench_engine.py sample [N]      print N generated memories and queries (to eyeball the data)

Environment (all optional):
  BENCH_SIZES        levels, comma-separated; "N" is N memories in one scope (these levels are cumulative:
                     one scope grows from one level to the next), "N/S" is N memories spread evenly over S
                     scopes, loaded into a fresh server, with one scope searched. Default "1k,10k,100k,1m/1k".
  MEM0_SIZES         the single-scope levels mem0 runs at (default: those of BENCH_SIZES up to 10k;
                     "none" skips mem0). mem0 runs in this process and needs `mem0ai` and `faiss-cpu`.
  MEM0_EMBEDDER      how mem0 embeds: "engram" (default: its OpenAI embedder on Engram's /v1/embeddings,
                     so both systems share one embedder), "local" (mem0's own huggingface embedder:
                     sentence-transformers in this process, the same model folder; needs
                     `sentence-transformers` and torch), or "both" (mem0 runs twice, once each way).
  BENCH_CONCURRENCY  client connections for Engram's adds, and clients searching at once (default 8)
  BENCH_QUERIES      timed sequential searches per level (default 500, after 20 untimed warm-up searches);
                     the same queries are then run again from BENCH_CONCURRENCY clients at once (searches/s)
  BENCH_ADD_WARMUP   untimed adds to a scope of their own before the single-scope levels, for each system
                     (default 50), as the searches have warm-up searches
  BENCH_INTERLEAVED  at the single-scope levels, after the searches: this many times one add to the scope,
                     then one timed search of it (default 100; 0 skips), as an agent adds and recalls
                     turn by turn; the memories added are deleted afterwards
  BENCH_GRAPH_COST   at the single-scope levels: this many infer=false adds with the graph and as many
                     without, in turn, then every query with and without the graph (default 200; 0: none)
  BENCH_TOP_K        top_k of every search (default 10)
  BENCH_SEED         seed of the generated sentences (default 7)
  BENCH_LOAD_BATCH   at the "N/S" levels, all but the last BENCH_ADD_SAMPLE memories are loaded in requests
                     of this many messages of one scope (default 100); one message per request would take
                     hours at 1M. The last BENCH_ADD_SAMPLE (default 5000) are added one message per
                     request, round-robin over the scopes, and give the add rate of that level.
  ENGRAM_BIN, ENGRAM_MODEL_DIR   the server binary and its model folder

Engram is started by this script on a free port of 127.0.0.1 with its data in a temporary folder, and is
stopped (and the folder removed) on exit, failure or interrupt. Nothing here talks to any address but
127.0.0.1: mem0's telemetry is switched off, and a guard refuses any other connection from this process.
"""
import ctypes
import http.client
import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

# ---------------------------------------------------------------------------------------------------
# Only loopback, ever. mem0 and its dependencies are third-party code: refuse and record any attempt to
# reach another address, so the run is both safe and honest about what was attempted.

BLOCKED = []
_connect = socket.socket.connect


def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if self.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
        BLOCKED.append(str(address))
        raise ConnectionRefusedError(f"bench_engine: blocked a connection to {address} (loopback only)")
    return _connect(self, address)


socket.socket.connect = _loopback_only

# ---------------------------------------------------------------------------------------------------
# Data: realistic, varied memory-like sentences, generated deterministically from a seed.

NAMES = ["Alice", "Marco", "Priya", "Tom", "Sofia", "Kenji", "Fatima", "Lucas", "Hannah", "Omar", "Chloe",
         "Diego", "Mei", "Jonas", "Aisha", "Pavel", "Grace", "Mateo", "Nina", "Ravi", "Elena", "Sam", "Yuki",
         "Carlos", "Ingrid", "Tariq", "Olivia", "Ben", "Leila", "Hugo"]
RELATIONS = ["sister", "brother", "mother", "father", "best friend", "neighbour", "manager", "cousin",
             "grandmother", "roommate", "partner", "son", "daughter", "uncle", "colleague", "landlord"]
FOODS = ["sushi", "ramen", "lasagna", "pad thai", "falafel", "tacos", "paella", "dumplings", "pho", "risotto",
         "shakshuka", "pierogi", "biryani", "ceviche", "goulash", "bibimbap", "moussaka", "banh mi",
         "margherita pizza", "lentil soup", "chicken curry", "mushroom stroganoff", "fish and chips"]
DRINKS = ["oat milk lattes", "green tea", "espresso", "sparkling water", "chai", "craft beer", "red wine",
          "kombucha", "hot chocolate", "iced americanos", "mint tea", "orange juice"]
CITIES = ["Lisbon", "Berlin", "Osaka", "Toronto", "Nairobi", "Buenos Aires", "Melbourne", "Prague", "Seoul",
          "Copenhagen", "Mexico City", "Edinburgh", "Istanbul", "Vancouver", "Marrakesh", "Hanoi", "Oslo",
          "Cape Town", "Montreal", "Kyoto", "Porto", "Budapest", "Reykjavik", "Singapore", "Dublin"]
HOBBIES = ["rock climbing", "pottery", "birdwatching", "sourdough baking", "trail running", "chess",
           "woodworking", "salsa dancing", "film photography", "gardening", "knitting", "kayaking",
           "bouldering", "calligraphy", "stand-up comedy", "beekeeping", "astronomy", "scuba diving",
           "board games", "watercolour painting", "cycling", "yoga", "fly fishing", "origami"]
INSTRUMENTS = ["cello", "piano", "ukulele", "drums", "violin", "bass guitar", "saxophone", "flute",
               "trumpet", "harmonica", "banjo", "clarinet"]
SPORTS = ["tennis", "basketball", "football", "volleyball", "badminton", "squash", "baseball", "hockey",
          "rugby", "table tennis", "golf", "swimming"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
PETS = ["dog", "cat", "parrot", "rabbit", "hamster", "tortoise", "goldfish", "ferret", "gecko"]
PET_NAMES = ["Biscuit", "Luna", "Pepper", "Mochi", "Rex", "Olive", "Ziggy", "Maple", "Noodle", "Pickles",
             "Shadow", "Clementine", "Waffles", "Juniper"]
JOBS = ["nurse", "data analyst", "high school teacher", "software engineer", "architect", "pharmacist",
        "graphic designer", "electrician", "accountant", "chef", "physiotherapist", "product manager",
        "journalist", "veterinarian", "civil engineer", "translator", "librarian", "pilot"]
COMPANIES = ["a small bakery", "a logistics startup", "the city hospital", "a bank", "a video game studio",
             "a law firm", "the public library", "a solar energy company", "a consulting agency",
             "a bike repair shop", "a research lab", "an airline", "a marketing agency", "a university"]
BOOKS = ["Dune", "Pride and Prejudice", "The Hobbit", "Sapiens", "Project Hail Mary", "Middlemarch",
         "The Name of the Wind", "Educated", "Norwegian Wood", "The Left Hand of Darkness", "Circe",
         "Station Eleven", "A Little Life", "The Overstory", "Klara and the Sun", "Beloved"]
GENRES = ["science fiction", "historical novels", "true crime podcasts", "jazz", "horror movies",
          "documentaries", "fantasy series", "classical music", "romantic comedies", "hip hop",
          "mystery novels", "anime", "folk music", "cooking shows", "poetry"]
LANGUAGES = ["Spanish", "Japanese", "German", "Portuguese", "Korean", "Italian", "Mandarin", "French",
             "Arabic", "Dutch", "Swahili", "Turkish", "Greek", "Hindi"]
ALLERGIES = ["peanuts", "shellfish", "gluten", "lactose", "cat hair", "pollen", "penicillin", "eggs",
             "soy", "tree nuts", "bee stings", "dust mites"]
COLORS = ["navy blue", "forest green", "mustard yellow", "burgundy", "lavender", "charcoal grey", "teal",
          "coral", "off-white", "terracotta"]
THINGS = ["laptop", "car", "bike", "phone", "camera", "sofa", "apartment", "guitar", "pair of running shoes",
          "backpack", "coffee machine", "desk"]
FURNITURE = ["bed", "sofa", "desk", "kitchen table", "stairs", "bathtub", "wardrobe"]
PROJECTS = ["a kitchen renovation", "a wedding", "a garden shed", "a marathon", "a podcast",
            "a mobile app", "a photo book", "a family reunion", "a surprise party", "a thesis",
            "a charity bake sale", "a move abroad", "a novel", "a vegetable patch"]
FEELINGS = ["excited", "nervous", "stressed", "happy", "worried", "proud", "relieved", "frustrated",
            "curious", "grateful"]
TIMES = ["6 am", "7:30 am", "9 am", "noon", "2 pm", "5:30 pm", "7 pm", "9 pm", "10:30 pm"]

MEMORY_TEMPLATES = [
    "I love {food} but I can't stand {food2}.",
    "My {relation} {name} moved to {city} in {month}.",
    "I'm allergic to {allergy}, so please keep that in mind when suggesting recipes.",
    "I've been learning {language} for {number} months and practice every {weekday}.",
    "I work as a {job} at {company}.",
    "My {relation} works as a {job} in {city}.",
    "I usually drink {drink} in the morning around {time}.",
    "I started {hobby} last {month} and I'm hooked.",
    "I play the {instrument} in a community band on {weekday} evenings.",
    "We adopted a {pet} named {pet_name} {number} years ago.",
    "My favourite book is {book}; I reread it every winter.",
    "I'm really into {genre} lately.",
    "I'm planning a trip to {city} in {month} with my {relation}.",
    "{name}'s birthday is on {month} {day}, and they love {food}.",
    "I'm {feeling} about {project} that starts next {month}.",
    "I bought a {color} {thing} last week and I regret it a bit.",
    "I prefer meetings after {time}; mornings are for focused work.",
    "I go {hobby} with {name} every other {weekday}.",
    "My {relation} {name} is allergic to {allergy}.",
    "I grew up in {city} and lived there until I was {age}.",
    "I watch {sport} every weekend and support the local team.",
    "I'm saving up for a new {thing} before {month}.",
    "My doctor told me to cut down on {drink} and take up {hobby}.",
    "I'm vegetarian except for {food} on special occasions.",
    "I want to finish reading {book} before my trip to {city}.",
    "My {relation} recommended {genre} and I actually enjoyed it.",
    "I coach a kids' {sport} team on {weekday} afternoons.",
    "I'm helping {name} with {project}, which takes most of my weekends.",
    "I usually go to bed around {time} on weeknights.",
    "My {pet} {pet_name} hates thunderstorms and hides under the {thing2}.",
    "I speak {language} with my {relation} and {language2} at work.",
    "I had {food} in {city} and it was the best meal of the year.",
]

QUERY_TEMPLATES = [
    "What food do I like?",
    "Where does my {relation} live now?",
    "What am I allergic to?",
    "Which language am I learning?",
    "What is my job?",
    "What does my {relation} do for a living?",
    "What do I drink in the morning?",
    "What hobbies have I picked up recently?",
    "Which instrument do I play?",
    "What is the name of my {pet}?",
    "What is my favourite book?",
    "What kind of {genre} do I enjoy?",
    "Where am I travelling in {month}?",
    "When is {name}'s birthday?",
    "How do I feel about {project}?",
    "What did I buy last week?",
    "When do I prefer to have meetings?",
    "Who do I go {hobby} with?",
    "Is anyone in my family allergic to {allergy}?",
    "Where did I grow up?",
    "Which sport do I watch?",
    "What am I saving up for?",
    "What did my doctor tell me?",
    "Do I eat {food}?",
    "Which book do I want to finish before going to {city}?",
    "Who recommended {genre} to me?",
    "Do I coach a {sport} team?",
    "What is {name} working on?",
    "What time do I go to bed?",
    "Why does {pet_name} hide?",
    "Which languages do I speak?",
    "What was the best meal I had in {city}?",
]


def _fill(template, rng):
    values = {
        "name": rng.choice(NAMES), "relation": rng.choice(RELATIONS), "food": rng.choice(FOODS),
        "food2": rng.choice(FOODS), "drink": rng.choice(DRINKS), "city": rng.choice(CITIES),
        "hobby": rng.choice(HOBBIES), "instrument": rng.choice(INSTRUMENTS), "sport": rng.choice(SPORTS),
        "month": rng.choice(MONTHS), "weekday": rng.choice(WEEKDAYS), "pet": rng.choice(PETS),
        "pet_name": rng.choice(PET_NAMES), "job": rng.choice(JOBS), "company": rng.choice(COMPANIES),
        "book": rng.choice(BOOKS), "genre": rng.choice(GENRES), "language": rng.choice(LANGUAGES),
        "language2": rng.choice(LANGUAGES), "allergy": rng.choice(ALLERGIES), "color": rng.choice(COLORS),
        "thing": rng.choice(THINGS), "thing2": rng.choice(FURNITURE), "project": rng.choice(PROJECTS),
        "feeling": rng.choice(FEELINGS), "time": rng.choice(TIMES), "number": rng.randint(2, 14),
        "day": rng.randint(1, 28), "age": rng.randint(8, 25),
    }
    return template.format(**values)


def memory_text(seed, index):
    """The index-th memory of the stream: the same text for Engram and mem0, whatever the order."""
    rng = random.Random(f"memory:{seed}:{index}")
    return _fill(rng.choice(MEMORY_TEMPLATES), rng)


def queries(seed, count):
    rng = random.Random(f"queries:{seed}")
    return [_fill(rng.choice(QUERY_TEMPLATES), rng) for _ in range(count)]


# ---------------------------------------------------------------------------------------------------
# Settings and small helpers.

def parse_count(text):
    text = text.strip().lower()
    factor = 1
    if text.endswith("k"):
        factor, text = 1_000, text[:-1]
    elif text.endswith("m"):
        factor, text = 1_000_000, text[:-1]
    value = float(text) * factor
    if value < 1 or value != int(value):
        raise SystemExit(f"bench_engine: bad size '{text}'")
    return int(value)


def parse_levels(spec):
    """[(label, memories, scopes)] in the order given."""
    levels = []
    for part in (p for p in spec.split(",") if p.strip()):
        memories, _, scopes = part.partition("/")
        levels.append((part.strip(), parse_count(memories), parse_count(scopes) if scopes else 1))
    return levels


def env_int(name, default):
    return int(os.environ.get(name, default))


def percentile(sorted_values, percent):
    """Nearest-rank percentile of an already sorted list."""
    rank = math.ceil(percent / 100 * len(sorted_values))
    return sorted_values[min(max(rank, 1), len(sorted_values)) - 1]


def latency_summary(samples_ms):
    ordered = sorted(samples_ms)
    return {
        "count": len(ordered), "p50_ms": percentile(ordered, 50), "p95_ms": percentile(ordered, 95),
        "p99_ms": percentile(ordered, 99), "mean_ms": sum(ordered) / len(ordered), "max_ms": ordered[-1],
    }


def progress(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def scope_name(level_label, index):
    return f"bench-{level_label.replace('/', 'over')}-{index:05d}"


# ---------------------------------------------------------------------------------------------------
# The Engram server, owned by this process.

class EngramServer:
    def __init__(self, binary, model_dir):
        self.binary, self.model_dir = binary, model_dir
        self.process, self.data_dir, self.port = None, None, None

    def start(self):
        self.data_dir = tempfile.mkdtemp(prefix="engram-bench-")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        libc = ctypes.CDLL(None, use_errno=True)

        def die_with_parent():
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: never outlive this script

        self.log = open(os.path.join(self.data_dir, "engram.log"), "wb")
        self.process = subprocess.Popen(
            [self.binary, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--data-dir",
             os.path.join(self.data_dir, "data"), "--model-dir", self.model_dir, "--log-level", "warning"],
            stdout=self.log, stderr=self.log, preexec_fn=die_with_parent)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"engram exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                status, _ = request(self.connection(), "GET", "/health")
                if status == 200:
                    progress(f"Engram is up on 127.0.0.1:{self.port} (data in {self.data_dir})")
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"engram did not answer /health within 60 s:\n{self.log_tail()}")

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def log_tail(self):
        try:
            with open(os.path.join(self.data_dir, "engram.log"), "rb") as log:
                return log.read()[-4000:].decode(errors="replace")
        except OSError:
            return ""

    def cpu_seconds(self):
        """User plus system CPU time the server has used so far: a measure of work that the other load
        of a shared machine does not change much."""
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self):
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return None

    def disk_mb(self):
        total = 0
        for root, _, files in os.walk(os.path.join(self.data_dir, "data")):
            total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
        return total / 1e6

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.data_dir:
            if hasattr(self, "log"):
                self.log.close()
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.data_dir = None


def request(connection, method, path, body=None):
    """One request on a keep-alive connection; reconnects once if the server had closed it."""
    payload = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if payload is not None else {}
    for attempt in (1, 2):
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            connection.close()
            if attempt == 2:
                raise


# ---------------------------------------------------------------------------------------------------
# Engram: adds with several keep-alive connections, then sequential searches.

def engram_add(server, seed, jobs, total, concurrency, label):
    """Runs the add jobs, each (scope, [memory indices]) sent as one POST /memories with one message per
    memory, over `concurrency` keep-alive connections. Returns (memories added per second, seconds)."""
    lock = threading.Lock()
    jobs = iter(jobs)
    state = {"done": 0, "error": None}

    def worker():
        connection = server.connection()
        try:
            while True:
                with lock:
                    job = None if state["error"] else next(jobs, None)
                if job is None:
                    return
                scope, indices = job
                body = {"messages": [{"role": "user", "content": memory_text(seed, index)} for index in indices],
                        "user_id": scope, "infer": False}
                status, answer = request(connection, "POST", "/memories", body)
                if status != 200 or len(json.loads(answer)["results"]) != len(indices):
                    raise RuntimeError(f"POST /memories answered {status}: {answer[:300]!r}")
                with lock:
                    state["done"] += len(indices)
        except Exception as error:  # reported by the main thread
            with lock:
                state["error"] = state["error"] or error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    cpu_before = server.cpu_seconds()
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    last_report = began
    while any(thread.is_alive() for thread in threads):
        time.sleep(0.2)
        now = time.perf_counter()
        if now - last_report >= 30:
            done = state["done"]
            rate = done / (now - began)
            eta = (total - done) / rate if rate else float("inf")
            progress(f"{label}: Engram added {done:,} / {total:,} ({rate:,.0f}/s, ~{eta / 60:.1f} min left)")
            last_report = now
    elapsed = time.perf_counter() - began
    cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / max(total, 1)
    if state["error"]:
        raise SystemExit(f"{label}: Engram add failed: {state['error']}\n{server.log_tail()}")
    if state["done"] != total:
        raise SystemExit(f"{label}: added {state['done']} memories, expected {total}")
    return total / elapsed, elapsed, cpu_ms


# Warm-up adds (BENCH_ADD_WARMUP) use memory texts from this index on, apart from the measured ones.
WARMUP_FIRST = 10_000_000


def single_jobs(start, stop, scope_of):
    """One memory per request."""
    return ((scope_of(index), [index]) for index in range(start, stop))


def batched_jobs(stop, scopes, batch):
    """Memories 0..<stop, memory i in scope i % scopes, `batch` memories of one scope per request."""
    per_scope = -(-stop // scopes)
    for first in range(0, per_scope, batch):  # round-robin over the scopes, so requests run in parallel
        for scope in range(scopes):
            indices = range(scope, stop, scopes)[first:first + batch]
            if indices:
                yield scope, list(indices)


def engram_embed_latency(server, query_list, warmup=20):
    """POST /v1/embeddings of each query alone: the embedding part of a search."""
    connection = server.connection()
    samples = []
    for number, query in enumerate(query_list[:warmup] + query_list):
        began = time.perf_counter()
        status, answer = request(connection, "POST", "/v1/embeddings", {"input": query, "model": "all-MiniLM-L6-v2"})
        elapsed = (time.perf_counter() - began) * 1000
        if status != 200:
            raise SystemExit(f"POST /v1/embeddings answered {status}: {answer[:300]!r}")
        if number >= warmup:
            samples.append(elapsed)
    connection.close()
    return latency_summary(samples)


def engram_search(server, scope, query_list, top_k, warmup=20):
    connection = server.connection()
    first = None
    samples = []
    hits = 0
    for number, query in enumerate(query_list[:warmup] + query_list):
        body = {"query": query, "user_id": scope, "top_k": top_k}
        began = time.perf_counter()
        status, answer = request(connection, "POST", "/search", body)
        elapsed = (time.perf_counter() - began) * 1000
        if status != 200:
            raise SystemExit(f"POST /search answered {status}: {answer[:300]!r}\n{server.log_tail()}")
        if number == 0:
            first = elapsed
        if number == warmup - 1:
            cpu_before = server.cpu_seconds()
        if number >= warmup:
            samples.append(elapsed)
            hits += len(json.loads(answer)["results"])
    cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / len(samples)
    connection.close()
    summary = latency_summary(samples)
    summary["cpu_ms"] = cpu_ms
    summary["first_search_ms"] = first
    summary["mean_results"] = hits / len(samples)
    return summary


# Adds interleaved with searches (BENCH_INTERLEAVED) use memory texts from this index on.
INTERLEAVED_FIRST = 20_000_000


def engram_search_after_add(server, seed, scope, query_list, top_k, rounds):
    """`rounds` times: add one memory to the scope, then search it (timed), as an agent does turn by turn.
    Every search comes after a write to its scope, so no search finds the scope as the previous one left
    it. The memories added are deleted afterwards, so the level keeps its size."""
    connection = server.connection()
    samples, added = [], []
    try:
        for number in range(rounds):
            status, answer = request(connection, "POST", "/memories", {
                "messages": [{"role": "user", "content": memory_text(seed, INTERLEAVED_FIRST + number)}],
                "user_id": scope, "infer": False})
            if status != 200:
                raise SystemExit(f"POST /memories answered {status}: {answer[:300]!r}")
            added += [result["id"] for result in json.loads(answer)["results"]]
            query = query_list[number % len(query_list)]
            began = time.perf_counter()
            status, answer = request(connection, "POST", "/search", {"query": query, "user_id": scope, "top_k": top_k})
            samples.append((time.perf_counter() - began) * 1000)
            if status != 200:
                raise SystemExit(f"POST /search answered {status}: {answer[:300]!r}")
        for memory_id in added:
            status, answer = request(connection, "DELETE", f"/memories/{memory_id}")
            if status != 200:
                raise SystemExit(f"DELETE /memories/{memory_id} answered {status}: {answer[:300]!r}")
    finally:
        connection.close()
    return latency_summary(samples)


def concurrent_searches(search_one, query_list, concurrency):
    """Runs every query once, spread over `concurrency` threads each calling `search_one(thread, query)`
    (which returns the number of results). Returns (searches per second, seconds, results per search)."""
    lock = threading.Lock()
    pending = iter(query_list)
    state = {"hits": 0, "error": None}

    def worker(thread):
        try:
            while True:
                with lock:
                    query = None if state["error"] else next(pending, None)
                if query is None:
                    return
                hits = search_one(thread, query)
                with lock:
                    state["hits"] += hits
        except Exception as error:  # reported by the caller
            with lock:
                state["error"] = state["error"] or error

    threads = [threading.Thread(target=worker, args=(number,), daemon=True) for number in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if state["error"]:
        raise state["error"]
    return len(query_list) / elapsed, elapsed, state["hits"] / len(query_list)


def engram_search_throughput(server, scope, query_list, top_k, concurrency):
    """Searches per second with `concurrency` keep-alive connections searching at once."""
    connections = [server.connection() for _ in range(concurrency)]

    def search_one(thread, query):
        status, answer = request(connections[thread], "POST", "/search",
                                 {"query": query, "user_id": scope, "top_k": top_k})
        if status != 200:
            raise RuntimeError(f"POST /search answered {status}: {answer[:300]!r}")
        return len(json.loads(answer)["results"])

    try:
        concurrent_searches(search_one, query_list[:concurrency * 4], concurrency)  # warm every connection
        cpu_before = server.cpu_seconds()
        rate, _, mean_results = concurrent_searches(search_one, query_list, concurrency)
        cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / len(query_list)
    finally:
        for connection in connections:
            connection.close()
    return {"per_s": rate, "concurrency": concurrency, "cpu_ms": cpu_ms, "mean_results": mean_results}


def scope_count(server, scope):
    connection = server.connection()
    try:
        status, answer = request(connection, "GET", f"/memories?user_id={scope}&page_size=1")
    finally:
        connection.close()
    return json.loads(answer)["count"] if status == 200 else None


# Adds that measure the graph's cost use memory texts from this index on.
GRAPH_COST_FIRST = 30_000_000


def engram_graph_cost(server, seed, scope, query_list, top_k, rounds):
    """The graph's cost at this level, over one connection: `rounds` infer=false adds to the scope with
    the graph and as many without, in turn (deleted afterwards), and each query searched with and
    without the graph, in turn. Returns the p50 of each."""
    connection = server.connection()
    add_ms = {True: [], False: []}
    search_ms = {True: [], False: []}
    added = []
    try:
        for number in range(2 * rounds):
            graph = number % 2 == 0
            began = time.perf_counter()
            status, answer = request(connection, "POST", "/memories", {
                "messages": [{"role": "user", "content": memory_text(seed, GRAPH_COST_FIRST + number)}],
                "user_id": scope, "infer": False, "enable_graph": graph})
            add_ms[graph].append((time.perf_counter() - began) * 1000)
            if status != 200:
                raise SystemExit(f"POST /memories answered {status}: {answer[:300]!r}")
            added += [result["id"] for result in json.loads(answer)["results"]]
        for memory_id in added:
            status, answer = request(connection, "DELETE", f"/memories/{memory_id}")
            if status != 200:
                raise SystemExit(f"DELETE /memories/{memory_id} answered {status}: {answer[:300]!r}")
        for query in query_list:
            for graph in (True, False):
                began = time.perf_counter()
                status, answer = request(connection, "POST", "/search",
                                         {"query": query, "user_id": scope, "top_k": top_k, "enable_graph": graph})
                search_ms[graph].append((time.perf_counter() - began) * 1000)
                if status != 200:
                    raise SystemExit(f"POST /search answered {status}: {answer[:300]!r}")
    finally:
        connection.close()
    return {"add_p50_ms": {"graph": percentile(sorted(add_ms[True]), 50), "no_graph": percentile(sorted(add_ms[False]), 50)},
            "search_p50_ms": {"graph": percentile(sorted(search_ms[True]), 50),
                              "no_graph": percentile(sorted(search_ms[False]), 50)},
            "rounds": rounds, "queries": len(query_list)}


def run_engram_single(settings, server_factory, out_dir):
    """The single-scope levels, in one scope that grows from level to level."""
    seed, concurrency = settings["seed"], settings["concurrency"]
    query_list, top_k = settings["queries"], settings["top_k"]
    single = sorted({level[1]: level for level in settings["levels"] if level[2] == 1}.values(),
                    key=lambda level: level[1])
    if single:
        server = server_factory()
        try:
            scope = scope_name("single", 0)
            warmup = settings["add_warmup"]
            if warmup:
                progress(f"warm-up: {warmup} untimed adds to another scope")
                jobs = single_jobs(WARMUP_FIRST, WARMUP_FIRST + warmup, lambda _: scope_name("warmup", 0))
                engram_add(server, seed, jobs, warmup, concurrency, "warm-up")
            loaded = 0
            for label, memories, _ in single:
                added = memories - loaded
                progress(f"{label}: adding {added:,} memories to one scope over {concurrency} connections")
                jobs = single_jobs(loaded, memories, lambda _: scope)
                rate, seconds, cpu_ms = engram_add(server, seed, jobs, added, concurrency, label)
                loaded = memories
                progress(f"{label}: {rate:,.0f} adds/s; searching ({len(query_list)} queries)")
                search = engram_search(server, scope, query_list, top_k)
                search["throughput"] = engram_search_throughput(server, scope, query_list, top_k, concurrency)
                # The same queries through /v1/embeddings alone, in the same state of the server.
                search["embed"] = engram_embed_latency(server, query_list)
                if settings["interleaved"]:
                    progress(f"{label}: {settings['interleaved']} times one add, then one search")
                    search["after_add"] = engram_search_after_add(server, seed, scope, query_list, top_k,
                                                                  settings["interleaved"])
                if settings["graph_cost"]:
                    progress(f"{label}: the graph's cost ({settings['graph_cost']} adds and each query, with and without)")
                    search["graph_cost"] = engram_graph_cost(server, seed, scope, query_list, top_k, settings["graph_cost"])
                counted = scope_count(server, scope)
                if counted != memories:
                    raise SystemExit(f"{label}: the scope holds {counted} memories, expected {memories}")
                write_report(out_dir, "engram", label, {
                    "system": "engram", "level": label, "memories": memories, "scopes": 1,
                    "memories_in_searched_scope": memories, "add_per_s": rate, "add_seconds": seconds,
                    "add_cpu_ms": cpu_ms, "added": added, "concurrency": concurrency, "search": search,
                    "rss_mb": server.rss_mb(), "disk_mb": server.disk_mb(), "loadavg": os.getloadavg()})
                progress(f"{label}: search p50 {search['p50_ms']:.2f} ms, p95 {search['p95_ms']:.2f} ms, "
                         f"p99 {search['p99_ms']:.2f} ms")
            # The same adds over one connection, for comparison with mem0's single-threaded adds.
            probe = min(1000, max(level[1] for level in single))
            progress(f"probe: {probe:,} adds over 1 connection (another scope)")
            jobs = single_jobs(0, probe, lambda _: scope_name("probe", 0))
            rate1, _, _ = engram_add(server, seed, jobs, probe, 1, "probe")
            progress("embedding each query alone through /v1/embeddings")
            embed = engram_embed_latency(server, query_list)
            write_report(out_dir, "engram", "probe-1conn", {
                "system": "engram", "level": "probe-1conn", "memories": probe, "add_per_s": rate1,
                "concurrency": 1, "embed": embed})
        finally:
            server.stop()


def run_engram_spread(settings, server_factory, out_dir):
    """The levels spread over many scopes, each in a fresh server."""
    seed, concurrency = settings["seed"], settings["concurrency"]
    query_list, top_k = settings["queries"], settings["top_k"]
    for label, memories, scopes in [level for level in settings["levels"] if level[2] > 1]:
        server = server_factory()
        try:
            sample = min(settings["add_sample"], memories)
            bulk = memories - sample
            batch = settings["load_batch"]
            scope_of = lambda index: scope_name(label, index % scopes)
            bulk_rate = None
            if bulk:
                # Memory i goes to scope i % scopes; the bulk is sent `batch` memories of a scope per request.
                progress(f"{label}: loading {bulk:,} memories over {scopes:,} scopes in requests of {batch} "
                         f"messages over {concurrency} connections")
                bulk_jobs = ((scope_name(label, scope), indices)
                             for scope, indices in batched_jobs(bulk, scopes, batch))
                bulk_rate, _, _ = engram_add(server, seed, bulk_jobs, bulk, concurrency, label + " bulk")
                progress(f"{label}: bulk load at {bulk_rate:,.0f} memories/s")
            # The last `sample` memories one message per request, as at the other levels: the add rate.
            progress(f"{label}: timing the last {sample:,} adds, one message per request, "
                     f"over {concurrency} connections")
            jobs = single_jobs(bulk, memories, scope_of)
            rate, seconds, cpu_ms = engram_add(server, seed, jobs, sample, concurrency, label)
            searched = scope_name(label, scopes // 2)
            progress(f"{label}: {rate:,.0f} adds/s; searching scope {searched}")
            search = engram_search(server, searched, query_list, top_k)
            search["throughput"] = engram_search_throughput(server, searched, query_list, top_k, concurrency)
            write_report(out_dir, "engram", label, {
                "system": "engram", "level": label, "memories": memories, "scopes": scopes,
                "memories_in_searched_scope": scope_count(server, searched), "add_per_s": rate,
                "add_seconds": seconds, "add_cpu_ms": cpu_ms, "added": sample, "bulk_loaded": bulk, "bulk_batch": batch,
                "bulk_per_s": bulk_rate, "concurrency": concurrency, "search": search,
                "rss_mb": server.rss_mb(), "disk_mb": server.disk_mb(), "loadavg": os.getloadavg()})
            progress(f"{label}: search p50 {search['p50_ms']:.2f} ms, p95 {search['p95_ms']:.2f} ms, "
                     f"p99 {search['p99_ms']:.2f} ms")
        finally:
            server.stop()


# ---------------------------------------------------------------------------------------------------
# mem0: the library in this process, faiss store; its embedder on Engram's /v1/embeddings ("engram") or
# sentence-transformers in this process ("local", mem0's huggingface provider, as a mem0 user running
# locally would configure it).

MEM0_SYSTEMS = {"engram": "mem0", "local": "mem0-local"}


def mem0_embedder_config(embedder, server, model_dir):
    if embedder == "engram":
        return {"provider": "openai", "config": {
            "model": "all-MiniLM-L6-v2", "api_key": "unused-by-engram", "embedding_dims": 384,
            "openai_base_url": f"http://127.0.0.1:{server.port}/v1"}}
    # The same model files Engram loads; sentence-transformers reads them from the folder, offline.
    os.environ["HF_HUB_OFFLINE"] = "1"
    return {"provider": "huggingface", "config": {
        "model": os.path.abspath(model_dir), "embedding_dims": 384, "model_kwargs": {"device": "cpu"}}}


def run_mem0(settings, server, out_dir, embedder):
    system = MEM0_SYSTEMS[embedder]
    os.environ["MEM0_TELEMETRY"] = "False"
    work = tempfile.mkdtemp(prefix="mem0-bench-")
    os.environ["MEM0_DIR"] = os.path.join(work, "home")
    try:
        import logging
        logging.getLogger("mem0").setLevel(logging.ERROR)
        from mem0 import Memory
        import mem0 as mem0_package

        version = getattr(mem0_package, "__version__", None)
        if version is None:
            from importlib.metadata import version as package_version
            version = package_version("mem0ai")
        levels = sorted(settings["mem0_levels"])
        memory = Memory.from_config({
            "vector_store": {"provider": "faiss", "config": {
                "collection_name": "bench", "path": os.path.join(work, "faiss"),
                "distance_strategy": "cosine", "embedding_model_dims": 384}},
            "embedder": mem0_embedder_config(embedder, server, settings["model_dir"]),
            # Never called: every add has infer=False. The address is a closed loopback port.
            "llm": {"provider": "openai", "config": {
                "model": "gpt-4.1-nano", "api_key": "unused", "openai_base_url": "http://127.0.0.1:9/v1"}},
            "history_db_path": os.path.join(work, "history.db"),
        })
        # Engram's CPU counts only when mem0 embeds through it; with its own embedder it never calls it.
        server_cpu = server.cpu_seconds if embedder == "engram" else (lambda: 0.0)
        scope = scope_name("single", 0)
        for index in range(WARMUP_FIRST, WARMUP_FIRST + settings["add_warmup"]):
            memory.add([{"role": "user", "content": memory_text(settings["seed"], index)}],
                       user_id=scope_name("warmup", 0), infer=False)
        loaded = 0
        for memories in levels:
            label = next(l for l, n, s in settings["levels"] if n == memories and s == 1)
            progress(f"{label}: {system} adding {memories - loaded:,} memories (one at a time, in process)")
            cpu_before = time.process_time() + server_cpu()
            began = time.perf_counter()
            last_report = began
            for index in range(loaded, memories):
                result = memory.add([{"role": "user", "content": memory_text(settings["seed"], index)}],
                                    user_id=scope, infer=False)
                if len(result["results"]) != 1:
                    raise SystemExit(f"mem0 add returned {result!r}")
                now = time.perf_counter()
                if now - last_report >= 15:
                    done = index + 1 - loaded
                    rate = done / (now - began)
                    progress(f"{label}: {system} added {index + 1:,} / {memories:,} ({rate:,.1f}/s, "
                             f"~{(memories - index - 1) / rate / 60:.1f} min left at this rate)")
                    last_report = now
            seconds = time.perf_counter() - began
            add_cpu_ms = (time.process_time() + server_cpu() - cpu_before) * 1000 / (memories - loaded)
            rate = (memories - loaded) / seconds
            loaded = memories
            progress(f"{label}: {system} {rate:,.1f} adds/s; searching")
            samples, first, hits = [], None, 0
            query_list = settings["queries"]
            for number, query in enumerate(query_list[:20] + query_list):
                began = time.perf_counter()
                found = memory.search(query, filters={"user_id": scope}, top_k=settings["top_k"])
                elapsed = (time.perf_counter() - began) * 1000
                if number == 0:
                    first = elapsed
                if number == 19:
                    cpu_before = time.process_time() + server_cpu()
                if number >= 20:
                    samples.append(elapsed)
                    hits += len(found["results"])
            search = latency_summary(samples)
            search["cpu_ms"] = (time.process_time() + server_cpu() - cpu_before) * 1000 / len(samples)
            search["first_search_ms"] = first
            search["mean_results"] = hits / len(samples)
            concurrency = settings["concurrency"]
            progress(f"{label}: {system} searching from {concurrency} threads at once")
            try:
                def search_one(_thread, query):
                    return len(memory.search(query, filters={"user_id": scope}, top_k=settings["top_k"])["results"])

                concurrent_searches(search_one, query_list[:concurrency * 4], concurrency)
                cpu_before = time.process_time() + server_cpu()
                per_s, _, mean_results = concurrent_searches(search_one, query_list, concurrency)
                search["throughput"] = {
                    "per_s": per_s, "concurrency": concurrency, "mean_results": mean_results,
                    "cpu_ms": (time.process_time() + server_cpu() - cpu_before) * 1000 / len(query_list)}
            except Exception as error:  # mem0 does not promise that search is thread-safe: report it
                search["throughput"] = {"error": repr(error), "concurrency": concurrency}
            write_report(out_dir, system, label, {
                "system": system, "embedder": embedder, "version": version, "level": label, "memories": memories, "scopes": 1,
                "memories_in_searched_scope": memories, "add_per_s": rate, "add_seconds": seconds,
                "add_cpu_ms": add_cpu_ms, "concurrency": 1, "search": search, "blocked_connections": list(BLOCKED),
                "loadavg": os.getloadavg()})
            progress(f"{label}: {system} search p50 {search['p50_ms']:.2f} ms, p95 {search['p95_ms']:.2f} ms, "
                     f"p99 {search['p99_ms']:.2f} ms")
        memory.close() if hasattr(memory, "close") else None
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------
# Reports and the table.

def write_report(out_dir, system, label, report):
    name = f"{system}-{label.replace('/', 'over')}.json"
    with open(os.path.join(out_dir, name), "w") as out:
        json.dump(report, out, indent=1)


def load_reports(out_dir):
    reports = {}
    for name in sorted(os.listdir(out_dir)):
        if name.endswith(".json"):
            with open(os.path.join(out_dir, name)) as source:
                report = json.load(source)
            reports[(report["system"], report["level"])] = report
    return reports


MEM0_CAPTIONS = {
    "mem0": "mem0 embedding through Engram's /v1/embeddings (both systems share one embedder)",
    "mem0-local": "mem0 with its own embedder (sentence-transformers in its process, the same model)",
}


def print_table(out_dir):
    reports = load_reports(out_dir)
    levels = []
    for system, level in reports:
        if level not in ("probe-1conn", "error") and level not in levels:
            levels.append(level)
    variants = [system for system in MEM0_CAPTIONS if any(s == system for s, _ in reports)]

    def any_report(level):
        return next(r for (s, l), r in sorted(reports.items()) if l == level)

    levels.sort(key=lambda level: any_report(level)["memories"])

    def lat(report):
        if not report:
            return "—"
        s = report["search"]
        return f"{s['p50_ms']:.1f} / {s['p95_ms']:.1f} / {s['p99_ms']:.1f}"

    def rate(report):
        return f"{report['add_per_s']:,.0f}" if report else "—"

    def throughput(report):
        measured = report and report["search"].get("throughput")
        if not measured:
            return "—", None
        if "error" in measured:
            return f"failed ({measured['error'][:60]})", None
        return f"{measured['per_s']:,.0f}", measured["per_s"]

    for variant in variants or ["mem0"]:
        if len(variants) > 1:
            print(f"{MEM0_CAPTIONS[variant]}:\n")
        rows = ["| size | Engram add/s | mem0 add/s | ratio | Engram search p50/p95/p99 (ms) "
                "| mem0 search p50/p95/p99 (ms) | ratio (p50) |",
                "|---|---:|---:|---:|---:|---:|---:|"]
        throughput_rows = []
        for level in levels:
            engram, mem0 = reports.get(("engram", level)), reports.get((variant, level))
            if not engram and not mem0:
                continue
            some = engram or mem0
            size = f"{some['memories']:,}"
            size += " in 1 scope" if some["scopes"] == 1 else \
                f" over {some['scopes']:,} scopes ({some['memories_in_searched_scope']:,} searched)"
            add_ratio = f"{engram['add_per_s'] / mem0['add_per_s']:.1f}×" if engram and mem0 else "—"
            search_ratio = f"{mem0['search']['p50_ms'] / engram['search']['p50_ms']:.1f}×" if engram and mem0 else "—"
            rows.append(f"| {size} | {rate(engram)} | {rate(mem0)} | {add_ratio} | {lat(engram)} | {lat(mem0)} "
                        f"| {search_ratio} |")
            (engram_text, engram_rate), (mem0_text, mem0_rate) = throughput(engram), throughput(mem0)
            if engram_rate is None and mem0_rate is None:
                continue
            ratio = f"{engram_rate / mem0_rate:.1f}×" if engram_rate and mem0_rate else "—"
            throughput_rows.append(f"| {some['memories']:,} | {engram_text} | {mem0_text} | {ratio} |")
        print("\n".join(rows))
        if throughput_rows:
            clients = {r["search"]["throughput"]["concurrency"] for r in reports.values()
                       if "search" in r and r["search"].get("throughput")}
            print(f"\nSearches per second with {', '.join(map(str, sorted(clients)))} clients searching at once "
                  "(Engram: keep-alive connections; mem0: threads calling Memory.search in process):\n")
            print("| size | Engram searches/s | mem0 searches/s | ratio |\n|---|---:|---:|---:|")
            print("\n".join(throughput_rows))
        print()

    notes = []
    concurrency = {r["concurrency"] for (s, l), r in reports.items() if s == "engram" and l != "probe-1conn"}
    if concurrency:
        notes.append(f"Engram adds: {', '.join(map(str, sorted(concurrency)))} keep-alive connections; "
                     "mem0 adds: one at a time, in process (Memory.add is not safe to call from several threads).")
    probe = reports.get(("engram", "probe-1conn"))
    if probe:
        notes.append(f"Engram adds over 1 connection: {probe['add_per_s']:,.0f}/s ({probe['memories']:,} adds).")
        embed = probe.get("embed")
        if embed:
            who = "Both systems embed" if any(s == "mem0" for s, _ in reports) else "Engram embeds"
            notes.append(f"Embedding one query alone (POST /v1/embeddings, the same queries), at the end: "
                         f"p50 {embed['p50_ms']:.1f} ms, p95 {embed['p95_ms']:.1f} ms, p99 {embed['p99_ms']:.1f} ms. "
                         f"{who} every query with it, so search p50 minus the embedding is the time spent "
                         "outside the embedder:")
            for level in levels:
                parts = []
                engram = reports.get(("engram", level))
                # Measured right after the level's searches when the report has it, else at the end.
                level_embed = (engram or {}).get("search", {}).get("embed") or embed
                for system in ("engram", "mem0"):  # mem0-local does not use this embedder
                    report = reports.get((system, level))
                    if report:
                        parts.append(f"{system} {report['search']['p50_ms'] - level_embed['p50_ms']:.1f} ms")
                if engram and engram["search"].get("embed"):
                    parts.append(f"embedding alone p50 {level_embed['p50_ms']:.1f} ms right after this level's searches")
                notes.append(f"  {level}: " + ", ".join(parts))
    for (system, level), report in sorted(reports.items()):
        if report.get("bulk_loaded"):
            notes.append(f"{system} {level}: the first {report['bulk_loaded']:,} memories were loaded in requests of "
                         f"{report['bulk_batch']} messages ({report['bulk_per_s']:,.0f} memories/s); the add rate "
                         f"in the table is that of the last {report['added']:,}, one message per request.")
    for (system, level), report in sorted(reports.items()):
        after_add = report.get("search", {}).get("after_add")
        if after_add:
            notes.append(f"{system} {level}: a search right after an add to its scope (an agent's turn), "
                         f"{after_add['count']} times: p50 {after_add['p50_ms']:.1f} ms, p95 {after_add['p95_ms']:.1f} ms, "
                         f"p99 {after_add['p99_ms']:.1f} ms.")
    for (system, level), report in sorted(reports.items()):
        cost = report.get("search", {}).get("graph_cost")
        if cost:
            notes.append(f"{system} {level}: graph memory's cost, over one connection: an infer=false add p50 "
                         f"{cost['add_p50_ms']['graph']:.2f} ms with the graph, {cost['add_p50_ms']['no_graph']:.2f} ms "
                         f"without ({cost['rounds']} each); a search p50 {cost['search_p50_ms']['graph']:.2f} ms with, "
                         f"{cost['search_p50_ms']['no_graph']:.2f} ms without ({cost['queries']} each).")
    for (system, level), report in sorted(reports.items()):
        if "search" in report:
            s = report["search"]
            extra = f"{system} {level}: CPU per add {report['add_cpu_ms']:.1f} ms, per search " \
                    f"{s['cpu_ms']:.1f} ms; first (cold) search {s['first_search_ms']:.1f} ms, " \
                    f"{s['mean_results']:.1f} results per search on average, {s['count']} timed searches"
            if report.get("rss_mb"):
                extra += f", server RSS {report['rss_mb']:,.0f} MB, data {report['disk_mb']:,.0f} MB"
            if report.get("loadavg"):
                extra += f", machine load {report['loadavg'][0]:.1f} (1 min) at the end"
            notes.append(extra + ".")
    for variant in MEM0_CAPTIONS:
        failure = reports.get((variant, "error"))
        if failure:
            notes.append(f"{variant} failed: {failure['error']}")
    blocked = sorted({b for r in reports.values() for b in r.get("blocked_connections", [])})
    if blocked:
        notes.append(f"Blocked non-loopback connections attempted by mem0: {', '.join(blocked)}.")
    versions = {r["version"] for r in reports.values() if r.get("version")}
    if versions:
        notes.append(f"mem0ai {', '.join(sorted(versions))}.")
    for note in notes:
        print(f"  - {note.strip()}" if note.startswith("  ") else f"- {note}")


# ---------------------------------------------------------------------------------------------------

def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "sample":
        count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
        seed = env_int("BENCH_SEED", 7)
        for index in range(count):
            print(memory_text(seed, index))
        print("--- queries")
        for query in queries(seed, count):
            print(query)
        return
    if len(sys.argv) != 3 or sys.argv[1] not in ("run", "table"):
        raise SystemExit(__doc__)
    out_dir = sys.argv[2]
    if sys.argv[1] == "table":
        print_table(out_dir)
        return

    levels = parse_levels(os.environ.get("BENCH_SIZES", "1k,10k,100k,1m/1k"))
    mem0_spec = os.environ.get("MEM0_SIZES")
    if mem0_spec is None:
        mem0_levels = [n for _, n, s in levels if s == 1 and n <= 10_000]
    elif mem0_spec.strip().lower() in ("", "none", "0"):
        mem0_levels = []
    else:
        mem0_levels = [parse_count(part) for part in mem0_spec.split(",") if part.strip()]
        for count in mem0_levels:
            if not any(n == count and s == 1 for _, n, s in levels):
                raise SystemExit(f"MEM0_SIZES: {count} is not a single-scope level of BENCH_SIZES")
    embedder_spec = os.environ.get("MEM0_EMBEDDER", "engram").strip().lower()
    if embedder_spec not in ("engram", "local", "both"):
        raise SystemExit(f"MEM0_EMBEDDER: {embedder_spec!r} is not engram, local or both")
    mem0_embedders = ["engram", "local"] if embedder_spec == "both" else [embedder_spec]
    seed = env_int("BENCH_SEED", 7)
    binary = os.environ.get("ENGRAM_BIN", ".build/release/engram")
    model_dir = os.environ.get("ENGRAM_MODEL_DIR", "models/all-MiniLM-L6-v2")
    settings = {
        "levels": levels, "mem0_levels": mem0_levels, "seed": seed,
        "concurrency": env_int("BENCH_CONCURRENCY", 8), "top_k": env_int("BENCH_TOP_K", 10),
        "load_batch": env_int("BENCH_LOAD_BATCH", 100), "add_sample": env_int("BENCH_ADD_SAMPLE", 5000),
        "add_warmup": env_int("BENCH_ADD_WARMUP", 50), "interleaved": env_int("BENCH_INTERLEAVED", 100),
        "graph_cost": env_int("BENCH_GRAPH_COST", 200),
        "queries": queries(seed + 1, env_int("BENCH_QUERIES", 500)),
        "mem0_embedders": mem0_embedders, "model_dir": model_dir,
    }
    os.makedirs(out_dir, exist_ok=True)
    for name in os.listdir(out_dir):
        if name.endswith(".json"):
            os.remove(os.path.join(out_dir, name))

    servers = []

    def server_factory():
        server = EngramServer(binary, model_dir)
        servers.append(server)
        return server.start()

    def on_signal(number, _frame):
        raise SystemExit(f"bench_engine: stopped by signal {number}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    began = time.monotonic()
    try:
        run_engram_single(settings, server_factory, out_dir)
        for embedder in (settings["mem0_embedders"] if mem0_levels else []):
            # mem0 runs beside a server of its own, stopped afterwards. A mem0 failure is reported and
            # the run goes on, so Engram's levels are still measured.
            system = MEM0_SYSTEMS[embedder]
            server = server_factory()
            try:
                run_mem0(settings, server, out_dir, embedder)
            except Exception as error:
                import traceback
                traceback.print_exc()
                progress(f"{system} failed: {error!r}")
                write_report(out_dir, system, "error", {"system": system, "level": "error", "error": repr(error),
                                                        "blocked_connections": list(BLOCKED)})
            finally:
                server.stop()
        run_engram_spread(settings, server_factory, out_dir)
    finally:
        for server in servers:
            server.stop()
    progress(f"done in {(time.monotonic() - began) / 60:.1f} min")
    print_table(out_dir)


if __name__ == "__main__":
    main()
