"""Rosters: one packet per branch, its cover and header filled in, bad rows named.

The reading and validation tests use the shipped 30-branch roster and small edits of
it; the build tests build a small real tree (three seed documents) once per module and
read every PDF back with pypdf.
"""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from roster_trees import ROSTER, SPEC, real_tree, roster_lines

from handouts.build import packets, roster
from handouts.build.build import build_all
from handouts.cli import cli
from handouts.errors import ConfigError
from handouts.model import Handout
from handouts.writers.pdf import pdfcheck, render
from handouts.writers.pdf.series import Series

SAFE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def write_roster(tmp_path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path = tmp_path / "rosters" / "r.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def shipped_spec() -> packets.PacketSpec:
    return packets.load_spec(SPEC)


# --- reading a roster ------------------------------------------------------------------


def test_the_shipped_roster_has_thirty_branches_with_distinct_filesystem_safe_slugs() -> None:
    spec = shipped_spec()
    assert packets.roster_path(spec) == ROSTER.resolve()
    found = roster.read_roster(ROSTER, foreword=spec.foreword)
    assert found.problems == ()
    assert len(found.rows) == 30
    slugs = [row.slug for row in found.rows]
    assert len(set(slugs)) == 30
    assert all(SAFE.match(s) and len(s) <= roster.SLUG_LIMIT for s in slugs), slugs
    assert found.rows[0].row == 2  # the header is row 1, as a spreadsheet counts
    assert {"secretary"} < set(found.columns)


def test_slugs_spell_the_name_in_pinyin_and_do_not_depend_on_the_other_rows() -> None:
    assert roster.slug("城关镇第一党支部") == "chengguanzhendiyidangzhibu"
    assert roster.slug("县直机关（２）支部") == "xianzhijiguan-2-zhibu"
    assert SAFE.match(roster.slug("../../etc/passwd 支部"))
    assert roster.slug("……") .startswith("branch-")
    assert roster.unique_slugs(["甲支部", "乙支部"])[1] == roster.unique_slugs(["乙支部"])[0]


def test_branches_that_spell_alike_get_distinct_slugs_whatever_their_order() -> None:
    one, two = "一支部", "医支部"  # both yizhibu
    assert roster.slug(one) == roster.slug(two)
    forward = roster.unique_slugs([one, two])
    backward = roster.unique_slugs([two, one])
    assert len(set(forward)) == 2
    assert forward == backward[::-1]


def test_a_gbk_roster_reads_as_the_utf8_one(tmp_path: Path) -> None:
    lines = roster_lines(5)
    utf8 = roster.read_roster(write_roster(tmp_path, lines))
    gbk = roster.read_roster(write_roster(tmp_path, lines, "gbk"))
    assert gbk.rows == utf8.rows and len(gbk.rows) == 5
    assert gbk.rows[0].branch == "县委办公室党支部"


def test_bad_rows_are_named_by_row_and_column_and_the_others_are_kept(tmp_path: Path) -> None:
    header, *rows = roster_lines(4)
    lines = [header, rows[0],
             ",中共青溪县直属机关工作委员会,2026-12-02,会议室,全体党员,王立平",  # row 3
             rows[1].replace("2026-12-01", "2026-02-30"),  # row 4
             rows[0].replace("2026-12-01", "2026-12-09"),  # row 5: branch of row 2 again
             rows[2], rows[3] + ",多出来的一格"]  # rows 6, 7
    found = roster.read_roster(write_roster(tmp_path, lines))
    assert [r.branch for r in found.rows] == ["县委办公室党支部", "县财政局机关党支部"]
    assert [r.row for r in found.rows] == [2, 6]
    messages = [str(p) for p in found.problems]
    assert messages[0].endswith("r.csv: row 3, column branch: missing branch name")
    assert "row 4, column date: impossible date '2026-02-30'" in messages[1]
    assert ("row 5, column branch: duplicate branch '县委办公室党支部' (first on row 2)"
            in messages[2])
    assert "row 7, column #7: more cells than the header has columns" in messages[3]


def test_a_date_is_read_in_the_ways_organisers_write_it() -> None:
    for text in ("2026-12-08", "2026/12/8", "2026.12.08", "2026年12月8日", "２０２６-１２-０８"):
        assert roster.parse_date(text).isoformat() == "2026-12-08", text
    with pytest.raises(ValueError, match="not a date"):
        roster.parse_date("下周三")


def test_a_foreword_placeholder_must_be_a_column_and_filled_in_every_row(tmp_path: Path) -> None:
    path = write_roster(tmp_path, ["branch,date,secretary", "一支部,2026-12-01,张三",
                                   "二支部,2026-12-02,"])
    with pytest.raises(ConfigError, match=r"r\.csv: the foreword uses \{书记\}, which is not a"):
        roster.read_roster(path, foreword="{branch}的同志们：本次由{书记}领学。")
    found = roster.read_roster(path, foreword="本次由{secretary}同志领学。")
    assert [r.branch for r in found.rows] == ["一支部"]
    assert "row 3, column secretary: empty, but the foreword uses {secretary}" in str(
        found.problems[0])


def test_a_roster_without_a_branch_column_or_readable_text_is_one_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no 'branch' column"):
        roster.read_roster(write_roster(tmp_path, ["name,date", "一支部,2026-12-01"]))
    (tmp_path / "rosters" / "r.csv").write_bytes(b"\xff\xfe\x00\xd8branch")
    with pytest.raises(ConfigError, match="neither UTF-8 nor GBK"):
        roster.read_roster(tmp_path / "rosters" / "r.csv")
    with pytest.raises(ConfigError, match="no such roster"):
        roster.read_roster(tmp_path / "rosters" / "missing.csv")


def test_a_spec_may_name_a_roster_only_inside_rosters(tmp_path: Path) -> None:
    for bad in ("../secret.csv", "rosters/x.txt", "/etc/x.csv", "rosters/a/b.csv"):
        spec = tmp_path / "bad.toml"
        spec.write_text(f'title = "t"\nthemes = ["x"]\nroster = "{bad}"\n', encoding="utf-8")
        with pytest.raises(ConfigError, match="key roster: must name a file rosters/"):
            packets.load_spec(spec)


def test_a_row_fills_the_cover_and_foreword_and_an_empty_cell_keeps_the_spec_value(
    tmp_path: Path,
) -> None:
    spec = shipped_spec()
    path = write_roster(tmp_path, ["branch,date,place,secretary",
                                   "红旗村党支部,,村委会会议室,宋春生"])
    row = roster.read_roster(path, foreword=spec.foreword).rows[0]
    base = Handout(title=spec.title, outlines=(), date=spec.date,
                          organiser=spec.organiser, foreword=spec.foreword)
    handout = roster.row_handout(base, row, spec.foreword)
    assert handout.branch == "红旗村党支部" and handout.place == "村委会会议室"
    assert handout.date == "2026-12-01" and handout.organiser == "中共青溪县委组织部"
    assert handout.foreword is not None and "红旗村党支部本月开展" in handout.foreword
    assert "支部书记宋春生同志领学" in handout.foreword
    assert "{" not in handout.foreword


# --- rendering -------------------------------------------------------------------------


def test_the_series_renderer_gives_the_same_bytes_as_a_full_render(seed_corpus) -> None:
    """The reused body, the grafted header and a cover that runs to a second page (which
    must not reuse a one-page cover's body: its page numbers differ)."""
    spec = shipped_spec()
    base = packets.packet_handout(seed_corpus, spec)
    rows = roster.read_roster(ROSTER, foreword=spec.foreword).rows[:3]
    handouts = [roster.row_handout(base, row, spec.foreword) for row in rows]
    handouts[2] = dataclasses.replace(handouts[2], foreword=handouts[2].foreword * 6)
    series = Series()
    for handout in handouts:
        assert series.render(handout) == render.render_pdf(handout), handout.branch
    assert series.reused == 1  # the second; the third's cover is longer


def test_a_thirty_row_roster_builds_thirty_packets_whose_covers_carry_branch_and_date(
    shipped_build: Path,
) -> None:
    """Read back from what ``make handouts`` builds (the session's build, conftest.py)."""
    spec = shipped_spec()
    rows = roster.read_roster(ROSTER, foreword=spec.foreword).rows
    assert len(rows) == 30
    folder = shipped_build / "packets" / "qingxi-study-month"
    assert sorted(p.name for p in folder.glob("*.pdf")) == sorted(f"{r.slug}.pdf" for r in rows)
    families = pdfcheck.configured_families()
    for row in rows:
        data = (folder / f"{row.slug}.pdf").read_bytes()
        reader = PdfReader(io.BytesIO(data))
        cover = reader.pages[0].extract_text()
        # The end-to-end test checks one row in depth; every row's fonts are checked here.
        found = pdfcheck.fonts(data)
        assert found and all(f.embedded and f.subset for f in found), (row.slug, found)
        assert all(f.name.split("+", 1)[1].startswith(families) for f in found), row.slug
        assert row.branch in cover, row.slug
        assert render.chinese_date(row.get("date") or "") in cover, row.slug
        assert row.get("place") in cover and row.get("organiser") in cover, row.slug
        assert f"支部书记{row.get('secretary')}同志领学" in "".join(cover.split()), row.slug
        # Page 4 is a left-hand page of the body: the running header names the branch.
        assert row.branch in reader.pages[3].extract_text(), row.slug
    assert not (shipped_build / "packets" / "qingxi-study-month.pdf").exists()


def test_a_second_run_of_a_roster_rebuilds_nothing_and_one_edited_row_rebuilds_one(
    tmp_path: Path,
) -> None:
    tree = real_tree(tmp_path, rows=3)
    first = build_all(tree["out"], corpus_dir=tree["corpus"], packets_dir=tree["packets"],
                      jobs=1)
    assert first.count("built") == 3 + 3 and first.failures == ()
    again = build_all(tree["out"], corpus_dir=tree["corpus"], packets_dir=tree["packets"],
                      jobs=1)
    assert again.nothing_changed
    csv = tree["rosters"] / ROSTER.name
    place = "财政局五楼党员活动室"
    csv.write_text(csv.read_text(encoding="utf-8").replace(
        f"2026-12-02,{place}", f"2026-12-03,{place}"), encoding="utf-8")
    edited = build_all(tree["out"], corpus_dir=tree["corpus"], packets_dir=tree["packets"],
                       jobs=1)
    assert [r.key for r in edited.results if r.status == "built"] == [
        "packets/qingxi-study-month/xiancaizhengjujiguandangzhibu.pdf"]
    edited_pdf = tree["out"] / "packets/qingxi-study-month/xiancaizhengjujiguandangzhibu.pdf"
    cover = PdfReader(edited_pdf).pages[0].extract_text()
    assert "2026年12月3日" in cover
    # A branch struck off the roster loses its file; the roster gone, its folder goes.
    csv.write_text("\n".join(csv.read_text(encoding="utf-8").splitlines()[:-1]) + "\n",
                   encoding="utf-8")
    fewer = build_all(tree["out"], corpus_dir=tree["corpus"], packets_dir=tree["packets"],
                      jobs=1)
    assert [r.key for r in fewer.results if r.status == "removed"] == [
        "packets/qingxi-study-month/xiancaizhengjujiguandangzhibu.pdf"]
    assert not edited_pdf.exists()
    (tree["packets"] / SPEC.name).unlink()
    build_all(tree["out"], corpus_dir=tree["corpus"], packets_dir=tree["packets"], jobs=1)
    assert not (tree["out"] / "packets/qingxi-study-month").exists()


def test_a_roster_with_bad_rows_names_them_builds_the_rest_and_exits_non_zero(
    tmp_path: Path,
) -> None:
    header, *rows = roster_lines(3)
    lines = [header, rows[0], rows[1].replace("2026-12-01", "2026-11-31"),
             "," + rows[2].split(",", 1)[1]]
    tree = real_tree(tmp_path, roster=lines)
    result = CliRunner().invoke(cli, [
        "build-all", "--out", str(tree["out"]), "--corpus", str(tree["corpus"]),
        "--packets", str(tree["packets"]), "--jobs", "1"])
    assert result.exit_code != 0
    assert "qingxi-study-month.csv: row 3, column date: impossible date '2026-11-31'" in (
        result.output)
    assert "qingxi-study-month.csv: row 4, column branch: missing branch name" in result.output
    built = sorted(p.name for p in (tree["out"] / "packets" / "qingxi-study-month").iterdir())
    assert built == ["xianweibangongshidangzhibu.pdf"]
    assert PdfReader(tree["out"] / "packets/qingxi-study-month" / built[0]).pages[0]


def test_packet_prints_one_branch_of_a_roster_spec(tmp_path: Path, monkeypatch) -> None:
    tree = real_tree(tmp_path)
    spec = str(tree["packets"] / SPEC.name)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["packet", spec, "--branch", "白沙镇河口村党支部",
                                      "--html", "--corpus", str(tree["corpus"])])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "build/packets/qingxi-study-month/baishazhenhekoucundangzhibu.html"
            ).read_text(encoding="utf-8")
    assert "白沙镇河口村党支部本月开展" in html and "沈桂芳" in html
    missing = CliRunner().invoke(cli, ["packet", spec, "--corpus", str(tree["corpus"])])
    assert missing.exit_code != 0 and "give --branch" in missing.output


