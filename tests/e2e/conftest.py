"""Browser tests: Playwright drives the system's Chromium against a live server.

No browser is ever downloaded: the tests use the Chromium binary named by
``JANUS_CHROMIUM`` (default ``/usr/bin/chromium``). Without one they are
deselected locally and fail loudly in CI (``CI=true``), where a missing
browser is a broken set-up, not a reason to skip.
"""

import os
import shutil

import pytest

from tests.utils import deselect_without

CHROMIUM = os.environ.get("JANUS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's synchronous API runs an event loop in the test thread, where
# the test also touches the database; Django's guard against that is meant
# for async views, not for this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def chromium_available() -> bool:
    return os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM) is not None


def pytest_collection_modifyitems(config, items):
    deselect_without(
        config,
        items,
        "browser",
        available=chromium_available(),
        missing=f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)",
    )


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def sign_in(live_server, page):
    """Return a function that signs ``username`` in through the login form."""

    def do_sign_in(username: str, password: str):
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_selector("#site-name")
        return page

    return do_sign_in
