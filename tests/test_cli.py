"""The CLI contract of issue 2: JSON keys other tools rely on, and one-line errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from handouts import paths
from handouts.cli import cli

SEED_BOILERPLATE = (
    "原创力文档",
    "book118",
    "VIP",
    "文档评论",
    "查看更多",
    "新闻中心 >",
    "相关阅读",
    "换一换",
    "Copyright",
    "版权所有",
    "版权声明",
    "网站地图",
    "责编",
    "文章关键词",
    "您的位置",
    "那一世范文网",
    "本站热搜",
    "上一篇",
    "下一篇",
    "推荐视频",
    "发布时间",
)


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_corpus_json_has_the_documented_keys_and_no_site_boilerplate(runner: CliRunner) -> None:
    code, out, _ = invoke(runner, "corpus", "--json")
    assert code == 0
    documents = json.loads(out)["documents"]
    assert len(documents) == 5
    for doc in documents:
        assert {"id", "path", "title", "date", "source", "sections"} <= doc.keys()
        assert doc["sections"], doc["id"]
        for section in doc["sections"]:
            assert {"id", "title", "level", "text"} <= section.keys()
            assert section["level"] >= 1
            for phrase in SEED_BOILERPLATE:
                assert phrase not in section["text"], (section["id"], phrase)


def test_section_ids_are_stable_across_runs(runner: CliRunner) -> None:
    first = json.loads(invoke(runner, "corpus", "--json")[1])
    second = json.loads(invoke(runner, "corpus", "--json")[1])
    ids = [s["id"] for d in first["documents"] for s in d["sections"]]
    assert ids == [s["id"] for d in second["documents"] for s in d["sections"]]
    assert len(ids) == len(set(ids))


def test_themes_json_lists_every_theme_with_a_section_count(runner: CliRunner) -> None:
    code, out, _ = invoke(runner, "themes", "--json")
    assert code == 0
    themes = json.loads(out)["themes"]
    ids = {t["id"] for t in themes}
    assert {
        "mass-line",
        "party-history",
        "four-winds",
        "grassroots",
        "listening",
        "serving",
        "last-mile",
        "cadre-conduct",
        "study-practice",
    } <= ids
    for theme in themes:
        assert {"id", "name", "description", "sections"} <= theme.keys()
        assert theme["sections"] > 0, theme["id"]


def test_outline_json_for_four_winds_has_the_documented_keys(runner: CliRunner) -> None:
    code, out, _ = invoke(runner, "outline", "--theme", "four-winds", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["theme"] == {"id": "four-winds", "name": "反对“四风”"}
    assert data["sections"]
    for s in data["sections"]:
        assert {
            "id",
            "title",
            "doc_id",
            "doc_title",
            "score",
            "keywords",
            "key_points",
            "questions",
            "text",
        } <= s.keys()
        assert s["key_points"] and s["questions"]
        for point in s["key_points"]:
            assert point in s["text"].replace("\n", "")
    assert data["questions"]
    assert any("四风" in s["text"] for s in data["sections"])


def test_unknown_theme_is_a_one_line_error(runner: CliRunner) -> None:
    code, _, err = invoke(runner, "outline", "--theme", "no-such-theme")
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert "no-such-theme" in err and "themes.toml" in err


def test_missing_corpus_directory_is_a_one_line_error(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    code, _, err = invoke(runner, "corpus", "--corpus", str(missing))
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert str(missing) in err


def test_empty_file_is_named_and_the_other_documents_still_load(
    runner: CliRunner, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(paths.CORPUS / "003_9d11f11799cd5b51.txt", corpus)
    (corpus / "empty.txt").write_bytes(b"")
    code, out, err = invoke(runner, "corpus", "--corpus", str(corpus), "--json")
    assert code == 0
    assert "empty.txt" in err
    assert [d["id"] for d in json.loads(out)["documents"]] == ["003_9d11f11799cd5b51"]
    code, _, err = invoke(runner, "corpus", "--corpus", str(corpus), "--strict")
    assert code == 1
    assert "empty.txt" in err and len(err.strip().splitlines()) == 1


def test_unwritable_output_fails_without_leaving_a_file(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "out.pdf"
    code, _, err = invoke(runner, "build", "--theme", "four-winds", "-o", str(target))
    assert code == 1
    assert str(target) in err and len(err.strip().splitlines()) == 1
    assert not target.parent.exists()

    a_file = tmp_path / "a-file"
    a_file.write_text("not a directory")
    code, _, err = invoke(runner, "build", "--theme", "four-winds", "-o", str(a_file / "x.pdf"))
    assert code == 1
    assert "x.pdf" in err and "not a directory" in err
    assert a_file.read_text() == "not a directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_every_command_documents_itself_with_an_example(runner: CliRunner) -> None:
    for name, command in cli.commands.items():
        assert command.help and "Example:" in command.help, name


def test_the_cli_offers_exactly_the_pdf_variants_the_renderer_knows() -> None:
    from handouts.cli import VARIANTS
    from handouts.writers.pdf import render

    assert set(VARIANTS) == {v for v in render.VARIANTS if v}
