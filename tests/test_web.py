"""The workbench over HTTP, in process (Flask's test client against the real app).

Every test works on a copy of the shipped corpus and packets in a temporary folder: the
app is created with those folders, so nothing here touches the repository.  The forms
are read from the pages the app serves (lxml), filled in as a browser would, and posted
back; what a save writes is read back as the edit file ``handouts edit`` writes.
"""

from __future__ import annotations

import io
import re
import shutil
import tomllib
from pathlib import Path

import lxml.html
import pytest
from flask.testing import FlaskClient
from web_samples import PAGE
from werkzeug.datastructures import MultiDict

from handouts import paths
from handouts.content import edits
from handouts.web.app import MAX_UPLOAD_BYTES, Settings, create_app, is_loopback


@pytest.fixture
def project(tmp_path: Path) -> Settings:
    """A copy of the project's data: corpus, packets, an empty edits and build folder."""
    shutil.copytree(paths.CORPUS, tmp_path / "corpus")
    shutil.copytree(paths.PACKETS, tmp_path / "packets")
    return Settings(corpus=tmp_path / "corpus", packets=tmp_path / "packets",
                    edits=tmp_path / "edits", build=tmp_path / "build")


@pytest.fixture
def client(project: Settings) -> FlaskClient:
    return create_app(project).test_client()


def token(client: FlaskClient) -> str:
    page = lxml.html.fromstring(client.get("/").data)
    return page.xpath('//meta[@name="csrf-token"]/@content')[0]


def form_of(client: FlaskClient, url: str, form_id: str) -> MultiDict[str, str]:
    """The fields a browser would send from a form of a page, as served."""
    response = client.get(url)
    assert response.status_code == 200, response.data[:500]
    page = lxml.html.fromstring(response.data)
    return MultiDict(page.get_element_by_id(form_id).form_values())


def replace(form: MultiDict[str, str], key: str, value: str) -> MultiDict[str, str]:
    return MultiDict([(k, value if k == key else v) for k, v in form.items(multi=True)])


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return lxml.html.fromstring(response.data).text_content()


# ------------------------------------------------------------------------ pages


@pytest.mark.parametrize("url", ["/", "/corpus", "/themes", "/themes/four-winds", "/packets",
                                 "/packets/new", "/edit/theme/four-winds",
                                 "/edit/packet/branch-four-winds",
                                 "/packets/branch-four-winds/change"])
