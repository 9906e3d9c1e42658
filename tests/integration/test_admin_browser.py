"""The admin site in a real browser: Debian's headless Chromium driven by Playwright, against a real server.

The server is `ticket-utils serve` in a subprocess on a free port, over MariaDB and Redis; the retraining worker
(`ticket-utils worker`, a tiny BERT as in test_retraining_pipeline) is started only once the run is seen queued,
so the page is watched going from queued through running to succeeded whatever the machine's speed. The operator
logs in, creates a company and a team, sees an analysis made through the API, imports labelled tickets, trains a
model, confirms and corrects analyses from the review queue, makes a category of an emerging topic, and logs
out. Any JavaScript error or console error on any page fails the test. Chromium missing fails it too: the browser
comes from Debian's package (`apt-get install chromium`), never from a download.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.conftest import REDIS_URL, fresh_mysql_database
from tests.integration.test_retraining_pipeline import VOCABULARY, labelled_tickets, tiny_training_env

pytestmark = pytest.mark.integration

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MYSQL_URL = (
    f"{os.environ['TEST_MYSQL_URL']}_browser"
    if os.environ.get("TEST_MYSQL_URL")
    else "mysql+aiomysql://ticket_utils:ticket_utils@127.0.0.1:3306/ticket_utils_test_admin_browser"
)
"""Its own database next to TEST_MYSQL_URL's, so runs beside other test databases do not share one."""
SERVICE_KEY = "browser-test-service-key-01"
ADMIN_KEY = "browser-test-admin-key-0002"
USERNAME, PASSWORD = "operator", "browser test passphrase"
SCREENSHOTS = os.environ.get("ADMIN_SCREENSHOT_DIR")
"""Set it to a folder to keep screenshots of the dashboard and the training run (for looking, not asserting)."""


