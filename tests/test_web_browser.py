"""The workbench in a real browser: Debian's chromium, driven by Selenium.

One server (the real app on 127.0.0.1, a free port, in a thread) and one browser serve
the whole module; the project's data is a temporary copy, so nothing touches the
repository.  The flows are the ones an organiser clicks through: pick a theme, untick a
section, rewrite a question, save, build, download the PDF and read it back with
pdfplumber; create a packet through the form and build it; upload a page and see its
sections.  The first flow leaves a screenshot of the workbench in the build folder
(and in docs/workbench.png for the README with HANDOUTS_SCREENSHOT=1).

Slow (a real browser and real PDF builds): kept to three tests.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import docx
import pdfplumber
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from web_samples import PAGE
from werkzeug.serving import make_server

from handouts import paths
from handouts.web.app import Settings, create_app

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
BUILD_WAIT = 600  # seconds: a hang guard for a loaded machine, not a speed claim

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("workbench")
    shutil.copytree(paths.CORPUS, root / "corpus")
    shutil.copytree(paths.PACKETS, root / "packets")
    return Settings(corpus=root / "corpus", packets=root / "packets", edits=root / "edits",
                    build=root / "build")


@pytest.fixture(scope="module")
def server(project: Settings) -> Iterator[str]:
    httpd = make_server("127.0.0.1", 0, create_app(project), threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(10)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, downloads: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                 "--lang=zh-CN", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads),
        "download.prompt_for_download": False,
        "intl.accept_languages": "zh-CN,zh",
    })
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    try:
        yield driver
    finally:
        driver.quit()


def wait(driver: WebDriver, seconds: float = 30) -> WebDriverWait:
    return WebDriverWait(driver, seconds)


def click(driver: WebDriver, element) -> None:  # type: ignore[no-untyped-def]
    """Click as a person does: scrolled into the middle of the window first (the save
    bar sticks to the bottom of the page and would take a click at the window's edge)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def download(driver: WebDriver, downloads: Path, link: str, name: str) -> Path:
    """Click a download link; the file chromium saved (named by the handout's title)."""
    for old in downloads.iterdir():
        old.unlink()
    click(driver, driver.find_element(By.ID, link))
    target = downloads / name
    deadline = time.monotonic() + 60  # hang guard
    while not (target.exists() and target.stat().st_size > 0) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)  # chromium renames the .crdownload when done; let it settle
    assert target.exists(), f"no {target.name} in {sorted(downloads.iterdir())}"
    return target


def build_and_download(driver: WebDriver, downloads: Path, title: str) -> tuple[Path, int]:
    """Click 生成, wait for the build to finish, click 下载 PDF; the file (named by the
    handout's title) and its pages."""
    click(driver, driver.find_element(By.ID, "build"))
    panel = driver.find_element(By.ID, "build-panel")
    wait(driver, BUILD_WAIT).until(
        lambda d: panel.get_attribute("data-state") in ("done", "failed"))
    assert panel.get_attribute("data-state") == "done", \
        driver.find_element(By.ID, "build-error").text
    status = driver.find_element(By.ID, "build-status").text
    pages = int(re.search(r"共 (\d+) 页", status).group(1))  # type: ignore[union-attr]
    return download(driver, downloads, "download", f"{title}.pdf"), pages


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in pdf.pages))


