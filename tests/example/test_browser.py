"""End to end: the app served by a real `erlen run` process, driven in headless Chromium.

A person's whole visit: register, log in, create three tasks, complete one, filter,
sort, edit one, delete one, log out; the keyboard's first stop is the skip link, and
the console stays free of errors (the Content-Security-Policy allows no inline code).
A screenshot of the list page goes to test-artifacts/example-tasks.png.

Needs Debian's chromium and chromium-driver (scripts/ensure-chromium.sh, run by
`make test-deps`) and selenium (the dev extra).  Without them the test is skipped
with the reason in the summary and a warning: never silently.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import typing as t
import urllib.request
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
APP = "examples.taskmanager:create_app"
PASSWORD = "e2e-password-123"

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1000",
]


def skip_loudly(reason: str) -> t.NoReturn:
    message = f"END-TO-END BROWSER TEST SKIPPED: {reason}"
    warnings.warn(message, stacklevel=2)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> t.Iterator[str]:
    """`erlen db upgrade`, then `erlen run` on a free port with a temporary SQLite file."""
    workdir = Path(tempfile.mkdtemp(prefix="erlen-e2e-"))
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{workdir / 'tasks.db'}",
        SECRET_KEY="e2e-secret-key",
        ERLEN_SKIP_DOTENV="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
    )
    env.pop("ERLEN_DEBUG", None)
    erlen = [sys.executable, "-m", "erlen", "--app", APP]
    subprocess.run(
        [*erlen, "db", "upgrade"], cwd=REPO, env=env, check=True, capture_output=True, timeout=60
    )
    port = free_port()
    log = open(workdir / "server.log", "wb")  # noqa: SIM115  (closed below)
    process = subprocess.Popen(
        [*erlen, "run", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "erlen run did not start:\n" + (workdir / "server.log").read_text()
                )
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> t.Iterator[t.Any]:
    try:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.service import Service
    except ImportError as e:
        skip_loudly(f"selenium is not installed (pip install -e '.[dev]'): {e}")
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            skip_loudly(f"{path} is missing: run `make test-deps` (scripts/ensure-chromium.sh)")
    profile = tempfile.mkdtemp(prefix="erlen-e2e-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        # An explicit driver path: selenium never tries to download one.
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    except WebDriverException as e:
        shutil.rmtree(profile, ignore_errors=True)
        skip_loudly(f"Chromium could not be started: {e.msg}")
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class Visit:
    """A person at the browser: finds things by what the page shows and waits for pages."""

    def __init__(self, driver: t.Any, base: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import Select, WebDriverWait

        self.driver = driver
        self.base = base
        self.By = By
        self.ec = expected_conditions
        self.Select = Select
        self.wait = WebDriverWait(driver, 15)

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def find(self, css: str) -> t.Any:
        return self.driver.find_element(self.By.CSS_SELECTOR, css)

    def link(self, text: str) -> t.Any:
        return self.driver.find_element(self.By.PARTIAL_LINK_TEXT, text)

    def click_and_wait(self, element: t.Any, confirm: bool = False) -> None:
        """Click something that loads a new page, and wait until it has."""
        page = self.find("html")
        element.click()
        if confirm:
            self.wait.until(self.ec.alert_is_present()).accept()
        self.wait.until(self.ec.staleness_of(page))
        self.wait.until(
            lambda driver: driver.execute_script("return document.readyState") == "complete"
        )

    def fill(self, values: dict[str, str]) -> None:
        for field_id, value in values.items():
            element = self.find(f"#{field_id}")
            if element.tag_name == "select":
                self.Select(element).select_by_value(value)
            else:
                element.clear()
                element.send_keys(value)

    def submit(self, values: dict[str, str]) -> None:
        self.fill(values)
        self.click_and_wait(self.find("main form button[type=submit]"))

    def flash(self) -> str:
        return t.cast(str, self.find(".flashes").text)

    def titles(self) -> list[str]:
        return [
            element.text
            for element in self.driver.find_elements(self.By.CSS_SELECTOR, ".task-title a")
        ]

    def task_card(self, title: str) -> t.Any:
        return self.driver.find_element(
            self.By.XPATH, f"//li[contains(@class, 'task-card')][.//a[normalize-space()='{title}']]"
        )

    def console_errors(self) -> list[str]:
        return [
            entry["message"]
            for entry in self.driver.get_log("browser")
            if entry["level"] == "SEVERE"
        ]


def test_a_whole_visit(server: str, browser: t.Any) -> None:
    from selenium.webdriver.common.keys import Keys

    visit = Visit(browser, server)

    # The landing page; the keyboard's first stop is the skip link.
    visit.open("/")
    assert "Stay on top of your work." in visit.find("h1").text
    visit.find("body").send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.text == "Skip to main content"
    assert focused.get_attribute("href").endswith("#main")

    # Register, then log in.
    visit.click_and_wait(visit.link("Create an account"))
    visit.submit({"username": "Robin", "password": PASSWORD, "confirm": PASSWORD})
    assert "Your account is ready" in visit.flash()
    assert browser.current_url == server + "/auth/login"
    visit.submit({"username": "robin", "password": PASSWORD})
    assert "Welcome back, robin!" in visit.flash()
    assert "No tasks yet" in visit.find("main").text

    # Three tasks.
    for title, priority in [
        ("Write the report", "high"),
        ("Buy milk", "low"),
        ("Call the bank", "medium"),
    ]:
        visit.click_and_wait(
            visit.find("#new-task") if visit.titles() else visit.link("Create your first task")
        )
        visit.submit(
            {"title": title, "description": f"About {title.lower()}", "priority": priority}
        )
        assert f'Task "{title}" created successfully!' in visit.flash()
    assert visit.titles() == ["Call the bank", "Buy milk", "Write the report"]

    # Complete one with its check button.
    visit.click_and_wait(
        visit.task_card("Buy milk").find_element(visit.By.CSS_SELECTOR, "[data-action=toggle]")
    )
    assert 'Task "Buy milk" completed.' in visit.flash()
    assert "is-done" in visit.task_card("Buy milk").get_attribute("class")

    # Filter.
    visit.click_and_wait(visit.find("[data-status=done]"))
    assert visit.titles() == ["Buy milk"]
    visit.click_and_wait(visit.find("[data-status=pending]"))
    assert visit.titles() == ["Call the bank", "Write the report"]
    assert "status=pending" in browser.current_url

    # Sort: the filter is kept.
    visit.click_and_wait(visit.find("[data-sort=priority]"))
    assert visit.titles() == ["Write the report", "Call the bank"]
    visit.click_and_wait(visit.find("[data-status=all]"))
    visit.click_and_wait(visit.find("[data-sort=title]"))
    assert visit.titles() == ["Buy milk", "Call the bank", "Write the report"]
    assert "status=all" in browser.current_url and "sort=title" in browser.current_url

    # Edit one.
    visit.click_and_wait(
        visit.task_card("Call the bank").find_element(visit.By.CSS_SELECTOR, "[data-action=edit]")
    )
    assert visit.find("#title").get_attribute("value") == "Call the bank"
    assert (
        visit.Select(visit.find("#priority")).first_selected_option.get_attribute("value")
        == "medium"
    )
    visit.submit({"title": "Call the bank about the loan", "priority": "high"})
    assert 'Task "Call the bank about the loan" updated successfully!' in visit.flash()
    assert visit.find("h1").text == "Call the bank about the loan"
    visit.click_and_wait(visit.link("Back to tasks"))

    # Delete one, confirming the dialog.
    visit.click_and_wait(
        visit.task_card("Write the report").find_element(
            visit.By.CSS_SELECTOR, "[data-action=delete]"
        ),
        confirm=True,
    )
    assert 'Task "Write the report" deleted.' in visit.flash()
    assert visit.titles() == ["Call the bank about the loan", "Buy milk"]
    assert "2 tasks" in visit.find("#list-summary").text

    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "example-tasks.png"))
    assert visit.console_errors() == []

    # Log out: the list is behind the login wall again.
    visit.click_and_wait(visit.find("#logout-button"))
    assert "You have been logged out." in visit.flash()
    visit.open("/tasks/")
    assert browser.current_url.startswith(server + "/auth/login?next=")
    assert "Please log in to continue." in visit.flash()