@dataclass
class Server:
    url: str
    root: Path
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, command: str) -> subprocess.Popen[bytes]:
        with (self.root / f"{command}.log").open("ab") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "bootstrap.cli", command],
                env=self.env,
                cwd=self.root,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    def log_tail(self) -> str:
        logs = sorted(self.root.glob("*.log"))
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in logs)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cli(env: dict[str, str], cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bootstrap.cli", *args],
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium is required at {CHROMIUM}: install Debian's package (apt-get install chromium)", pytrace=False
        )
    root = tmp_path_factory.mktemp("admin-browser")
    fresh_mysql_database(MYSQL_URL)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    port = _free_port()
    env = {
        **{
            name: value
            for name, value in os.environ.items()
            if name not in {"BROKER_URL", "CELERY_BROKER_URL", "DB_HOST"}
        },
        "DATABASE_URL": MYSQL_URL,
        "BROKER_URL": REDIS_URL,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "SERVICE_API_KEYS": SERVICE_KEY,
        "ADMIN_API_KEYS": ADMIN_KEY,
        "SESSION_SECRET_FILE": str(root / "data" / "session_secret"),
        "SEED_DEMO_DATA": "false",
        **tiny_training_env(root),
        "MODEL_POLL_SECONDS": "0.5",
        "TOPIC_MIN_CLUSTER_SIZE": "3",
        "LOG_LEVEL": "INFO",
    }
    created = _cli(env, root, "createsuperuser", "--username", USERNAME, "--password-stdin", stdin=PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    running = Server(f"http://127.0.0.1:{port}", root, env)
    process = running.start("serve")
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{running.log_tail()}", pytrace=False)
            try:
                if httpx.get(f"{running.url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            pytest.fail(f"the server did not answer within 120 s:\n{running.log_tail()}", pytrace=False)
        yield running
    finally:
        running.stop()


@dataclass
class BrowserErrors:
    """Every console error and uncaught exception, except Chromium's own note that a page came with an error
    status: the forms answer a refused submission with 400/401 on purpose, and the test checks exactly which."""

    seen: list[str] = field(default_factory=list)
    refused_pages: list[tuple[str, int]] = field(default_factory=list)

    def response(self, response) -> None:
        if response.request.resource_type == "document" and response.status >= 400:
            self.refused_pages.append((response.url.split("?")[0], response.status))

    def console(self, message) -> None:
        if message.type not in {"error", "assert"}:
            return
        url = message.location.get("url", "").split("?")[0]
        status_note = message.text.startswith("Failed to load resource: the server responded with a status of")
        if status_note and any(url == page and f"of {status} " in message.text for page, status in self.refused_pages):
            return
        self.seen.append(f"console {message.type} on {url}: {message.text}")

    def page_error(self, error) -> None:
        self.seen.append(f"uncaught JavaScript error: {error}")


def test_an_operator_runs_the_service_from_the_admin_site(server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    errors = BrowserErrors()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("response", errors.response)
            page.on("console", errors.console)
            page.on("pageerror", errors.page_error)
            page.set_default_timeout(30_000)
            try:
                _scenario(page, expect, server, tmp_path)
            except Exception:
                page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
                print(f"screenshot of the failure: {tmp_path / 'failure.png'}\nserver log:\n{server.log_tail()}")
                raise
        finally:
            browser.close()
    assert errors.seen == [], "the pages must run without JavaScript or console errors"
    base = server.url
    assert errors.refused_pages == [
        (f"{base}/admin/login", 401),
        (f"{base}/admin/companies/new", 400),
        (f"{base}/admin/tickets/upload", 400),
    ], "only the deliberately wrong submissions may be refused"


def _scenario(page, expect, server: Server, tmp_path: Path) -> None:
    base = server.url

    # Log in: an anonymous visit lands on the login page, and a wrong password is refused first.
    page.goto(f"{base}/admin/")
    expect(page.locator("h1")).to_have_text("Log in")
    page.fill("#username", USERNAME)
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    expect(page.locator("#login-error")).to_have_text("Wrong username or password.")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator("header .who")).to_have_text(USERNAME)

    # A company: an empty name is refused next to the field, then created with prioritising switched off.
    page.click("nav >> text=Companies")
    page.click("text=Add company")
    page.click("button:has-text('Create company')")
    expect(page.locator("#name-error")).to_contain_text("must be a non-empty string")
    page.fill("#name", "Browser Test Co")
    page.uncheck("#auto_prioritize")
    # The zero-shot model has no measured precision: this company trusts it, so its team is assigned, not suggested.
    page.check("#trust_uncalibrated")
    page.click("button:has-text('Create company')")
    expect(page.locator(".flash.success")).to_contain_text("Created company “Browser Test Co”")
    expect(page.locator("#trust_uncalibrated")).to_be_checked()
    company_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    # A team, whose embedding the service computes on save.
    page.click("text=Add team")
    page.fill("#name", "Hardware desk")
    page.fill("#category", "Hardware")
    page.fill("#description", "Laptops, screens, keyboards, monitors and printers.")
    page.click("button:has-text('Create team')")
    expect(page.locator(".flash.success")).to_contain_text("Created team “Hardware desk”")
    expect(page.locator("table")).to_contain_text("Hardware desk")

    # An analysis through the API, as the ticketing platform makes it: with its service key only.
    ticket = {"description": "My laptop screen is broken and the keyboard too", "company_id": company_id}
    assert httpx.post(f"{base}/api/analyze", json=ticket, timeout=120).status_code == 401
    answer = httpx.post(f"{base}/api/analyze", json=ticket, headers={"X-API-Key": SERVICE_KEY}, timeout=120)
    assert answer.status_code == 200, answer.text
    analysis = answer.json()
    assert analysis["priority"] is None and analysis["team_assignment"]["assigned_team_id"] is not None

    # It shows in the list, filtered by the company, and in its own page with the routing reason.
    page.click("nav >> text=Analyses")
    page.select_option("#company_id", str(company_id))
    page.click("button:has-text('Filter')")
    expect(page.locator("#analyses-count")).to_have_text("1 matching analysis")
    page.click(f"#analyses-table >> text={analysis['analysis_id']}")
    expect(page.locator("h1")).to_have_text(f"Analysis #{analysis['analysis_id']}")
    expect(page.locator("main")).to_contain_text("Hardware desk")
    expect(page.locator("main")).to_contain_text(analysis["team_assignment"]["reason"])

    # Labelled tickets: a file with a bad row imports nothing and says which row; a good one imports all.
    rows = labelled_tickets(per_label=30, seed=7)
    bad = tmp_path / "bad.csv"
    bad.write_text("Document,Topic_group\nprinter jammed again,Hardware\nno category here,\n", encoding="utf-8")
    good = tmp_path / "tickets.csv"
    good.write_text(
        "Document,Topic_group\n" + "".join(f"{row['text']},{row['category']}\n" for row in rows), encoding="utf-8"
    )
    page.click("nav >> text=Labelled tickets")
    page.set_input_files("#file", str(bad))
    page.click("button:has-text('Import')")
    expect(page.locator("#import-result")).to_contain_text("Nothing imported from bad.csv: 1 invalid row(s)")
    expect(page.locator("#import-problems")).to_contain_text("Topic_group")
    expect(page.locator("#import-problems td").first).to_have_text("3")
    page.set_input_files("#file", str(good))
    page.click("button:has-text('Import')")
    expect(page.locator("#import-result")).to_contain_text(f"Imported {len(rows)} labelled ticket(s) from tickets.csv")
    expect(page.locator("#tickets-count")).to_have_text(f"{len(rows)} labelled ticket(s)")

    # A training run: queued while no worker runs, then followed live on its page as a worker takes it.
    page.click("nav >> text=Training runs")
    page.click("#start-training")
    expect(page.locator(".flash.success")).to_contain_text("queued")
    expect(page.locator("#run-status")).to_have_text("queued")
    page.wait_for_timeout(1_500)
    expect(page.locator("#run-status")).to_have_text("queued")
    server.start("worker")
    statuses = [page.locator("#run-status").inner_text()]
    deadline = time.monotonic() + 300
    while statuses[-1] not in {"succeeded", "failed", "skipped"} and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        try:
            status = page.locator("#run-status").inner_text(timeout=5_000)
        except Exception:  # noqa: BLE001 - the page reloads itself when the run ends; read again
            continue
        if status != statuses[-1]:
            statuses.append(status)
    assert statuses[-1] == "succeeded", f"statuses seen: {statuses}; page: {page.locator('main').inner_text()}"
    assert statuses[0] == "queued" and len(statuses) >= 2, f"the status must be seen changing: {statuses}"
    expect(page.locator("#run-decision")).to_contain_text("promoted")
    expect(page.locator("svg.chart[aria-label='Confusion matrix']")).to_be_visible()
    assert page.locator("svg.chart[aria-label='Confusion matrix'] rect").count() == len(VOCABULARY) ** 2
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "admin-training-run.png"), full_page=True)

    # The new version is active, charted, and on the dashboard with its metrics.
    page.click("nav >> text=Models")
    expect(page.locator("#models-table")).to_contain_text("active")
    expect(page.locator("svg.chart[aria-label='Accuracy across model versions']")).to_be_visible()
    page.click("nav >> text=Dashboard")
    expect(page.locator("#analyses-total")).to_have_text("1")
    expect(page.locator("main")).to_contain_text("Accuracy")
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "admin-dashboard.png"), full_page=True)

    careful_co = _review_queue(page, expect, base)
    _emerging_topics(page, expect, base, careful_co)

    # Log out: the pages are closed again.
    page.click("header button:has-text('Log out')")
    expect(page.locator(".flash.success")).to_have_text("You are logged out.")
    page.goto(f"{base}/admin/models")
    expect(page.locator("h1")).to_have_text("Log in")


