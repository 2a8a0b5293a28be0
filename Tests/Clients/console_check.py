"""Drives Engram's web console (/ui/) in headless Chromium and checks what a user would do with it.

    console_check.py --base http://127.0.0.1:PORT [--key KEY] --artifacts DIR [--screenshots DOCS_DIR]

The server must be fresh and empty. With --key the console must ask for the key (a wrong one is refused,
the right one is kept in sessionStorage only); without it the console opens straight away. Then, either
way: memories are seeded over REST (hostile texts among them), opened by deep link, shown as text and
never as markup, paged, filtered, added, searched, edited, traced through history, deleted one by one and
in bulk; the graph, jobs and server tabs render; and Chromium's console stays free of errors, warnings
and CSP violations. A screenshot of every step goes to --artifacts; --screenshots also writes the two
README pictures (docs/console-memories.png, docs/console-graph.png) from a friendlier scope.

Every failed check prints one line to stderr; the exit status is 1 when any failed.
"""
import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

WAIT_SECONDS = 10
HOSTILE_IMG = "<img src=x onerror=alert(1)>"
HOSTILE_SCRIPT = '"><script>window.__pwned=1</script>'
HOSTILE_METADATA = {"note": "<b>bold</b><img src=x onerror=alert(2)>", "html": "<script>window.__pwned=2</script>"}
FILLERS = 30
DEFAULT_PAGE_SIZE = 25