def test_every_page_answers_in_chinese_with_assets_served_locally(client: FlaskClient,
                                                                   url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    page = lxml.html.fromstring(response.data)
    assert "工作台" in page.text_content()
    for ref in page.xpath("//script/@src | //link/@href | //img/@src"):
        assert ref.startswith("/"), ref  # nothing from the internet
        assert client.get(ref).status_code == 200


def test_the_corpus_page_explains_what_cleaning_dropped(client: FlaskClient,
                                                        project: Settings) -> None:
    from handouts.corpus.load import explain_data

    doc = sorted(project.corpus.glob("*.txt"))[3]
    expected = explain_data(doc)
    page = text_of(client.get(f"/corpus/{doc.stem}"))
    assert f"清理掉的行（{len(expected['dropped'])}）" in page
    for heading in expected["headings"]:
        assert heading["title"] in page


# ------------------------------------------------------------------------ CSRF


def test_a_state_changing_request_without_the_csrf_token_is_refused(
        client: FlaskClient, project: Settings) -> None:
    form = form_of(client, "/edit/theme/four-winds", "outline-form")
    without = MultiDict([(k, v) for k, v in form.items(multi=True) if k != "csrf_token"])
    refused = client.post("/edit/theme/four-winds", data=without)
    assert refused.status_code == 403
    assert "安全令牌" in text_of(refused)
    wrong = client.post("/edit/theme/four-winds",
                        data=replace(form, "csrf_token", "x" * len(form["csrf_token"])))
    assert wrong.status_code == 403
    assert client.post("/build/theme/four-winds").status_code == 403
    assert client.post("/corpus/upload", data={"document": (io.BytesIO(PAGE.encode()), "a.html")},
                       content_type="multipart/form-data").status_code == 403
    assert not project.edits.exists()
    assert not (project.corpus / "a.html").exists()
    # and with the token, the same save goes through
    assert client.post("/edit/theme/four-winds", data=form).status_code == 303
    assert edits.edit_path(project.edits, "theme", "four-winds").exists()


def test_a_fresh_browser_without_the_cookie_cannot_post_even_with_a_token(
        project: Settings) -> None:
    other = create_app(project).test_client()
    stolen = token(create_app(project).test_client())
    response = other.post("/build/theme/four-winds", headers={"X-CSRF-Token": stolen})
    assert response.status_code == 403


def test_a_request_addressed_to_another_host_name_is_refused_on_loopback(
        client: FlaskClient) -> None:
    assert client.get("/", headers={"Host": "evil.example:8000"}).status_code == 403
    assert client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200


def test_loopback_is_told_from_other_addresses() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20")


# ------------------------------------------------------------------ ../ and names


@pytest.mark.parametrize("url", [
    "/download/theme/..%2F..%2F..%2Fetc%2Fpasswd.pdf",
    "/download/theme/../../pyproject.pdf",
    "/preview/theme/..%2F..%2Fcorpus/1.png",
    "/corpus/..%2F..%2Fpyproject",
    "/edit/theme/..%2F..%2Fpyproject",
    "/edit/packet/..%2Fbranch-four-winds",
    "/packets/..%2F..%2Fpyproject/change",
    "/static/..%2F..%2F..%2Fpyproject.toml",
    "/static/../app.py",
])
def test_dot_dot_in_a_path_never_reaches_outside_the_project(client: FlaskClient,
                                                             url: str) -> None:
    response = client.get(url)
    assert response.status_code in (400, 404)
    assert b"[project]" not in response.data and b"root:" not in response.data


@pytest.mark.parametrize("client_name", ["../../outside.html", "..\\..\\outside.html",
                                         "/etc/outside.html", "....//outside.html"])
def test_an_uploaded_file_name_with_dot_dot_stays_in_the_corpus(
        client: FlaskClient, project: Settings, client_name: str) -> None:
    response = client.post("/corpus/upload", data={
        "csrf_token": token(client), "document": (io.BytesIO(PAGE.encode()), client_name)},
        content_type="multipart/form-data")
    assert response.status_code == 200, text_of(response)
    assert (project.corpus / "outside.html").is_file()
    root = project.corpus.parent
    assert not (root / "outside.html").exists() and not (root.parent / "outside.html").exists()
    assert not Path("/etc/outside.html").exists()


def test_a_packet_name_with_dot_dot_is_refused_and_nothing_is_written(
        client: FlaskClient, project: Settings) -> None:
    form = MultiDict([("csrf_token", token(client)), ("name", "../../evil"),
                      ("title", "测试会议"), ("themes", "four-winds")])
    before = sorted(p.name for p in project.corpus.parent.rglob("*"))
    response = client.post("/packets/new", data=form)
    assert response.status_code == 400
    assert "小写英文字母" in text_of(response) or "lower-case" in text_of(response)
    assert sorted(p.name for p in project.corpus.parent.rglob("*")) == before


# ------------------------------------------------------------------------ uploads


def test_a_50_mb_upload_is_refused_with_a_message(client: FlaskClient,
                                                   project: Settings) -> None:
    before = sorted(project.corpus.iterdir())
    big = b"<p>" + "学习".encode() * (50 * 1024 * 1024 // 6) + b"</p>"
    assert len(big) > 50_000_000 > MAX_UPLOAD_BYTES
    response = client.post("/corpus/upload", data={
        "csrf_token": token(client), "document": (io.BytesIO(big), "big.html")},
        content_type="multipart/form-data")
    assert response.status_code == 413
    assert "太大" in text_of(response) and "20 MB" in text_of(response)
    assert sorted(project.corpus.iterdir()) == before


def test_an_uploaded_page_is_explained_and_its_sections_listed(client: FlaskClient,
                                                               project: Settings) -> None:
    response = client.post("/corpus/upload", data={
        "csrf_token": token(client), "document": (io.BytesIO(PAGE.encode()), "调研 通知.html")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    page = text_of(response)
    assert "已放进材料库：调研-通知.html" in page
    assert "一、深入基层" in page and "二、解决问题" in page
    assert "清理掉的行" in page
    assert (project.corpus / "调研-通知.html").read_bytes() == PAGE.encode()
    assert "关于改进调查研究的通知" in text_of(client.get("/corpus"))


def test_an_upload_never_overwrites_a_corpus_file(client: FlaskClient,
                                                  project: Settings) -> None:
    existing = sorted(project.corpus.glob("*.txt"))[0]
    original = existing.read_bytes()
    name = existing.stem + ".html"
    response = client.post("/corpus/upload", data={
        "csrf_token": token(client), "document": (io.BytesIO(PAGE.encode()), name)},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert "原文件没有被覆盖" in text_of(response)
    assert existing.read_bytes() == original
    assert (project.corpus / f"{existing.stem}-2.html").read_bytes() == PAGE.encode()


@pytest.mark.parametrize(("name", "data", "problem"), [
    ("坏文件.html", b"\x00\x01\x02\xff" * 400, "坏文件.html"),
    ("空白.txt", b"   \n\n", "空白.txt"),
    ("程序.exe", b"MZ\x90\x00", "unsupported file type"),
])
def test_a_file_that_cannot_be_read_is_refused_with_a_clear_message(
        client: FlaskClient, project: Settings, name: str, data: bytes, problem: str) -> None:
    before = sorted(project.corpus.iterdir())
    response = client.post("/corpus/upload", data={
        "csrf_token": token(client), "document": (io.BytesIO(data), name)},
        content_type="multipart/form-data")
    assert response.status_code == 400
    message = lxml.html.fromstring(response.data).get_element_by_id("error-message")
    assert "没有放进材料库" in message.text_content()
    assert problem in message.text_content()
    assert sorted(project.corpus.iterdir()) == before


# ------------------------------------------------------------------- saving edits


def test_two_saves_from_two_tabs_the_second_is_refused_and_shows_the_difference(
        client: FlaskClient, project: Settings) -> None:
    tab1 = form_of(client, "/edit/theme/four-winds", "outline-form")
    tab2 = form_of(client, "/edit/theme/four-winds", "outline-form")
    first = tab1.getlist("sec")[0]
    saving = client.post("/edit/theme/four-winds",
                         data=replace(tab1, f"q:{first}", "第一个标签页改写的讨论题？"))
    assert saving.status_code == 303
    path = edits.edit_path(project.edits, "theme", "four-winds")
    saved = path.read_text(encoding="utf-8")

    refused = client.post("/edit/theme/four-winds",
                          data=replace(tab2, f"q:{first}", "第二个标签页改写的讨论题？"))
    assert refused.status_code == 409
    page = lxml.html.fromstring(refused.data)
    diff = page.get_element_by_id("diff").text_content()
    assert "-  \"第一个标签页改写的讨论题？\"," in diff
    assert "+  \"第二个标签页改写的讨论题？\"," in diff
    assert path.read_text(encoding="utf-8") == saved  # nothing lost, nothing overwritten
    # The second tab's text is kept in the refusal page: the organiser can still save it.
    keep = MultiDict(page.forms[-1].form_values())
    assert keep[f"q:{first}"] == "第二个标签页改写的讨论题？"
    assert client.post("/edit/theme/four-winds", data=keep).status_code == 303
    assert "第二个标签页改写的讨论题？" in path.read_text(encoding="utf-8")


def test_a_save_writes_the_same_edit_file_handouts_edit_reads(client: FlaskClient,
                                                              project: Settings) -> None:
    form = form_of(client, "/edit/theme/four-winds", "outline-form")
    sections = form.getlist("sec")
    dropped, kept = sections[0], sections[1]
    form = MultiDict([(k, v) for k, v in form.items(multi=True) if k != f"keep:{dropped}"])
    form = replace(form, f"kp:{kept}", "第一条要点\n\n第二条要点")
    form = replace(form, f"note:{kept}", "会前请通读全文。")
    assert client.post("/edit/theme/four-winds", data=form).status_code == 303
    path = edits.edit_path(project.edits, "theme", "four-winds")
    loaded = edits.load_edits(path, "theme")
    ids = [s.id for s in loaded.parts[0].sections]
    assert dropped.split("|", 1)[1] not in ids
    section = loaded.parts[0].sections[0]
    assert section.id == kept.split("|", 1)[1]
    assert section.key_points == ("第一条要点", "第二条要点")
    assert section.note == "会前请通读全文。"
    assert tomllib.loads(path.read_text(encoding="utf-8"))  # a TOML file a person can edit
    # the page shows the dropped section unticked, to be ticked again
    again = lxml.html.fromstring(client.get("/edit/theme/four-winds").data)
    box = again.xpath(f'//input[@name="keep:{dropped}"]')[0]
    assert box.get("checked") is None


def test_a_save_that_leaves_no_section_is_refused_with_the_reason(
        client: FlaskClient, project: Settings) -> None:
    form = form_of(client, "/edit/theme/four-winds", "outline-form")
    none = MultiDict([(k, v) for k, v in form.items(multi=True) if not k.startswith("keep:")])
    response = client.post("/edit/theme/four-winds", data=none)
    assert response.status_code == 400
    assert "no section left to print" in text_of(response)


def test_a_stale_edit_is_flagged_on_the_start_page_and_in_the_outline(
        client: FlaskClient, project: Settings) -> None:
    form = form_of(client, "/edit/theme/four-winds", "outline-form")
    assert client.post("/edit/theme/four-winds", data=form).status_code == 303
    section_id = form.getlist("sec")[0].split("|", 1)[1]
    doc = project.corpus / f"{section_id.split('/')[0]}.txt"
    text = doc.read_text(encoding="utf-8")
    from handouts import pipeline

    old = next(s.text for d in pipeline.load(project.corpus).documents for s in d.sections
               if s.id == section_id)
    sentence = old.split("。")[0]
    doc.write_text(text.replace(sentence, sentence + "，这是后来补上的话"), encoding="utf-8")
    home = lxml.html.fromstring(client.get("/").data)
    assert "原文已改动" in home.get_element_by_id("stale-edits").text_content()
    outline = lxml.html.fromstring(client.get("/edit/theme/four-winds").data)
    flagged = outline.xpath("//li[@data-id=$id]//*[@data-stale]", id=section_id)
    assert flagged and "原文已改动" in flagged[0].text_content()


# ------------------------------------------------------------------------ packets


def test_the_packet_form_writes_a_spec_that_validates(client: FlaskClient,
                                                      project: Settings) -> None:
    from handouts.build.packets import load_spec

    form = MultiDict([("csrf_token", token(client)), ("name", "branch-2026-12"),
                      ("title", "十二月主题党日"), ("date", "2026-12-20"),
                      ("place", "党员活动室"), ("audience", "全体党员"),
                      ("agenda", "重温入党誓词\r\n集体学习\r\n\r\n分组讨论"),
                      ("foreword", "同志们：\r\n请会前通读材料。\r\n\r\n讨论时联系实际。"),
                      ("themes", "four-winds")])
    response = client.post("/packets/new", data=form)
    assert response.status_code == 303
    spec = load_spec(project.packets / "branch-2026-12.toml")
    assert spec.title == "十二月主题党日" and spec.date == "2026-12-20"
    assert spec.agenda == ("重温入党誓词", "集体学习", "分组讨论")
    assert spec.themes == ("four-winds",)
    assert spec.foreword == "同志们：请会前通读材料。\n讨论时联系实际。"
    # the same name again is refused, not overwritten
    again = client.post("/packets/new", data=replace(form, "title", "另一个会"))
    assert again.status_code == 400 and "already exists" in text_of(again)
    assert load_spec(project.packets / "branch-2026-12.toml").title == "十二月主题党日"


def test_changing_a_packet_keeps_the_keys_the_form_does_not_show(client: FlaskClient,
                                                                 project: Settings) -> None:
    from handouts.build.packets import load_spec

    before = load_spec(project.packets / "branch-four-winds.toml")
    form = form_of(client, "/packets/branch-four-winds/change", "packet-form")
    assert client.post("/packets/branch-four-winds/change",
                       data=replace(form, "place", "二楼会议室")).status_code == 303
    after = load_spec(project.packets / "branch-four-winds.toml")
    assert after.place == "二楼会议室"
    assert after.model_dump(exclude={"place"}) == before.model_dump(exclude={"place"})


def test_an_invalid_packet_is_not_written_and_the_form_says_why(client: FlaskClient,
                                                                 project: Settings) -> None:
    form = MultiDict([("csrf_token", token(client)), ("name", "no-content"),
                      ("title", "没有内容的会")])
    response = client.post("/packets/new", data=form)
    assert response.status_code == 400
    message = lxml.html.fromstring(response.data).get_element_by_id("error-message")
    assert "at least one of 'themes' or 'sections'" in message.text_content()
    assert not (project.packets / "no-content.toml").exists()
    page = lxml.html.fromstring(response.data)
    assert page.xpath('//input[@name="title"]/@value') == ["没有内容的会"]  # input kept


# ------------------------------------------------------------------ handouts serve


def _serve(args: list[str], project: Settings) -> tuple[str, str]:
    """Start ``handouts serve`` on a free port, read what it prints, fetch the start
    page from the address it printed, and stop it."""
    import subprocess
    import sys
    import urllib.request

    command = [sys.executable, "-m", "handouts", "serve", "--port", "0",
               "--corpus", str(project.corpus), "--packets", str(project.packets),
               "--edits", str(project.edits), "--out", str(project.build), *args]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        printed = process.stderr.readline()
        address = re.search(r"http://\S+/", printed)
        assert address, printed
        more = process.stderr.readline() if args else ""
        url = address.group(0).replace("0.0.0.0", "127.0.0.1")
        with urllib.request.urlopen(url, timeout=60) as response:  # hang guard only
            page = response.read().decode("utf-8")
        assert "工作台" in page
        return printed + more, url
    finally:
        # SIGTERM, not SIGINT: a suite started in the background of a non-interactive
        # shell passes SIGINT on ignored, and the server would never hear it.
        process.terminate()
        process.wait(30)


def test_serve_prints_the_address_to_open_on_loopback(project: Settings) -> None:
    printed, url = _serve([], project)
    assert url.startswith("http://127.0.0.1:")
    assert "请用浏览器打开" in printed and "warning" not in printed


def test_serve_on_another_address_warns(project: Settings) -> None:
    printed, _ = _serve(["--host", "0.0.0.0"], project)
    assert "warning: serving on 0.0.0.0" in printed


def test_concurrent_saves_of_one_file_are_serialised_and_only_one_wins(
        project: Settings) -> None:
    """Eight saves made on the same version at once: the lock lets exactly one through;
    every other is refused with a difference, and the file is whole (one save's text)."""
    import threading

    from handouts import pipeline
    from handouts.content.editor import EditConflict

    corpus = pipeline.load(project.corpus)
    proposed = pipeline.proposed_handout(corpus, "theme", "four-winds", project.packets)
    outline = proposed.outlines[0]
    results: list[str] = []
    start = threading.Barrier(8)

    def save(n: int) -> None:
        parts = [edits.PartEdit(part="four-winds", sections=tuple(
            edits.SectionEdit(id=s.id, questions=(f"第{n}位同志写的讨论题？",))
            for s in outline.sections))]
        start.wait()
        try:
            pipeline.save_outline(corpus, "theme", "four-winds", parts, expected_version=None,
                                  edits_dir=project.edits, packets_dir=project.packets)
            results.append(f"saved {n}")
        except EditConflict as exc:
            assert exc.diff
            results.append("refused")

    threads = [threading.Thread(target=save, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)  # hang guard
    assert sorted(results).count("refused") == 7, results
    winner = next(r for r in results if r.startswith("saved")).split()[1]
    text = edits.edit_path(project.edits, "theme", "four-winds").read_text(encoding="utf-8")
    assert f"第{winner}位同志写的讨论题？" in text
    assert len(set(re.findall(r"第(\d)位同志", text))) == 1
    assert not list(project.edits.rglob("*.tmp"))


def test_a_packets_outline_saves_every_part_to_its_edit_file(client: FlaskClient,
                                                             project: Settings) -> None:
    form = form_of(client, "/edit/packet/branch-four-winds", "outline-form")
    parts = form.getlist("part")
    assert parts == ["four-winds", "cadre-conduct"]
    last = next(k for k in form.getlist("sec") if k.startswith("cadre-conduct|"))
    form = replace(form, f"title:{last}", "组织者改过的标题")
    form = replace(form, "pq:four-winds", "第一部分的综合讨论题？")
    assert client.post("/edit/packet/branch-four-winds", data=form).status_code == 303
    loaded = edits.load_edits(edits.edit_path(project.edits, "packet", "branch-four-winds"),
                              "packet")
    assert [p.part for p in loaded.parts] == parts
    assert loaded.part("four-winds").questions == ("第一部分的综合讨论题？",)  # type: ignore[union-attr]
    assert loaded.part("cadre-conduct").sections[0].title == "组织者改过的标题"  # type: ignore[union-attr]


def test_an_excerpt_sentence_not_in_the_passage_is_refused_and_the_input_kept(
        client: FlaskClient, project: Settings) -> None:
    form = form_of(client, "/edit/theme/four-winds", "outline-form")
    first = form.getlist("sec")[0]
    form = replace(form, f"xs:{first}", "这一句话并不在原文里。")
    form = replace(form, f"q:{first}", "刚刚改写、还没保存的讨论题？")
    response = client.post("/edit/theme/four-winds", data=form)
    assert response.status_code == 400
    page = lxml.html.fromstring(response.data)
    assert "sentence not found in the passage" in page.get_element_by_id(
        "error-message").text_content()
    assert not edits.edit_path(project.edits, "theme", "four-winds").exists()
    kept = MultiDict(page.get_element_by_id("outline-form").form_values())
    assert kept[f"q:{first}"] == "刚刚改写、还没保存的讨论题？"
    assert kept[f"xs:{first}"] == "这一句话并不在原文里。"
    assert kept["version"] == form["version"]


def test_a_section_added_from_the_corpus_prints_with_proposed_questions(
        client: FlaskClient, project: Settings) -> None:
    from handouts import pipeline

    form = form_of(client, "/edit/theme/four-winds", "outline-form")
    listed = {k.split("|", 1)[1] for k in form.getlist("sec")}
    corpus = pipeline.load(project.corpus)
    extra = next(s for d in corpus.documents for s in d.sections
                 if s.id not in listed and len(s.text) > 200)
    form = replace(form, "add:four-winds", extra.id)
    assert client.post("/edit/theme/four-winds", data=form).status_code == 303
    _, handout, _ = pipeline.handout_for(corpus, "theme", "four-winds",
                                         edits_dir=project.edits, packets_dir=project.packets)
    added = handout.outlines[0].sections[-1]
    assert added.id == extra.id and added.questions


def test_a_broken_packet_spec_is_listed_with_its_error_and_its_form_says_why(
        client: FlaskClient, project: Settings) -> None:
    (project.packets / "broken.toml").write_text('title = "少了引号\n', encoding="utf-8")
    listing = text_of(client.get("/packets"))
    assert "broken" in listing and "invalid TOML" in listing
    response = client.get("/packets/broken/change")
    assert response.status_code == 400
    assert "broken.toml: invalid TOML" in text_of(response)


def test_a_forged_outline_form_with_dot_dot_ids_writes_nothing(client: FlaskClient,
                                                               project: Settings) -> None:
    key = "../../evil|../../../etc/passwd"
    forged = MultiDict([("csrf_token", token(client)), ("version", ""),
                        ("part", "../../evil"), ("sec", key), (f"keep:{key}", "1"),
                        (f"title:{key}", "x")])
    before = sorted(str(p) for p in project.corpus.parent.rglob("*"))
    response = client.post("/edit/theme/four-winds", data=forged)
    assert response.status_code == 400
    assert "'../../evil' is not a part of this handout" in text_of(response)
    assert sorted(str(p) for p in project.corpus.parent.rglob("*")) == before
    form = form_of(client, "/edit/theme/four-winds", "outline-form")
    first = form.getlist("sec")[0]
    forged = MultiDict([*form.items(multi=True), ("sec", "four-winds|../../../etc/passwd"),
                        ("keep:four-winds|../../../etc/passwd", "1")])
    response = client.post("/edit/theme/four-winds", data=forged)
    assert response.status_code == 400 and first
    assert "unknown section id '../../../etc/passwd'" in text_of(response)
    assert sorted(str(p) for p in project.corpus.parent.rglob("*")) == before


def test_refresh_merges_the_new_proposal_keeping_the_organisers_changes(
        client: FlaskClient, project: Settings) -> None:
    from handouts import pipeline

    form = form_of(client, "/edit/theme/four-winds", "outline-form")
    first = form.getlist("sec")[0]
    section_id = first.split("|", 1)[1]
    form = replace(form, f"q:{first}", "组织者自己写的讨论题？")
    assert client.post("/edit/theme/four-winds", data=form).status_code == 303
    doc = project.corpus / f"{section_id.split('/')[0]}.txt"
    old = next(s.text for d in pipeline.load(project.corpus).documents for s in d.sections
               if s.id == section_id)
    sentence = old.split("。")[0]
    doc.write_text(doc.read_text(encoding="utf-8").replace(sentence, sentence + "，补上的话"),
                   encoding="utf-8")
    page = lxml.html.fromstring(client.get("/edit/theme/four-winds").data)
    assert "原文在您修改之后有变动" in page.get_element_by_id("refresh-form").text_content()
    refresh = MultiDict(page.get_element_by_id("refresh-form").form_values())

    stale_tab = MultiDict(refresh)
    done = client.post("/edit/theme/four-winds/refresh", data=refresh)
    assert done.status_code == 303
    after = lxml.html.fromstring(client.get(done.headers["Location"]).data)
    assert "保留了您的 1 处修改" in after.get_element_by_id("saved").text_content()
    assert not after.xpath("//*[@data-stale]")
    path = edits.edit_path(project.edits, "theme", "four-winds")
    assert "组织者自己写的讨论题？" in path.read_text(encoding="utf-8")
    # a refresh from a page opened before is refused, like a save
    assert client.post("/edit/theme/four-winds/refresh", data=stale_tab).status_code == 409


def test_a_word_file_uploads_with_its_headings_and_an_old_doc_is_refused_with_advice(
        client: FlaskClient, project: Settings) -> None:
    import docx

    document = docx.Document()
    document.add_heading("关于加强调查研究的意见", level=1)
    for title, body in (("一、深入基层", "调查研究是谋事之基、成事之道。" * 8),
                        ("二、解决问题", "调查研究的目的在于解决问题。" * 8)):
        document.add_heading(title, level=2)
        document.add_paragraph(body)
    data = io.BytesIO()
    document.save(data)
    response = client.post("/corpus/upload", data={
        "csrf_token": token(client), "document": (io.BytesIO(data.getvalue()), "意见.docx")},
        content_type="multipart/form-data")
    assert response.status_code == 200, text_of(response)
    headings = lxml.html.fromstring(response.data).get_element_by_id("headings").text_content()
    assert "一、深入基层" in headings and "二、解决问题" in headings
    assert (project.corpus / "意见.docx").is_file()

    refused = client.post("/corpus/upload", data={
        "csrf_token": token(client), "document": (io.BytesIO(b"\xd0\xcf\x11\xe0"), "旧.doc")},
        content_type="multipart/form-data")
    assert refused.status_code == 400
    assert "旧.doc: old Word format (.doc) is not read" in text_of(refused)
    assert "另存为 .docx" in text_of(refused)
    assert not (project.corpus / "旧.doc").exists()


def test_printing_a_roster_packet_prints_its_first_branch_where_build_all_puts_it(
        project: Settings) -> None:
    """A roster spec is one packet per branch: the workbench prints the first branch's
    (cover and header carry it) and says that the others come from ``make handouts``."""
    import time

    from pypdf import PdfReader

    from handouts.build import roster
    from handouts.web.jobs import Builds

    shutil.copytree(paths.HOME / "rosters", project.packets.parent / "rosters")
    first = roster.read_roster(project.packets.parent / "rosters" / "qingxi-study-month.csv"
                               ).rows[0]
    jobs = Builds(project)
    started = jobs.start("packet", "qingxi-study-month")
    for _ in range(600):  # a bound on the wait, not a timing assertion
        build = jobs.get(started.id)
        if build is not None and build.state != "running":
            break
        time.sleep(0.5)
    assert build is not None and build.state == "done", build
    pdf = project.build / "packets" / "qingxi-study-month" / f"{first.slug}.pdf"
    assert build.pdf == str(pdf)
    assert not (project.build / "packets" / "qingxi-study-month.pdf").exists()
    reader = PdfReader(pdf)
    assert first.branch in reader.pages[0].extract_text()
    assert any("make handouts" in w and first.branch in w for w in build.warnings)
    word = project.build / "docx" / "packets" / "qingxi-study-month" / f"{first.slug}.docx"
    assert word.is_file()
    client = create_app(project).test_client()
    assert client.get("/download/packet/qingxi-study-month.pdf").data == pdf.read_bytes()
    assert client.get("/download/packet/qingxi-study-month.docx").data == word.read_bytes()