def _review_queue(page, expect, base: str) -> int:
    """A company that only wants suggestions: its analyses wait in the review queue until a person confirms one
    and corrects the other, after which they leave it and the dashboard counts them."""
    page.click("nav >> text=Companies")
    page.click("text=Add company")
    page.fill("#name", "Careful Co")
    page.select_option("#category_mode", "recommend")
    page.select_option("#team_mode", "recommend")
    page.fill("#target_precision", "0.9")
    page.click("button:has-text('Create company')")
    expect(page.locator(".flash.success")).to_contain_text("Created company “Careful Co”")
    expect(page.locator("#category_mode")).to_have_value("recommend")
    company_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    texts = ["My laptop screen flickers and the keyboard is dead", "I am locked out: password and vpn login fail"]
    answers = [_analyse(base, text, company_id) for text in texts]
    first, second = (answer["analysis_id"] for answer in answers)

    page.click("nav >> text=Review queue")
    page.select_option("#company_id", str(company_id))
    page.click("button:has-text('Filter')")
    expect(page.locator("#review-count")).to_have_text("2 analyses waiting for review")
    expect(page.locator(f"#review-{first}")).to_contain_text("recommend_mode")
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "admin-review.png"), full_page=True)

    page.click(f"#review-{first} button.confirm")
    expect(page.locator(".flash.success")).to_contain_text(f"Confirmed analysis #{first}")
    expect(page.locator(f"#review-{first}")).to_have_count(0)
    expect(page.locator("#review-count")).to_have_text("1 analysis waiting for review")

    predicted = answers[1]["category"]
    corrected = next(label for label in sorted(VOCABULARY) if label != predicted)
    page.select_option(f"#category-{second}", corrected)
    page.click(f"#review-{second} button:has-text('Correct')")
    expect(page.locator(".flash.success")).to_contain_text(f"Corrected analysis #{second} as “{corrected}”")
    expect(page.locator("#review-empty")).to_be_visible()

    page.goto(f"{base}/admin/analyses/{second}")
    expect(page.locator("main")).to_contain_text(f"Corrected as {corrected}")
    page.click("nav >> text=Dashboard")
    expect(page.locator("#decision-quality-table")).to_be_visible()
    expect(page.locator("#unknown-labels")).to_have_count(0)
    return company_id