def test_a_roster_that_cannot_be_read_fails_the_spec_as_one_output(tmp_path: Path) -> None:
    (tmp_path / "packets").mkdir()
    spec_path = tmp_path / "packets" / "month.toml"
    spec_path.write_text('title = "主题党日"\nthemes = ["x"]\nroster = "rosters/none.csv"\n',
                         encoding="utf-8")
    spec = packets.load_spec(spec_path)
    [only] = roster.expand(spec, Handout(title=spec.title, outlines=()))
    assert only.key == "packets/month.pdf" and only.handout is None
    assert only.error is not None and only.error.endswith("none.csv: no such roster")


def test_the_packet_command_reads_a_roster_as_build_all_does(tmp_path: Path) -> None:
    """A row that leaves a cell the foreword needs to the spec (its place) is built by
    build-all; ``handouts packet --branch`` and the workbench read it the same way
    (``roster.spec_roster``), so they print it too rather than refusing the row."""
    from handouts.cli import cli

    (tmp_path / "packets").mkdir()
    (tmp_path / "rosters").mkdir()
    spec = tmp_path / "packets" / "month.toml"
    spec.write_text('title = "主题党日"\nroster = "rosters/month.csv"\nplace = "县委党校"\n'
                    'foreword = "{branch}在{place}学习。"\nthemes = ["four-winds"]\n',
                    encoding="utf-8")
    (tmp_path / "rosters" / "month.csv").write_text(
        "branch,place\n城关镇第一党支部,\n石桥乡党支部,乡政府会议室\n", encoding="utf-8")
    found = roster.spec_roster(packets.load_spec(spec))
    assert [r.branch for r in found.rows] == ["城关镇第一党支部", "石桥乡党支部"]
    assert found.problems == ()
    out = tmp_path / "out.pdf"
    result = CliRunner().invoke(cli, ["packet", str(spec), "--branch", "城关镇第一党支部",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    cover = PdfReader(out).pages[0].extract_text()
    assert "城关镇第一党支部在县委党校学习" in "".join(cover.split())
