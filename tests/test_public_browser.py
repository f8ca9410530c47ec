"""The public site in a real browser: Debian's Chromium driven by Playwright, from the national page down to a
district, its counts as the committee's /resumen gives them, a CSV downloaded, and axe-core's accessibility rules.

Without Chromium the test skips, saying why; under CI=true (`.ci/run` installs it) it fails instead.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import update

from bot.public import site
from models.entities import Agreement
from tests.support.public_tree import add_many_agreements, seed_public_tree
from tests.support.scenarios import invitation_code

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _need_browser() -> None:
    problem = None
    if CHROMIUM is None:
        problem = "Debian's chromium is not installed (apt-get install -y chromium)"
    else:
        try:
            import axe_playwright_python  # noqa: F401
            import playwright  # noqa: F401
        except ImportError as error:
            problem = f"{error.name} is not installed (pip install -e '.[test]')"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser test must run in CI: {problem}")
        pytest.skip(problem)


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def served(tmp_path):
    """A plain HTTP server for the site's folder, as any web server would host it."""
    folder = tmp_path / "sitio"
    folder.mkdir()
    handler = functools.partial(Quiet, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def counts(text: str) -> dict[str, int]:
    """Light word → number, from the site's table row or the chat's semáforo line."""
    return {word: int(number) for word, number in re.findall(r"(Crítico|En riesgo|Al día|Sin plazo)\D{0,12}?(\d+)",
                                                             text)}


async def test_a_person_follows_the_links_down_to_a_district_and_reads_what_the_chat_says(
        telegram, sessions, clock, served):
    _need_browser()
    from axe_playwright_python.async_playwright import Axe
    from playwright.async_api import async_playwright

    folder, base = served
    ids = await seed_public_tree(sessions, clock)
    await add_many_agreements(sessions, clock, ids["COPROSEC Ilo"], 150)  # its agreements over numbered pages
    async with sessions.begin() as db:  # CODISEC Ilo fully published: nothing reserved
        await db.execute(update(Agreement).where(Agreement.committee_id == ids["CODISEC Ilo"]).values(reserved=False))
    await site.Publisher(folder).publish(sessions, clock.now())
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CODISEC Ilo')}")
    await rosa.send("/resumen")
    chat = counts(next(line for line in rosa.last().split("\n") if "Semáforo" in line))

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = await browser.new_page(accept_downloads=True, viewport={"width": 390, "height": 800})
            await page.goto(f"{base}/index.html")
            assert await page.get_attribute("html", "lang") == "es"
            serious = []
            for name in ("CONASEC", "CORESEC Moquegua", "COPROSEC Ilo", "CODISEC Ilo"):
                serious += await _serious_violations(Axe(), page)
                if name == "CODISEC Ilo":  # COPROSEC Ilo's second page too, and back
                    await page.get_by_role("link", name="Página 2").first.click()
                    await page.wait_for_load_state()
                    serious += await _serious_violations(Axe(), page)
                    await page.get_by_role("link", name="Página 1").first.click()
                    await page.wait_for_load_state()
                await page.get_by_role("link", name=name, exact=True).first.click()
                await page.wait_for_load_state()
                assert await page.locator("h1").inner_text() == name
            serious += await _serious_violations(Axe(), page)
            assert serious == []

            row = await page.locator("table").first.locator("tbody tr").first.inner_text()
            headers = await page.locator("table").first.locator("thead th").all_inner_texts()
            cells = row.split("\t")
            site_counts = {re.sub(r"^\W+\s*", "", header): int(cell)
                           for header, cell in zip(headers[2:], cells[2:])}
            assert site_counts == chat and sum(chat.values()) == int(cells[1])

            await page.get_by_role("link", name="Crítico", exact=False).first.click()
            assert page.url.endswith("#critico")

            async with page.expect_download() as waiting:
                await page.get_by_role("link", name="acuerdos.csv").click()
            download = await waiting.value
            rows = list(csv.DictReader(io.StringIO(open(await download.path(), encoding="utf-8").read())))
            assert sorted(r["codigo"] for r in rows) == ["1", "2", "3", "4", "5", "6", "7"]
            assert {r["semaforo"] for r in rows} == {"Crítico", "En riesgo", "Al día", "Sin plazo", ""}
        finally:
            await browser.close()


async def _serious_violations(axe, page) -> list[str]:
    results = await axe.run(page)
    return [f"{page.url}: {v['id']} ({v['impact']}): {v['help']}" for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")]