def _analyse(base: str, text: str, company_id: int) -> dict[str, Any]:
    answer = httpx.post(
        f"{base}/api/analyze",
        json={"description": text, "company_id": company_id},
        headers={"X-API-Key": SERVICE_KEY},
        timeout=120,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _emerging_topics(page, expect, base: str, company_id: int) -> None:
    """The company's new analyses wait for review, so they are topic candidates: two subjects the model was never
    taught form topics (TOPIC_MIN_CLUSTER_SIZE 3 here), and naming one labels exactly its ticked tickets."""
    texts = [f"the coffee machine on floor {n} is leaking water again" for n in range(1, 5)]
    texts += [f"please order new chairs for meeting room {n} this week" for n in range(1, 5)]
    texts += ["vpn login locked", "printer and monitor broken"]
    for text in texts:
        _analyse(base, text, company_id)

    page.click("nav >> text=Emerging topics")
    page.select_option("#company_id", str(company_id))
    page.click("button:has-text('Show topics')")
    topic = page.locator("article.topic").first
    expect(topic).to_be_visible()
    analysis_ids = (topic.get_attribute("data-analysis-ids") or "").split()
    assert len(analysis_ids) >= 3, page.locator("main").inner_text()
    texts = topic.locator("tbody td.clip").all_inner_texts()
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "admin-topics.png"), full_page=True)
    # The first ticket is left out (unticked); the others get the new category.
    topic.locator("input[name=analysis_id]").first.uncheck()
    topic.locator("input[name=category]").fill("Facilities")
    topic.locator("button.create-category").click()
    expect(page.locator(".flash.success")).to_have_text(f"Labelled {len(analysis_ids) - 1} tickets as “Facilities”.")

    labelled = httpx.get(f"{base}/api/tickets?limit=500", headers={"X-API-Key": ADMIN_KEY}, timeout=30).json()
    named = [item for item in labelled["items"] if item["category"] == "Facilities"]
    assert {item["source"] for item in named} == {"feedback"}
    assert sorted(item["text"] for item in named) == sorted(texts[1:])
    page.goto(f"{base}/admin/analyses/{analysis_ids[1]}")
    expect(page.locator("main")).to_contain_text("Corrected as Facilities")
