"""Sharded builds: K/N shares that add up to the single-machine build, byte for byte.

The assignment is tested on a synthetic plan the size of a county's study month (a
dozen theme exports and a 500-row roster); the builds on a small real tree (three
seed documents, three themes, one packet, a six-row roster) built once plain and once
as three shards into one directory.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from roster_trees import real_tree

from handouts.build import manifest, shards
from handouts.build.build import build_all
from handouts.build.shards import Shard
from handouts.cli import cli
from handouts.errors import HandoutsError


def county_plan(seed: int = 1) -> dict[str, float]:
    rnd = random.Random(seed)
    weights = {f"themes/t{i:02d}.pdf": rnd.uniform(8, 20) for i in range(12)}
    weights.update({f"packets/month/b{i:03d}.pdf": 3.5 for i in range(500)})
    return weights


def loads(weights: dict[str, float], placed: dict[str, int], count: int) -> list[float]:
    return [sum(w for k, w in weights.items() if placed[k] == s) for s in range(1, count + 1)]


def test_shard_k_of_n_is_parsed_and_checked() -> None:
    shard = Shard.parse(" 2/4 ")
    assert (shard.index, shard.count, str(shard)) == (2, 4, "2/4")
    assert shard.manifest_name == "manifest.shard-2.json"
    for bad in ("0/3", "4/3", "2", "a/b", "1/0"):
        with pytest.raises(HandoutsError, match="--shard"):
            Shard.parse(bad)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 8])
def test_every_output_goes_to_exactly_one_shard_the_same_way_every_time(count: int) -> None:
    weights = county_plan()
    placed = shards.assign(weights, count)
    assert placed.keys() == weights.keys()
    assert set(placed.values()) <= set(range(1, count + 1))
    shuffled = dict(sorted(weights.items(), key=lambda kv: random.Random(7).random()))
    assert shards.assign(shuffled, count) == placed


@pytest.mark.parametrize("count", [2, 3, 4, 8])
def test_shares_are_balanced_by_expected_pages(count: int) -> None:
    weights = county_plan()
    share = loads(weights, shards.assign(weights, count), count)
    mean = sum(weights.values()) / count
    assert max(share) <= (1 + shards.SLACK) * mean + max(weights.values())
    assert max(share) <= 1.15 * mean, [round(x) for x in share]


@pytest.mark.parametrize("count", [2, 3, 4, 8])
def test_adding_or_removing_an_output_leaves_the_others_where_they_were(count: int) -> None:
    weights = county_plan()
    before = shards.assign(weights, count)
    for key, weight in (("themes/new.pdf", 15.0), ("packets/month/b250a.pdf", 3.5)):
        after = shards.assign({**weights, key: weight}, count)
        moved = [k for k in weights if after[k] != before[k]]
        assert len(moved) <= len(weights) // 100, (key, moved)
    fewer = {k: w for k, w in weights.items() if k != "packets/month/b100.pdf"}
    after = shards.assign(fewer, count)
    assert sum(after[k] != before[k] for k in fewer) <= len(weights) // 100


# --- acceptance: three shards into one directory equal a plain build ---------------------


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("shards")
    tree = real_tree(root, rows=6, grassroots_packet=True)
    plain = root / "plain"
    sharded = root / "sharded"
    report = build_all(plain, corpus_dir=tree["corpus"], packets_dir=tree["packets"], jobs=2)
    assert report.failures == ()
    for k in (1, 2, 3):
        part = build_all(sharded, corpus_dir=tree["corpus"], packets_dir=tree["packets"],
                         jobs=2, shard=Shard(k, 3))
        assert part.failures == ()
    result = CliRunner().invoke(cli, ["merge-manifests", str(sharded)])
    assert result.exit_code == 0, result.output
    return {**tree, "plain": plain, "sharded": sharded}


def outputs(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes()
            for p in sorted(directory.rglob("*"))
            if p.is_file() and not p.name.startswith(".") and ".cache" not in p.parts
            and not p.name.startswith("manifest.shard-")}


def test_three_shards_merged_equal_a_plain_build_file_for_file_and_byte_for_byte(
    builds,
) -> None:
    plain, sharded = outputs(builds["plain"]), outputs(builds["sharded"])
    assert len([k for k in plain if k.endswith(".pdf")]) == 3 + 1 + 6
    assert sorted(sharded) == sorted(plain)
    for name in plain:
        assert sharded[name] == plain[name], name
    entries = json.loads(plain["manifest.json"])["outputs"]
    assert json.loads(sharded["manifest.json"])["outputs"] == entries


def test_each_shard_built_only_its_share_and_the_shares_cover_the_plan(builds) -> None:
    assigned = []
    for k in (1, 2, 3):
        data = json.loads((builds["sharded"] / f"manifest.shard-{k}.json").read_text("utf-8"))
        assert data["shard"] == f"{k}/3"
        assert sorted(data["outputs"]) == data["assigned"]
        assigned.extend(data["assigned"])
    plan = json.loads((builds["plain"] / "manifest.json").read_text("utf-8"))["outputs"]
    assert sorted(assigned) == sorted(plan)
    assert all(json.loads((builds["sharded"] / f"manifest.shard-{k}.json").read_text("utf-8"))
               ["assigned"] for k in (1, 2, 3)), "ten outputs leave no shard idle"


def test_a_shard_run_again_with_nothing_changed_builds_nothing(builds) -> None:
    again = build_all(builds["sharded"], corpus_dir=builds["corpus"],
                      packets_dir=builds["packets"], jobs=1, shard=Shard(2, 3))
    assert again.nothing_changed and again.failures == ()


def _manifests(builds: dict[str, Path], tmp_path: Path) -> Path:
    copy = tmp_path / "build"
    copy.mkdir()
    for path in builds["sharded"].glob("manifest.shard-*.json"):
        shutil.copy(path, copy / path.name)
    return copy


def test_merging_fails_on_a_missing_shard(builds, tmp_path: Path) -> None:
    directory = _manifests(builds, tmp_path)
    (directory / "manifest.shard-2.json").unlink()
    result = CliRunner().invoke(cli, ["merge-manifests", str(directory)])
    assert result.exit_code != 0
    assert "gap: no manifest for shard 2/3" in result.output
    assert not (directory / "manifest.json").exists()


def test_merging_fails_on_an_output_recorded_by_two_shards(builds, tmp_path: Path) -> None:
    directory = _manifests(builds, tmp_path)
    one = json.loads((directory / "manifest.shard-1.json").read_text("utf-8"))
    two = json.loads((directory / "manifest.shard-2.json").read_text("utf-8"))
    stolen = two["assigned"][0]
    one["assigned"] = sorted([*one["assigned"], stolen])
    one["outputs"][stolen] = two["outputs"][stolen]
    (directory / "manifest.shard-1.json").write_text(json.dumps(one), "utf-8")
    with pytest.raises(manifest.MergeError, match=f"overlap: {stolen} is assigned to"):
        manifest.merge(directory)


def test_merging_fails_on_an_output_a_shard_never_finished(builds, tmp_path: Path) -> None:
    directory = _manifests(builds, tmp_path)
    three = json.loads((directory / "manifest.shard-3.json").read_text("utf-8"))
    lost = three["assigned"][-1]
    del three["outputs"][lost]
    (directory / "manifest.shard-3.json").write_text(json.dumps(three), "utf-8")
    with pytest.raises(manifest.MergeError, match=f"gap: {lost} was assigned but neither"):
        manifest.merge(directory)


def test_merging_fails_on_shards_of_different_inputs(builds, tmp_path: Path) -> None:
    directory = _manifests(builds, tmp_path)
    two = json.loads((directory / "manifest.shard-2.json").read_text("utf-8"))
    two["plan"]["digest"] = "0" * 64
    (directory / "manifest.shard-2.json").write_text(json.dumps(two), "utf-8")
    with pytest.raises(manifest.MergeError, match="built from different inputs"):
        manifest.merge(directory)


# --- what a shard leaves on disk -------------------------------------------------------


def one_page(handout) -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": handout.title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def nine_themes(corpus_dir: Path, packets_dir: Path, cache: Path):
    from handouts.build.build import Planned
    from handouts.model import Handout

    return [Planned(f"themes/t{i}.pdf", "theme", f"t{i}", Handout(title=f"主题{i}", outlines=()))
            for i in range(9)], []


def test_a_shard_deletes_an_output_another_shard_builds_unless_that_shard_recorded_it(
    tmp_path: Path,
) -> None:
    from handouts.build.build import handout_json

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("甲", encoding="utf-8")
    out = tmp_path / "build"
    (out / "themes").mkdir(parents=True)
    planned, _ = nine_themes(corpus, tmp_path, tmp_path)
    placed = shards.assign({p.key: shards.weight(p) for p in planned}, 3)
    foreign = sorted(k for k, s in placed.items() if s == 2)
    for key in foreign:  # left by an earlier assignment in shard 1's restored cache
        (out / key).write_bytes(b"%PDF-stale")

    def build() -> None:
        report = build_all(out, corpus_dir=corpus, packets_dir=tmp_path / "packets", jobs=1,
                           shard=Shard(1, 3), render=one_page, compute=nine_themes,
                           describe=handout_json, force=True)
        assert report.failures == ()

    build()
    assert not any((out / key).exists() for key in foreign)
    mine = sorted(k for k, s in placed.items() if s == 1)
    assert all((out / key).exists() for key in mine)
    # Shards built one after another into one directory keep each other's outputs.
    (out / foreign[0]).write_bytes(b"%PDF-shard-2")
    (out / "manifest.shard-2.json").write_text(json.dumps(
        {"format": 1, "shard": "2/3", "outputs": {foreign[0]: {}}}), encoding="utf-8")
    build()
    assert (out / foreign[0]).read_bytes() == b"%PDF-shard-2"