class Api:
    """The REST API over urllib, with the key when there is one."""

    def __init__(self, base, key):
        self.base = base.rstrip("/")
        self.key = key

    def call(self, method, path, body=None):
        """Answers (status, parsed JSON or None, headers)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.key:
            request.add_header("X-API-Key", self.key)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, parse_json(raw), response.headers
        except urllib.error.HTTPError as error:
            return error.code, parse_json(error.read()), error.headers

    def add(self, messages, user_id="alice", **extra):
        status, body, _ = self.call("POST", "/memories", {"messages": messages, "user_id": user_id, **extra})
        if status not in (200, 202):
            raise RuntimeError(f"seeding failed: {status} {body}")
        return body

    def memories(self, user_id="alice", **params):
        query = urllib.parse.urlencode({"user_id": user_id, "page_size": 1000, **params})
        status, body, _ = self.call("GET", f"/memories?{query}")
        if status != 200:
            raise RuntimeError(f"listing failed: {status} {body}")
        return body


def parse_json(raw):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


class ConsoleCheck:
    def __init__(self, args):
        self.args = args
        self.base = args.base.rstrip("/")
        self.api = Api(self.base, args.key)
        self.failures = []
        self.shot = 0
        self.logs = []
        self.driver = None

    # ------------------------------------------------------------ plumbing

    def expect(self, condition, message):
        if not condition:
            self.failures.append(message)
            print(f"FAIL: {message}", file=sys.stderr, flush=True)
        return condition

    def screenshot(self, name):
        if self.driver is None:
            return
        self.shot += 1
        path = os.path.join(self.args.artifacts, f"{self.shot:02d}-{name}.png")
        try:
            self.driver.save_screenshot(path)
        except WebDriverException as error:
            print(f"note: screenshot {name} failed: {error.msg}", flush=True)

    def wait(self, condition, what, seconds=WAIT_SECONDS):
        """Waits for condition(driver) to be truthy; a timeout is a failed check, answered as None."""
        try:
            return WebDriverWait(self.driver, seconds, poll_frequency=0.05).until(lambda d: condition(d))
        except TimeoutException:
            self.expect(False, f"timed out waiting for {what}")
            return None

    def by_id(self, element_id):
        return self.driver.find_element(By.ID, element_id)

    def visible(self, element_id):
        elements = self.driver.find_elements(By.ID, element_id)
        return bool(elements) and elements[0].is_displayed()

    def click(self, element):
        # Centre it first, so the sticky top bar never covers what is clicked.
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()

    def type_into(self, element_id, text):
        field = self.by_id(element_id)
        field.clear()
        field.send_keys(text)

    def rows(self):
        return self.driver.find_elements(By.CSS_SELECTOR, "#memories-body tr[data-testid=memory-row]")

    def row_ids(self):
        return [row.get_attribute("data-memory-id") for row in self.rows()]

    def row(self, memory_id):
        found = self.driver.find_elements(By.CSS_SELECTOR, f'#memories-body tr[data-memory-id="{memory_id}"]')
        return found[0] if found else None

    def texts(self, selector):
        # One script call, so a list re-rendered meanwhile cannot leave stale elements behind.
        return self.driver.execute_script(
            "return [...document.querySelectorAll(arguments[0])].map((node) => node.textContent)", selector)

    def graph_names(self):
        return set(self.driver.execute_script(
            "return [...document.querySelectorAll('#graph-canvas [data-testid=graph-node]')].map((n) => n.dataset.name)"))

    def dialog_open(self, element_id):
        return self.driver.execute_script("return document.getElementById(arguments[0]).open", element_id)

    def show_tab(self, name):
        self.click(self.by_id(f"tab-{name}"))
        return self.wait(lambda d: self.visible(f"panel-{name}"), f"the {name} tab")

    def collect_logs(self, allowed=lambda entry: False):
        """Reads Chromium's console so far; keeps what is not explicitly allowed."""
        for entry in self.driver.get_log("browser"):
            if not allowed(entry):
                self.logs.append(entry)

    def memory_status(self, memory_id):
        status, _, _ = self.api.call("GET", f"/memories/{urllib.parse.quote(memory_id)}")
        return status

    def step(self, name, action):
        try:
            action()
        except Exception as error:  # a broken step is a finding; the next steps still run
            detail = error.msg.splitlines()[0] if isinstance(error, WebDriverException) and error.msg else error
            self.expect(False, f"{name}: {type(error).__name__}: {detail}")
        self.screenshot(name)

    # ------------------------------------------------------------ the checks

    def check_headers(self):
        for path in ("/ui/", "/ui"):
            status, _, headers = self.api.call("GET", path)
            policy = headers.get("Content-Security-Policy", "")
            self.expect(status == 200, f"GET {path} answered {status}")
            self.expect("frame-ancestors 'none'" in policy, f"{path}: CSP lacks frame-ancestors 'none': {policy!r}")
            self.expect("script-src 'self'" in policy and "unsafe" not in policy, f"{path}: CSP too loose: {policy!r}")
            self.expect(headers.get("X-Content-Type-Options") == "nosniff", f"{path}: no nosniff")
        for path, kind in (("/ui/console.js", "text/javascript"), ("/ui/console.css", "text/css"),
                           ("/ui/favicon.svg", "image/svg+xml"), ("/favicon.ico", "image/svg+xml")):
            request = urllib.request.Request(self.base + path)
            with urllib.request.urlopen(request, timeout=10) as response:
                self.expect(response.headers.get("Content-Type", "").startswith(kind), f"{path} is not {kind}")

    def start_browser(self):
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)

    def sign_in(self):
        self.driver.get(self.base + "/ui/")
        if not self.args.key:
            self.wait(lambda d: self.visible("app-view"), "the console to open without a key")
            self.expect(not self.visible("sign-in-view"), "a keyless server showed the sign-in form")
            self.collect_logs()
            return
        self.wait(lambda d: self.visible("sign-in-form"), "the sign-in form")
        self.type_into("sign-in-key", "not-the-key")
        self.click(self.by_id("sign-in-submit"))
        error = self.wait(lambda d: self.visible("sign-in-error") and self.by_id("sign-in-error").text, "the wrong key's error")
        self.expect(error and "Invalid API key" in error, f"the wrong key's error reads {error!r}")
        self.expect(not self.visible("app-view"), "a wrong key opened the console")
        self.screenshot("wrong-key")
        self.type_into("sign-in-key", self.args.key)
        self.by_id("sign-in-key").send_keys(Keys.ENTER)
        self.wait(lambda d: self.visible("app-view"), "the console after signing in")
        self.check_key_storage()
        # The probe without a key and the wrong key are 401s by design; Chromium logs each as a failed load.
        self.collect_logs(lambda entry: entry.get("source") == "network" and "/entities" in entry.get("message", "")
                          and "status of 401" in entry.get("message", ""))

    def check_key_storage(self):
        key = self.args.key
        self.expect(key not in self.driver.current_url, "the key is in the URL")
        found = self.driver.execute_script("""
            const values = (store) => Object.keys(store).map((name) => store.getItem(name));
            return {cookie: document.cookie, local: values(localStorage), session: values(sessionStorage)};
        """)
        self.expect(key not in found["cookie"], "the key is in document.cookie")
        self.expect(all(key not in value for value in found["local"]), "the key is in localStorage")
        self.expect(key in found["session"], "the key is not in sessionStorage")

    def seed(self):
        fillers = [{"role": "user", "content": f"Filler memory number {i:02d} about hobby {i}"} for i in range(FILLERS)]
        answer = self.api.add(fillers, infer=False)
        self.expect(len(answer["results"]) == FILLERS, f"seeding {FILLERS} fillers added {len(answer['results'])}")
        # Two moves a year apart: the graph closes the first lives_in when the second arrives.
        self.api.add("My sister Claire lives in Lyon.", infer=False, timestamp="2025-01-10T09:00:00Z")
        self.api.add("Claire moved to Paris.", infer=False, timestamp="2026-03-01T09:00:00Z")
        self.api.add(HOSTILE_SCRIPT, infer=False)
        self.api.add(HOSTILE_IMG, infer=False, metadata=HOSTILE_METADATA)
        self.api.add("Bob likes green tea.", user_id="bob", infer=False)
        job = self.api.add("Alice keeps a kayak at the lake.", infer=False, async_mode=True)
        deadline = time.time() + WAIT_SECONDS
        while time.time() < deadline:
            _, event, _ = self.api.call("GET", f"/events/{job['event_id']}")
            if event and event.get("status") in ("SUCCEEDED", "FAILED"):
                break
            time.sleep(0.1)
        self.expect(event and event.get("status") == "SUCCEEDED", f"the async seed job ended as {event}")
        self.total = self.api.memories()["count"]
        self.expect(self.total == FILLERS + 5, f"alice has {self.total} memories after seeding")

    def deep_link(self):
        self.driver.get(self.base + "/ui/?user_id=alice")
        self.wait(lambda d: len(self.rows()) == DEFAULT_PAGE_SIZE, f"{DEFAULT_PAGE_SIZE} rows on the first page")
        self.expect(self.by_id("scope-title").text == "alice", "the deep link did not open alice")
        current = self.driver.find_elements(By.CSS_SELECTOR, '#scope-list a[aria-current="page"]')
        self.expect(current and current[0].get_attribute("data-scope-id") == "alice", "alice is not marked current")

    def hostile_text(self):
        texts = self.texts("#memories-body [data-testid=memory-text]")
        self.expect(HOSTILE_IMG in texts, "the <img> memory is not shown as literal text")
        self.expect(HOSTILE_SCRIPT in texts, "the <script> memory is not shown as literal text")
        metadata = self.texts("#memories-body [data-testid=meta-value]")
        self.expect(HOSTILE_METADATA["note"] in metadata, "the HTML metadata value is not shown as literal text")
        found = self.driver.execute_script("""
            return {
              images: [...document.images].map((img) => img.getAttribute('src')),
              scripts: [...document.scripts].map((s) => s.getAttribute('src')),
              bold: document.querySelectorAll('#memories-body b').length,
              pwned: typeof window.__pwned,
            };
        """)
        self.expect(found["images"] == ["/ui/favicon.svg"], f"unexpected images in the page: {found['images']}")
        self.expect(found["scripts"] == ["/ui/console.js"], f"unexpected scripts in the page: {found['scripts']}")
        self.expect(found["bold"] == 0, "metadata HTML became a <b> element")
        self.expect(found["pwned"] == "undefined", "an injected script ran (window.__pwned is set)")
        self.expect_no_alert()

    def expect_no_alert(self):
        try:
            alert = self.driver.switch_to.alert
            text = alert.text
            alert.dismiss()
            self.expect(False, f"an alert opened: {text!r}")
        except NoAlertPresentException:
            pass

    def paginate(self):
        count = self.by_id("memory-count").text
        self.expect(count == f"{self.total} memories", f"the count reads {count!r}, not {self.total} memories")
        pages = -(-self.total // DEFAULT_PAGE_SIZE)
        self.expect(self.by_id("page-label").text == f"Page 1 of {pages}", f"page label {self.by_id('page-label').text!r}")
        first = set(self.row_ids())
        self.click(self.by_id("page-next"))
        self.wait(lambda d: self.by_id("page-label").text == f"Page 2 of {pages}", "page 2")
        self.wait(lambda d: len(self.rows()) == self.total - DEFAULT_PAGE_SIZE, "the rows of page 2")
        second = set(self.row_ids())
        self.expect(second and not (first & second), "page 2 repeats rows of page 1")
        self.screenshot("page-2")
        Select(self.by_id("page-size")).select_by_value("10")
        self.wait(lambda d: len(self.rows()) == 10 and self.by_id("page-label").text.startswith("Page 1 of"), "10 rows a page")
        Select(self.by_id("page-size")).select_by_value(str(DEFAULT_PAGE_SIZE))
        self.wait(lambda d: len(self.rows()) == DEFAULT_PAGE_SIZE, "back to the first page")

    def filters(self):
        self.click(self.driver.find_element(By.CSS_SELECTOR, "#filter-details > summary"))
        row = self.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#filter-rows [data-testid=filter-row]"), "a condition row")
        row.find_element(By.CSS_SELECTOR, ".filter-key").send_keys("note")
        Select(row.find_element(By.CSS_SELECTOR, ".filter-op")).select_by_value("contains")
        row.find_element(By.CSS_SELECTOR, ".filter-value").send_keys("bold")
        self.click(self.by_id("filter-apply"))
        self.wait(lambda d: len(self.rows()) == 1, "one row matching note contains bold")
        self.expect(self.texts("#memories-body [data-testid=memory-text]") == [HOSTILE_IMG], "the filter matched the wrong rows")
        self.screenshot("filter-rows")
        self.click(self.by_id("filter-mode-json"))
        json_text = self.by_id("filter-json").get_attribute("value")
        self.expect(json.loads(json_text or "null") == {"note": {"contains": "bold"}}, f"the rows became {json_text!r}")
        self.type_into("filter-json", "{oops")
        self.click(self.by_id("filter-apply"))
        self.wait(lambda d: self.visible("filter-error"), "the invalid JSON error")
        self.expect("not valid JSON" in self.by_id("filter-error").text, "the invalid JSON error is unclear")
        self.expect(len(self.rows()) == 1, "invalid JSON changed the list")
        self.click(self.by_id("filter-clear"))
        self.wait(lambda d: len(self.rows()) == DEFAULT_PAGE_SIZE, "every row after clearing the filters")
        self.click(self.driver.find_element(By.CSS_SELECTOR, "#filter-details > summary"))

    def add(self):
        self.click(self.driver.find_element(By.CSS_SELECTOR, "#add-details > summary"))
        self.wait(lambda d: self.visible("add-text"), "the add form")
        self.type_into("add-text", "Alice paddles her kayak on Sundays.")
        infer = self.by_id("add-infer")
        if infer.is_selected():
            self.click(infer)
        self.type_into("add-metadata", '{"source": "console"}')
        self.click(self.by_id("add-submit"))
        self.wait(lambda d: "1 added" in self.by_id("add-result").text, "the add's result")
        listed = self.api.memories(filters=json.dumps({"source": "console"}))["results"]
        self.expect(len(listed) == 1 and listed[0]["memory"] == "Alice paddles her kayak on Sundays.",
                    f"the UI's add is not in the API: {listed}")
        self.added = listed[0]["id"] if listed else None
        self.wait(lambda d: self.row(self.added) is not None, "the new memory in the table")
        self.click(self.driver.find_element(By.CSS_SELECTOR, "#add-details > summary"))

    def search(self):
        self.show_tab("search")
        self.expect("tab=search" in self.driver.current_url, "the search tab is not in the URL")
        self.type_into("search-query", "kayak")
        self.by_id("search-query").send_keys(Keys.ENTER)
        results = self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results [data-testid=search-result]"), "search results")
        if not results:
            return
        first = results[0]
        self.expect("kayak" in first.find_element(By.CSS_SELECTOR, ".result-text").text, "the best result is not about kayaks")
        score = float(first.find_element(By.CSS_SELECTOR, "[data-testid=score]").text)
        self.expect(0 < score <= 1, f"the best score is {score}")
        parts = {part.get_attribute("data-part") for part in first.find_elements(By.CSS_SELECTOR, "[data-testid=score-part]")}
        self.expect({"semantic_score", "keyword_score", "final_score"} <= parts, f"explain parts shown: {parts}")

    def edit(self):
        self.show_tab("memories")
        row = self.wait(lambda d: self.row(self.added), "the added memory's row")
        self.click(row.find_element(By.CSS_SELECTOR, "[data-action=edit]"))
        self.wait(lambda d: self.dialog_open("edit-dialog"), "the edit dialog")
        self.type_into("edit-text", "Alice paddles her canoe on Sundays.")
        self.screenshot("edit-dialog")
        self.click(self.by_id("edit-save"))
        self.wait(lambda d: not self.dialog_open("edit-dialog"), "the edit dialog to close")
        _, memory, _ = self.api.call("GET", f"/memories/{self.added}")
        self.expect(memory and memory.get("memory") == "Alice paddles her canoe on Sundays.", f"the edit is not in the API: {memory}")
        self.wait(lambda d: "canoe" in (self.row(self.added).text if self.row(self.added) else ""), "the edited text in the table")

    def history(self):
        self.click(self.row(self.added).find_element(By.CSS_SELECTOR, "[data-action=history]"))
        self.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#history-list [data-testid=history-item]")) >= 2, "two history items")
        events = [item.get_attribute("data-event") for item in self.driver.find_elements(By.CSS_SELECTOR, "#history-list [data-testid=history-item]")]
        self.expect(events[:2] == ["ADD", "UPDATE"], f"history events are {events}")
        update = self.driver.find_elements(By.CSS_SELECTOR, '#history-list [data-event="UPDATE"]')
        if update:
            self.expect("kayak" in update[0].find_element(By.TAG_NAME, "del").text
                        and "canoe" in update[0].find_element(By.TAG_NAME, "ins").text, "the update does not show old → new")
        self.screenshot("history")
        self.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
        self.wait(lambda d: not self.dialog_open("history-dialog"), "Escape to close the history dialog")

    def fillers_on_page(self):
        return [row.get_attribute("data-memory-id") for row in self.rows()
                if row.find_element(By.CSS_SELECTOR, "[data-testid=memory-text]").text.startswith("Filler memory")]

    def delete_one(self):
        victim = self.fillers_on_page()[0]
        self.click(self.row(victim).find_element(By.CSS_SELECTOR, "[data-action=delete]"))
        self.wait(lambda d: self.dialog_open("confirm-dialog"), "the delete confirmation")
        self.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
        self.wait(lambda d: not self.dialog_open("confirm-dialog"), "Escape to cancel the delete")
        self.expect(self.memory_status(victim) == 200, "cancelling the confirmation deleted the memory")
        self.click(self.row(victim).find_element(By.CSS_SELECTOR, "[data-action=delete]"))
        self.wait(lambda d: self.dialog_open("confirm-dialog"), "the delete confirmation again")
        self.screenshot("confirm-delete")
        self.click(self.by_id("confirm-ok"))
        self.wait(lambda d: self.row(victim) is None, "the deleted row to leave the table")
        self.expect(self.memory_status(victim) == 404, "the deleted memory still answers")

    def bulk_delete(self):
        victims = self.fillers_on_page()[:2]
        for victim in victims:
            self.click(self.row(victim).find_element(By.CSS_SELECTOR, ".row-select"))
        self.expect(self.by_id("delete-selected").text == "Delete selected (2)", "the bulk button does not count 2")
        self.click(self.by_id("delete-selected"))
        self.wait(lambda d: self.dialog_open("confirm-dialog"), "the bulk confirmation")
        items = self.texts("#confirm-items li")
        self.expect(len(items) == 2, f"the bulk confirmation lists {items}")
        self.click(self.by_id("confirm-ok"))
        self.wait(lambda d: all(self.row(victim) is None for victim in victims), "the deleted rows to leave the table")
        for victim in victims:
            self.expect(self.memory_status(victim) == 404, f"bulk-deleted {victim} still answers")
        remaining = self.total + 1 - 3
        self.wait(lambda d: self.by_id("memory-count").text == f"{remaining} memories", f"the count to read {remaining}")

    def relations(self):
        """The relations table as {"Claire lives_in Lyon": closed?}."""
        return self.driver.execute_script("""
            return Object.fromEntries([...document.querySelectorAll('#relations-body [data-testid=relation-row]')]
              .map((row) => [row.dataset.relation, row.dataset.closed === 'true']));
        """)

    def graph(self):
        self.show_tab("graph")
        self.wait(lambda d: {"Claire", "Lyon", "Paris"} <= self.graph_names(), "Claire, Lyon and Paris in the graph")
        now = self.wait(lambda d: self.relations(), "the relations table")
        self.expect(now and now.get("Claire lives_in Paris") is False, f"the open relations are {now}")
        self.expect(now and "Claire lives_in Lyon" not in now, "the closed relation shows without history")
        claire = self.driver.find_element(By.CSS_SELECTOR, '#graph-canvas [data-testid=graph-node][data-name="Claire"]')
        self.click(claire)
        self.wait(lambda d: self.visible("graph-focus"), "the focus on Claire")
        focused = self.relations()
        self.expect(focused and all("Claire" in relation for relation in focused), f"focusing Claire shows {focused}")
        self.click(self.by_id("graph-focus-clear"))
        self.click(self.by_id("graph-history"))
        history = self.wait(lambda d: "Claire lives_in Lyon" in self.relations() and self.relations(), "the closed relation with history")
        self.expect(history and history.get("Claire lives_in Lyon") is True, f"with history the relations are {history}")
        self.click(self.by_id("graph-history"))
        self.wait(lambda d: "Claire lives_in Lyon" not in self.relations(), "the closed relation to leave again")
        self.expect(self.by_id("graph-time-label").text == "now", "the time slider does not start at now")
        slider = self.by_id("graph-time")
        self.click(slider)
        slider.send_keys(Keys.HOME)
        self.wait(lambda d: "2025" in self.by_id("graph-time-label").text, "the slider to show its first moment, in 2025")
        past = self.wait(lambda d: "Claire lives_in Lyon" in self.relations() and self.relations(), "Lyon as of 2025")
        self.expect(past and "Claire lives_in Paris" not in past, f"as of 2025 the relations are {past}")
        self.screenshot("graph-as-of")
        self.click(self.by_id("graph-now"))
        self.wait(lambda d: self.by_id("graph-time-label").text == "now", "the slider back at now")
        self.wait(lambda d: "Claire lives_in Paris" in self.relations(), "Paris again at now")

    def jobs(self):
        self.show_tab("jobs")
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '#jobs-body [data-testid=job-row][data-status="SUCCEEDED"]'), "the succeeded job")

    def server(self):
        self.show_tab("server")
        self.wait(lambda d: self.texts("#server-health [data-testid=health]"), "the health card")
        tree = self.wait(lambda d: self.texts("#server-config [data-testid=config-tree]"), "the configuration tree")
        self.expect(tree and "embedder" in tree[0], "the configuration tree lacks the embedder")
        memories = self.wait(lambda d: self.texts("#server-metrics [data-testid=metric-memories] dd"), "the memories metric")
        self.expect(memories and memories[0].replace(",", "").isdigit(), f"the memories metric reads {memories}")

    def history_navigation(self):
        bob = self.driver.find_element(By.CSS_SELECTOR, '#scope-list a[data-scope-id="bob"]')
        self.click(bob)
        self.wait(lambda d: self.by_id("scope-title").text == "bob", "bob's scope")
        self.expect("user_id=bob" in self.driver.current_url, f"choosing bob left the URL at {self.driver.current_url}")
        self.driver.back()
        self.wait(lambda d: self.by_id("scope-title").text == "alice", "Back to return to alice")

    def viewport(self, width, height, mobile=False):
        """An exact viewport (a window's size would include the browser's own frame)."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def keyboard(self):
        """The tabs follow the arrow keys, as the ARIA tabs pattern has them."""
        self.show_tab("memories")
        self.driver.execute_script("document.getElementById('tab-memories').focus()")
        self.wait(lambda d: d.switch_to.active_element.get_attribute("id") == "tab-memories", "focus on the memories tab")
        ActionChains(self.driver).send_keys(Keys.ARROW_RIGHT).perform()
        self.wait(lambda d: self.visible("panel-search"), "ArrowRight to open the search tab")
        self.expect(self.driver.switch_to.active_element.get_attribute("id") == "tab-search", "focus did not follow the tab")
        ActionChains(self.driver).send_keys(Keys.ARROW_LEFT).perform()
        self.wait(lambda d: self.visible("panel-memories"), "ArrowLeft to return to the memories tab")

    def phone_and_dark(self):
        self.show_tab("memories")
        self.viewport(390, 844, mobile=True)
        self.wait(lambda d: self.rows(), "the memories on a phone")
        self.screenshot("phone-light")
        self.show_tab("graph")
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#graph-canvas [data-testid=graph-node]"), "the graph on a phone")
        self.screenshot("phone-graph")
        self.show_tab("memories")
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        self.screenshot("phone-dark")
        self.viewport(1280, 900)
        self.screenshot("desktop-dark")
        self.show_tab("graph")
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#graph-canvas [data-testid=graph-node]"), "the graph in dark mode")
        self.screenshot("graph-dark")
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
        self.show_tab("memories")

    def check_console_log(self):
        self.collect_logs()
        for entry in self.logs:
            message = entry.get("message", "")
            if entry.get("level") in ("SEVERE", "WARNING"):
                self.expect(False, f"browser console {entry['level']}: {message}")
            elif "Content Security Policy" in message or "Refused to" in message:
                self.expect(False, f"CSP violation: {message}")

    # ------------------------------------------------------------ README pictures

    def docs_screenshots(self, folder):
        """Pictures of a plausible scope, at 1280x800 in light mode, for docs/console.md and the README."""
        texts = [
            ("Maya is vegetarian and allergic to peanuts.", {"topic": "food"}),
            ("Maya prefers window seats on long flights.", {"topic": "travel"}),
            ("Maya works at Acme Robotics.", {"topic": "work"}),
            ("My brother Tom lives in Porto.", {"topic": "family"}),
            ("My sister Claire lives in Lyon.", {"topic": "family"}),
            ("Claire works at Institut Pasteur.", {"topic": "family"}),
            ("Maya is training for the Lisbon half marathon in March.", {"topic": "sport", "priority": 2}),
            ("Maya's standing meeting with the design team is on Tuesdays at 10:00.", {"topic": "work"}),
            ("Maya reads science fiction, lately Ursula K. Le Guin.", {"topic": "books"}),
        ]
        for text, metadata in texts:
            self.api.add(text, user_id="maya", infer=False, metadata=metadata)
        self.viewport(1280, 800)
        self.driver.get(self.base + "/ui/?user_id=maya")
        self.wait(lambda d: len(self.rows()) == len(texts), "maya's memories")
        self.driver.save_screenshot(os.path.join(folder, "console-memories.png"))
        self.show_tab("graph")
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#graph-canvas [data-testid=graph-node]"), "maya's graph")
        self.driver.save_screenshot(os.path.join(folder, "console-graph.png"))

    # ------------------------------------------------------------ run

    def run(self):
        self.step("headers", self.check_headers)
        self.start_browser()
        try:
            self.step("sign-in", self.sign_in)
            if self.failures:
                return
            self.step("seed", self.seed)
            for name, action in (
                ("deep-link", self.deep_link), ("hostile-text", self.hostile_text), ("paginate", self.paginate),
                ("filters", self.filters), ("add", self.add), ("search", self.search), ("edit", self.edit),
                ("history", self.history), ("delete-one", self.delete_one), ("bulk-delete", self.bulk_delete),
                ("graph", self.graph), ("jobs", self.jobs), ("server", self.server),
                ("back-and-forth", self.history_navigation), ("keyboard", self.keyboard),
                ("phone-and-dark", self.phone_and_dark),
            ):
                self.step(name, action)
            self.step("no-alert", self.expect_no_alert)
            if self.args.key:
                self.step("key-storage", self.check_key_storage)
            self.step("console-log", self.check_console_log)
            if self.args.screenshots:
                self.step("docs-screenshots", lambda: self.docs_screenshots(self.args.screenshots))
        finally:
            self.driver.quit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the server, e.g. http://127.0.0.1:8888")
    parser.add_argument("--key", help="the administrator key, when the server has one")
    parser.add_argument("--artifacts", required=True, help="a folder for the screenshots of each step")
    parser.add_argument("--screenshots", help="a folder for the README pictures (docs/)")
    args = parser.parse_args()
    os.makedirs(args.artifacts, exist_ok=True)
    started = time.time()
    check = ConsoleCheck(args)
    check.run()
    mode = "with a key" if args.key else "keyless"
    if check.failures:
        print(f"console check ({mode}): {len(check.failures)} failed in {time.time() - started:.1f} s", file=sys.stderr)
        sys.exit(1)
    print(f"console check ({mode}): every check passed in {time.time() - started:.1f} s")


if __name__ == "__main__":
    main()
