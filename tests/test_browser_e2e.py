"""End to end: JupyterLab in headless Chromium (Debian's ``chromium`` driven by Playwright) runs
a notebook that shows the bucket browser against the moto server; a double-click opens a
folder and the rendered listing changes; Backspace and Enter navigate; a delete runs as a
background job whose confirmation and result reach the page; scrolling past the 200-row window
brings in the rows at the end. Saves a screenshot of the widget.

Set ``DUMONT_SCREENSHOT=path.png`` to also write the widget screenshot there (that is how
``docs/images/browser.png`` is made).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _notebook(url: str) -> dict:
    code = f"import dumont_nb\nbrowser = dumont_nb.browse({url!r})\nbrowser"
    return {
        "cells": [{"cell_type": "code", "execution_count": None, "id": "browse", "metadata": {}, "outputs": [], "source": code}],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


@pytest.fixture
def demo_bucket(s3):
    bucket = f"demo-data-{uuid.uuid4().hex[:6]}"
    s3.create_bucket(Bucket=bucket)
    files = {
        "README.md": b"# demo data\n",
        "sales/2024.csv": b"region,revenue\nnorth,120\nsouth,98\n",
        "sales/2025.csv": b"region,revenue\nnorth,131\nsouth,104\neast,77\n",
        "sales/archive/2023.csv": b"region,revenue\nnorth,99\n",
        "images/logo.png": b"\x89PNG\r\n\x1a\n",
        "logs/app.log": b"started\n" * 2000,
    }
    for key, body in files.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    with ThreadPoolExecutor(4) as pool:  # more rows than the front end's window holds
        list(pool.map(lambda i: s3.put_object(Bucket=bucket, Key=f"many/f{i:05d}.txt", Body=b"x"), range(300)))
    with ThreadPoolExecutor(8) as pool:  # three pages exactly: the total and the sort cover all of them
        list(pool.map(lambda i: s3.put_object(Bucket=bucket, Key=f"big/part-{i:05d}.csv", Body=b"a\n1\n"), range(3000)))
    return bucket


@pytest.fixture
def jupyterlab(tmp_path, s3_server):
    """JupyterLab on a free port over a temp dir whose kernels see a config for the moto server."""
    root = tmp_path / "lab"
    root.mkdir()
    config = tmp_path / "dumont.yaml"
    config.write_text(yaml.safe_dump({"remotes": {"moto": s3_server.remote_settings()}}))
    port, token = _free_port(), uuid.uuid4().hex
    env = dict(os.environ)
    env.update(
        DUMONT_CONFIG=str(config),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
        JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"),
    )
    log = open(tmp_path / "jupyterlab.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip", "127.0.0.1", "--port", str(port),
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--allow-root"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited: {(tmp_path / 'jupyterlab.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).read()
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("jupyter lab did not answer within 2 minutes")
        yield root, base, token
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_browser_in_jupyterlab_opens_a_folder(jupyterlab, demo_bucket, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is required for this test: apt-get install -y chromium")
    root, base, token = jupyterlab
    (root / "browse.ipynb").write_text(json.dumps(_notebook(f"moto://{demo_bucket}/")))
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.goto(f"{base}/lab/tree/browse.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
            expect(page.get_by_role("button", name=re.compile(r"\| Idle"))).to_be_visible(timeout=120_000)
            page.locator(".jp-Cell .jp-InputArea-editor").first.click()
            page.keyboard.press("Escape")
            page.keyboard.press("Shift+Enter")
            listing = page.locator(".jp-OutputArea .dumont-listing")
            try:
                expect(listing).to_be_visible(timeout=120_000)
            except AssertionError:
                page.screenshot(path=str(ARTIFACTS / "browser-e2e-failure.png"))
                outputs = page.locator(".jp-OutputArea").all_inner_texts()
                pytest.fail(f"the browser widget did not render; cell outputs: {outputs!r}")
            names = listing.locator(".dumont-item .dumont-col-name")
            expect(names).to_have_count(6, timeout=60_000)
            before = names.all_inner_texts()
            assert before == ["big", "images", "logs", "many", "sales", "README.md"]

            # the tree expands a folder without visiting it: its sub-folders appear, the listing stays
            tree = page.locator(".jp-OutputArea .dumont-tree")
            tree.locator(f".dumont-tree-node[data-url='moto://{demo_bucket}/sales/'] .dumont-tree-twisty").click()
            expect(tree.locator(f".dumont-tree-node[data-url='moto://{demo_bucket}/sales/archive/']")).to_have_count(
                1, timeout=60_000)
            assert names.all_inner_texts() == before

            listing.locator(".dumont-item", has_text="sales").dblclick()
            expect(names.filter(has_text="2025.csv")).to_have_count(1, timeout=60_000)
            after = names.all_inner_texts()
            assert after == ["archive", "2024.csv", "2025.csv"]
            location = page.locator(".jp-OutputArea .dumont-browser input[type='text']").first
            expect(location).to_have_value(f"moto://{demo_bucket}/sales/")

            listing.locator(".dumont-header .dumont-col-size").click()  # sort by size, then descending
            listing.locator(".dumont-header .dumont-col-size").click()
            expect(names.first).to_have_text("archive")  # folders stay first
            expect(names.nth(1)).to_have_text("2025.csv", timeout=60_000)
            assert names.all_inner_texts() == ["archive", "2025.csv", "2024.csv"]

            listing.locator(".dumont-item", has_text="2025.csv").click()  # select: the preview shows a table
            expect(page.locator(".jp-OutputArea .dumont-table")).to_be_visible(timeout=60_000)
            page.screenshot(path=str(ARTIFACTS / "browser-e2e-page.png"))
            widget = page.locator(".jp-OutputArea .dumont-browser").first
            widget.screenshot(path=str(ARTIFACTS / "browser.png"))
            if os.environ.get("DUMONT_SCREENSHOT"):
                shutil.copyfile(ARTIFACTS / "browser.png", os.environ["DUMONT_SCREENSHOT"])

            # keyboard: Backspace goes up, Enter opens the focused folder
            listing.locator(".dumont-item", has_text="archive").click()
            page.keyboard.press("Backspace")
            expect(names.filter(has_text="README.md")).to_have_count(1, timeout=60_000)
            listing.locator(".dumont-item", has_text="logs").click()
            page.keyboard.press("Enter")
            expect(names.filter(has_text="app.log")).to_have_count(1, timeout=60_000)
            assert names.all_inner_texts() == ["app.log"]

            # a background job updates the page from its worker thread: delete with confirmation
            listing.locator(".dumont-item", has_text="app.log").click()
            out = page.locator(".jp-OutputArea").first
            out.get_by_role("button", name="Delete").first.click()
            expect(out.locator("b", has_text="Delete 1 object (15.6 KiB)")).to_be_visible(timeout=60_000)
            out.locator(".dumont-browser button.mod-danger", has_text="Delete").last.click()
            expect(out.get_by_text(re.compile(r"deleted 1 object(?!s)"))).to_be_visible(timeout=60_000)
            expect(names).to_have_count(0, timeout=60_000)

            # 300 entries, 200-row window: scrolling to the end fetches the window that shows it
            out.get_by_role("button", name=demo_bucket, exact=True).click()  # the breadcrumb
            listing.locator(".dumont-item", has_text="many").dblclick()
            listing.locator(".dumont-header .dumont-col-name").click()  # back to name order (sorting sticks)
            try:
                expect(names.filter(has_text="f00000.txt")).to_have_count(1, timeout=60_000)
            except AssertionError:
                page.screenshot(path=str(ARTIFACTS / "browser-e2e-failure.png"))
                raise
            expect(names.filter(has_text="f00299.txt")).to_have_count(0)
            listing.locator(".dumont-scroller").evaluate("e => { e.scrollTop = e.scrollHeight; }")
            expect(names.filter(has_text="f00299.txt")).to_have_count(1, timeout=60_000)
            expect(listing.locator(".dumont-footer")).to_have_text("300 items")

            # the right-click menu and its "Download to this computer" (the browser's own download)
            listing.locator(".dumont-item", has_text="f00299.txt").click(button="right")
            menu = listing.locator(".dumont-menu")
            expect(menu).to_be_visible(timeout=30_000)
            expect(menu.locator(".dumont-menu-item.dumont-disabled", has_text="Open")).to_have_count(0)
            with page.expect_download(timeout=60_000) as download:
                menu.locator(".dumont-menu-item", has_text="Download to this computer").click()
            saved = download.value
            assert saved.suggested_filename == "f00299.txt" and Path(saved.path()).read_bytes() == b"x"
            expect(menu).to_have_count(0)
            # F2 opens the rename form of the selection; Cancel leaves it as it was
            listing.locator(".dumont-item", has_text="f00298.txt").click()
            page.keyboard.press("F2")
            page.wait_for_function("() => [...document.querySelectorAll('.dumont-browser input[type=text]')]"
                                   ".some(e => e.value === 'f00298.txt')", timeout=30_000)
            out.get_by_role("button", name="Cancel").first.click()
            # Delete asks first, with the exact count
            listing.locator(".dumont-item", has_text="f00298.txt").click()
            page.keyboard.press("Delete")
            expect(out.locator("b", has_text="Delete 1 object (1 B)")).to_be_visible(timeout=60_000)
            out.get_by_role("button", name="Cancel").first.click()

            # a folder of 3,000 keys: the total counted in the background; Name ▼ sorts all of it
            out.get_by_role("button", name=demo_bucket, exact=True).click()
            listing.locator(".dumont-item", has_text="big").dblclick()
            expect(names.filter(has_text="part-00000.csv")).to_have_count(1, timeout=60_000)
            expect(listing.locator(".dumont-footer")).to_contain_text("1,000 items of 3,000", timeout=60_000)
            listing.locator(".dumont-header .dumont-col-name").click()  # ▲ → ▼
            expect(names.first).to_have_text("part-02999.csv", timeout=60_000)
            expect(listing.locator(".dumont-footer")).to_have_text("3,000 items", timeout=60_000)

            # JupyterLab's dark theme: the panel follows its colours
            page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
            page.locator(".lm-Menu-itemLabel", has_text="Theme").first.click()
            page.locator(".lm-Menu-itemLabel").get_by_text("JupyterLab Dark", exact=True).click()
            expect(page.locator("body[data-jp-theme-light='false']")).to_have_count(1, timeout=60_000)
            time.sleep(1)
            dark = listing.evaluate("e => getComputedStyle(e).backgroundColor")
            assert dark not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), dark
            widget.screenshot(path=str(ARTIFACTS / "browser-dark.png"))
            if os.environ.get("DUMONT_SCREENSHOT"):
                shutil.copyfile(ARTIFACTS / "browser-dark.png", os.environ["DUMONT_SCREENSHOT"].replace(".png", "-dark.png"))
        finally:
            browser.close()
    assert (ARTIFACTS / "browser.png").stat().st_size > 10_000