def test_pick_a_theme_untick_a_section_rewrite_a_question_build_and_download(
        browser: WebDriver, server: str, downloads: Path, project: Settings) -> None:
    browser.get(server + "/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "工作台"
    browser.find_element(By.LINK_TEXT, "专题").click()
    browser.find_element(By.CSS_SELECTOR, 'a[href="/edit/theme/four-winds"]').click()
    wait(browser).until(ec.presence_of_element_located((By.ID, "outline-form")))

    sections = browser.find_elements(By.CSS_SELECTOR, "li.section")
    dropped, rewritten = sections[0], sections[1]
    dropped_title = dropped.find_element(By.CSS_SELECTOR, "input.title").get_attribute("value")
    click(browser, dropped.find_element(By.CSS_SELECTOR, "input[data-keep]"))
    assert "off" in dropped.get_attribute("class")
    details = rewritten.find_element(By.CSS_SELECTOR, "details")
    if details.get_attribute("open") is None:
        click(browser, details.find_element(By.TAG_NAME, "summary"))
    question = "我们支部怎样把整治四风落实到每一项日常工作中去？"
    box = rewritten.find_element(By.CSS_SELECTOR, "textarea[data-questions]")
    box.clear()
    box.send_keys(question)
    assert browser.find_element(By.ID, "unsaved").is_displayed()  # the build prints what is saved
    click(browser, browser.find_element(By.ID, "save"))
    wait(browser).until(ec.presence_of_element_located((By.ID, "saved")))
    edit_file = project.edits / "themes" / "four-winds.toml"
    assert question in edit_file.read_text(encoding="utf-8")

    pdf, pages = build_and_download(browser, downloads, "反对“四风”")
    text = pdf_text(pdf)
    assert question in text
    assert re.sub(r"\s+", "", dropped_title) not in text
    word = download(browser, downloads, "download-docx", "反对“四风”.docx")
    paragraphs = [p.text for p in docx.Document(str(word)).paragraphs]
    assert any(question in p for p in paragraphs)
    assert not any(dropped_title in p for p in paragraphs)
    previews = browser.find_elements(By.CSS_SELECTOR, "#previews img")
    assert len(previews) == pages
    wait(browser).until(lambda d: d.execute_script(
        "return [...document.querySelectorAll('#previews img')]"
        ".slice(0, 2).every(i => i.complete && i.naturalWidth > 0)"))

    browser.execute_script("window.scrollTo(0, 0)")
    shot = project.build / "workbench.png"
    browser.save_screenshot(str(shot))
    if os.environ.get("HANDOUTS_SCREENSHOT") == "1":
        shutil.copyfile(shot, paths.HOME / "docs" / "workbench.png")
    assert shot.stat().st_size > 10_000


def test_create_a_packet_through_the_form_and_build_it(
        browser: WebDriver, server: str, downloads: Path, project: Settings) -> None:
    browser.get(server + "/")
    browser.find_element(By.LINK_TEXT, "会议材料包").click()
    browser.find_element(By.ID, "new-packet").click()
    form = browser.find_element(By.ID, "packet-form")
    form.find_element(By.NAME, "name").send_keys("branch-2026-12")
    form.find_element(By.NAME, "title").send_keys("十二月主题党日：走好新时代群众路线")
    browser.execute_script("arguments[0].value = '2026-12-20'", form.find_element(By.NAME, "date"))
    form.find_element(By.NAME, "place").send_keys("三楼党员活动室")
    form.find_element(By.NAME, "audience").send_keys("支部全体党员")
    form.find_element(By.NAME, "agenda").send_keys("重温入党誓词\n集体学习\n分组讨论")
    form.find_element(By.NAME, "foreword").send_keys("同志们：请会前通读材料，讨论时联系实际。")
    click(browser, form.find_element(By.CSS_SELECTOR, 'input[name="themes"][value="mass-line"]'))
    click(browser, form.find_element(By.ID, "save-packet"))
    wait(browser).until(ec.presence_of_element_located((By.ID, "saved")))
    assert (project.packets / "branch-2026-12.toml").is_file()

    pdf, _ = build_and_download(browser, downloads, "十二月主题党日：走好新时代群众路线")
    text = pdf_text(pdf)
    assert "十二月主题党日：走好新时代群众路线" in text
    assert "三楼党员活动室" in text and "重温入党誓词" in text


def test_upload_a_page_and_see_its_sections(browser: WebDriver, server: str,
                                            tmp_path: Path, project: Settings) -> None:
    page = tmp_path / "调研通知.html"
    page.write_text(PAGE, encoding="utf-8")
    browser.get(server + "/")
    browser.find_element(By.LINK_TEXT, "材料库").click()
    browser.find_element(By.ID, "upload-file").send_keys(str(page))
    browser.find_element(By.CSS_SELECTOR, "#upload-form button[type=submit]").click()
    wait(browser).until(ec.presence_of_element_located((By.ID, "upload-ok")))
    headings = browser.find_element(By.ID, "headings").text
    assert "一、深入基层" in headings and "二、解决问题" in headings
    assert (project.corpus / "调研通知.html").is_file()
    browser.find_element(By.LINK_TEXT, "材料库").click()
    assert "关于改进调查研究的通知" in browser.find_element(By.TAG_NAME, "main").text
