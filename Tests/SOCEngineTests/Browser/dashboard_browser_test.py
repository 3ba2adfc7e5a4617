#!/usr/bin/env python3
"""The analyst dashboard in a real headless Chromium, against a real `vigil engine serve`.

Starts the engine (free port, fresh database), opens http://127.0.0.1:PORT/ in Debian's
chromium through chromedriver (selenium; installed with pip when missing) and checks, polling
with generous timeouts:

  1. the page loads with the stored threats, the socket goes live, the stat cards count them;
  2. a threat triggered through the API appears in the feed without a reload;
  3. opening it shows the signal, five agents, the FP score, the response plan, the timeline,
     ATT&CK links and the raw JSON;
  4. a verdict with a note is recorded (the API agrees) and the counts and rate update;
  5. a signal carrying markup (`<img src=x onerror=...>`) is shown as text, never run; filters,
     search and keyboard navigation work; a burst at 50 threats/s moves nothing on the page and
     leaves the feed at 100 rows; dark mode follows the system setting;
  6. the engine is stopped: the page says it is reconnecting; started again on the same port:
     the feed reconnects by itself and shows the next new threat, still without a reload.

Any console error fails the test, except the connection-refused network errors Chromium logs
while the engine is deliberately down in step 6. Screenshots go to --screenshots.

Exit status: 0 passed, 1 failed, 77 skipped (chromium or chromedriver cannot start).

    python3 dashboard_browser_test.py --vigil .build/debug/vigil --screenshots .build/dashboard
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIP = 77
XSS = "<img src=x onerror=window.__xss=1>"
XSS_AGENT = "<script>window.__xss=2</script>"
BURST = 120  # threats sent at about 50/s: more than the feed's 100 rows


def log(message):
    print(f"[dashboard-browser] {message}", flush=True)


def import_selenium():
    """selenium from PyPI; installed for this Python when missing."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        log("selenium missing; installing it with pip")
        base = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        if subprocess.run(base + ["selenium"], timeout=120).returncode != 0:
            # Debian's own python refuses system-wide installs (PEP 668); a user install works.
            subprocess.run(base + ["--user", "--break-system-packages", "selenium"], check=True, timeout=120)
            import site
            sys.path.append(site.getusersitepackages())
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import Select
    return webdriver, Options, Service, By, Keys, ActionChains, Select


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Engine:
    """`vigil engine serve` on a fixed port and database, restartable."""

    def __init__(self, vigil, port, database, log_path):
        self.vigil, self.port, self.database, self.log_path = vigil, port, database, log_path
        self.process = None

    def start(self):
        output = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [self.vigil, "engine", "serve", "--listen", f"127.0.0.1:{self.port}", "--db", self.database],
            stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_for(lambda: self.healthy(), 30, "the engine answers /health")

    def healthy(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json", "Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


def wait_for(condition, timeout, what):
    """Polls `condition` until it returns something truthy; fails naming `what`."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # a stale element while the feed re-renders: try again
            last_error = error
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting until {what}" + (f" (last error: {last_error})" if last_error else ""))


class Console:
    """The browser's console, read at checkpoints; any error is a failure unless allowed."""

    def __init__(self, driver, port):
        self.driver, self.port = driver, port

    def check(self, engine_down=False):
        for entry in self.driver.get_log("browser"):
            if entry.get("level") != "SEVERE":
                continue
            message = entry.get("message", "")
            expected = engine_down and entry.get("source") == "network" and f"127.0.0.1:{self.port}" in message and (
                "ERR_CONNECTION_REFUSED" in message or "WebSocket connection to" in message)
            if expected:
                log(f"allowed while the engine is down: {message[:160]}")
                continue
            raise AssertionError(f"console error: {message}")


def run(args):
    webdriver, Options, Service, By, Keys, ActionChains, Select = import_selenium()
    # A hung browser must not hang `make test`: fail (and clean up) after 110 s.
    def overdue(*_):
        raise AssertionError("the browser test took over 110 s")
    signal.signal(signal.SIGALRM, overdue)
    signal.alarm(110)
    chromium = next((p for p in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] if os.path.exists(p)), None)
    if not chromium or not os.path.exists(args.chromedriver):
        log(f"SKIP: chromium or {args.chromedriver} is not installed; `make test-deps` installs Debian's chromium and chromium-driver")
        return SKIP
    workdir = args.workdir
    os.makedirs(args.screenshots, exist_ok=True)
    engine = Engine(args.vigil, free_port(), os.path.join(workdir, "engine.db"), os.path.join(workdir, "engine.log"))
    engine.start()
    for index in range(args.seed):
        engine.call("POST", "/api/threats/trigger", {"scenario": ["bot_attack", "geo_impossible", "crypto_surge"][index % 3]} if index % 2 else {})
    engine.call("POST", "/api/signals", {"threat_type": "bot_traffic", "customer_name": XSS,
                                         "metadata": {"source_ip": "203.0.113.66", "user_agent": XSS_AGENT}})
    seeded = args.seed + 1

    options = Options()
    options.binary_location = chromium
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1440,900",
                 "--no-first-run", "--disable-extensions", "--disable-background-networking"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(executable_path=args.chromedriver), options=options)
    except Exception as error:
        engine.stop()
        log(f"SKIP: chromium cannot start here: {error}")
        return SKIP
    driver.set_page_load_timeout(30)
    console = Console(driver, engine.port)
    css = lambda selector: driver.find_elements(By.CSS_SELECTOR, selector)
    text = lambda element_id: driver.find_element(By.ID, element_id).text
    try:
        # 1. The page, its security policy, the stored threats and the live socket.
        with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{engine.port}/", headers={"Accept": "text/html"})) as page:
            policy = page.headers.get("Content-Security-Policy", "")
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy, f"CSP: {policy!r}"
        driver.get(f"http://127.0.0.1:{engine.port}/")
        driver.execute_script("window.__loaded = 'same page';")
        wait_for(lambda: css("#connection[data-state=live]"), 20, "the live feed is connected")
        wait_for(lambda: len(css("#feed .feed-row")) == seeded, 20, f"the feed shows the {seeded} stored threats")
        wait_for(lambda: text("stat-total") == str(seeded), 20, f"the threat count reads {seeded}")
        wait_for(lambda: len(css("#chart-types .bar")) == 6 and css("#chart-timeline .column rect"), 20, "both charts are drawn")
        console.check()

        # 2. A threat triggered through the API appears without a reload.
        review_before = int(text("stat-review"))
        created = engine.call("POST", "/api/threats/trigger", {"scenario": "critical_threat"})
        assert created["requires_human_review"], "a critical threat needs review"
        row = f"#feed .feed-row[data-id='{created['id']}']"
        wait_for(lambda: css(row), 20, "the triggered threat appears in the feed")
        wait_for(lambda: text("stat-total") == str(seeded + 1), 20, "the threat count goes up")
        wait_for(lambda: int(text("stat-review")) == review_before + 1, 20, "the awaiting-review count goes up")
        assert driver.execute_script("return window.__loaded") == "same page", "the page reloaded"
        driver.save_screenshot(os.path.join(args.screenshots, "feed.png"))

        # 3. Its detail view, reached by keyboard: Esc to the feed (first row, the newest), j/k, Enter.
        body = driver.find_element(By.TAG_NAME, "body")
        body.send_keys("/")
        assert driver.execute_script("return document.activeElement.name") == "search", "/ focuses the search"
        driver.switch_to.active_element.send_keys(Keys.ESCAPE)
        wait_for(lambda: css(row + "[aria-selected=true]"), 20, "Esc selects the newest threat in the feed")
        driver.switch_to.active_element.send_keys("j")
        wait_for(lambda: not css(row + "[aria-selected=true]") and len(css("#feed [aria-selected=true]")) == 1, 20, "j moves down")
        driver.switch_to.active_element.send_keys("k")
        wait_for(lambda: css(row + "[aria-selected=true]"), 20, "k moves back up")
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        wait_for(lambda: css(f"#detail[data-id='{created['id']}']"), 20, "Enter opens the detail view")
        assert len(css("#detail .agent")) == 5, "five agents"
        links = [a.get_attribute("href") for a in css("#detail .techniques a")]
        assert links and all(link.startswith("https://attack.mitre.org/techniques/T") for link in links), f"ATT&CK links: {links}"
        raw = driver.execute_script("return document.querySelector('#detail .raw').textContent")
        assert json.loads(raw)["id"] == created["id"], "the raw JSON is the analysis"
        for heading in ["Signal", "False-positive score", "Response plan", "Investigation timeline", "MITRE ATT&CK"]:
            assert any(h.text.lower() == heading.lower() for h in css("#detail h3")), f"detail section {heading}"

        # 4. A verdict with a note; the counts, the rate and the API follow.
        css("#detail textarea[name=note]")[0].send_keys("load test from our own scanner")
        css("#detail button[data-verdict=false_positive]")[0].click()
        wait_for(lambda: "false positive" in css("#detail .verdict-message")[0].text, 20, "the verdict is shown")
        wait_for(lambda: int(text("stat-review")) == review_before, 20, "the awaiting-review count goes down")
        wait_for(lambda: text("stat-fp") == "100%", 20, "the false-positive rate reads 100%")
        wait_for(lambda: "false positive" in css(row + " .status")[0].text, 20, "the feed row shows the verdict")
        stored = engine.call("GET", f"/api/threats/{created['id']}")
        assert stored["status"] == "false_positive" and stored["analyst_note"] == "load test from our own scanner", stored
        driver.find_element(By.ID, "detail").screenshot(os.path.join(args.screenshots, "detail.png"))
        console.check()

        # 5. Markup in threat data stays text.
        hostile = [r for r in css("#feed .feed-row") if r.find_element(By.CSS_SELECTOR, ".customer").text == XSS]
        assert hostile, "the hostile customer name is shown as text in the feed"
        hostile[0].click()
        # textContent: selenium's .text is empty for what the detail panel has scrolled out of view.
        wait_for(lambda: XSS_AGENT in driver.execute_script("return document.querySelector('#detail .signal-fields').textContent"),
                 20, "the hostile user agent is shown as text")
        assert XSS in css("#detail h2")[0].text, "the hostile customer name is shown as text in the detail view"
        assert driver.execute_script("return document.querySelectorAll('#feed img, #detail img, #detail script').length") == 0, "markup was parsed"
        assert driver.execute_script("return window.__xss") is None, "injected code ran"
        console.check()

        # 5b. Filters and search narrow the feed.
        select = lambda name, value: Select(driver.find_element(By.CSS_SELECTOR, f"#filters [name={name}]")).select_by_value(value)
        select("severity", "CRITICAL")
        wait_for(lambda: css("#feed .feed-row") and all(b.text == "CRITICAL" for b in css("#feed .feed-row .badge")), 20, "the severity filter applies")
        select("severity", "")
        select("status", "false_positive")
        wait_for(lambda: [r.get_attribute("data-id") for r in css("#feed .feed-row")] == [created["id"]], 20, "the verdict filter applies")
        select("status", "")
        search = driver.find_element(By.CSS_SELECTOR, "#filters [name=search]")
        search.send_keys("onerror")
        wait_for(lambda: len(css("#feed .feed-row")) == 1, 20, "search finds the hostile signal only")
        search.clear()
        search.send_keys(Keys.ESCAPE)
        wait_for(lambda: len(css("#feed .feed-row")) == seeded + 1, 20, "clearing the filters shows every threat again")

        # 5c. A burst of BURST threats at about 50/s: nothing on the page moves, the feed stays
        # bounded, and the row under the pointer stays put until the pointer leaves.
        layout = "return ['.cards', '.charts', '#feed', '#detail'].map(s => JSON.stringify(document.querySelector(s).getBoundingClientRect()))"
        before_layout = driver.execute_script(layout)
        ActionChains(driver).move_to_element(css("#feed .feed-row")[2]).perform()
        first_row = css("#feed .feed-row")[0].get_attribute("data-id")
        started = time.monotonic()
        for index in range(BURST):
            engine.call("POST", "/api/threats/trigger", {})
            time.sleep(max(0, started + (index + 1) / 50 - time.monotonic()))
        wait_for(lambda: text("stat-total") == str(seeded + 1 + BURST), 20, "the count includes the burst")
        wait_for(lambda: css("#feed-new") and css("#feed-new")[0].is_displayed() and f"{BURST} new" in css("#feed-new")[0].text, 20, "the held-back rows are counted")
        assert css("#feed .feed-row")[0].get_attribute("data-id") == first_row, "rows moved under the pointer"
        assert driver.execute_script(layout) == before_layout, "the page layout moved during the burst"
        driver.find_element(By.ID, "feed-count").click()  # the pointer leaves the feed
        wait_for(lambda: len(css("#feed .feed-row")) == 100 and css("#feed-new")[0].is_displayed() is False, 20, "the feed shows the newest 100 rows")
        assert driver.execute_script(layout) == before_layout, "the page layout moved when the rows were shown"
        console.check()

        # 5d. Dark mode follows the system setting.
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        wait_for(lambda: driver.execute_script("return getComputedStyle(document.body).backgroundColor") == "rgb(15, 20, 27)", 20, "the dark theme applies")
        driver.save_screenshot(os.path.join(args.screenshots, "dark.png"))
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "light"}]})

        # 6. Engine restart: the page says so, reconnects by itself, and the feed goes on.
        driver.find_element(By.ID, "feed-count").click()  # the pointer off the feed, which would hold new rows back
        engine.stop()
        wait_for(lambda: "reconnecting" in text("connection").lower(), 20, "the page says it is reconnecting")
        driver.save_screenshot(os.path.join(args.screenshots, "reconnecting.png"))
        time.sleep(2)  # down long enough for the page's retries to fail and back off
        engine.start()
        wait_for(lambda: css("#connection[data-state=live]"), 30, "the feed reconnects after the restart")
        console.check(engine_down=True)
        after = engine.call("POST", "/api/threats/trigger", {"scenario": "bot_attack"})
        wait_for(lambda: css(f"#feed .feed-row[data-id='{after['id']}']"), 20, "a threat after the restart appears in the feed")
        wait_for(lambda: text("stat-total") == str(seeded + 2 + BURST), 20, "the count goes on after the restart")
        assert driver.execute_script("return window.__loaded") == "same page", "the page reloaded"
        console.check()
        log("PASS")
        return 0
    except Exception:
        driver.save_screenshot(os.path.join(args.screenshots, "failure.png"))
        log("browser console:\n" + "\n".join(entry.get("message", "") for entry in driver.get_log("browser")))
        with open(engine.log_path) as output:
            log("engine output:\n" + output.read()[-3000:])
        raise
    finally:
        driver.quit()
        engine.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vigil", required=True, help="the vigil executable")
    parser.add_argument("--screenshots", required=True, help="directory for the PNG screenshots")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    parser.add_argument("--seed", type=int, default=4, help="threats stored before the page loads")
    args = parser.parse_args()
    args.workdir = tempfile.mkdtemp(prefix="vigil-dashboard-")
    try:
        return run(args)
    except AssertionError as failure:
        log(f"FAIL: {failure}")
        return 1
    finally:
        shutil.rmtree(args.workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
