"""The scheduled CI job: valid for GitHub, and doing what the README and issue 6 say.

Validity is checked against the GitHub workflow schema vendored by check-jsonschema
(works offline); the rest reads the YAML and pins the behaviour: triggers, the README's
commands, the build cache, the PDF check and the artifact.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from handouts import paths

WORKFLOW = paths.HOME / ".github" / "workflows" / "handouts.yml"
# The virtualenv's copy first: tests may run without .venv/bin on PATH.
CHECKER = str(Path(sys.executable).with_name("check-jsonschema"))
if not Path(CHECKER).exists():
    CHECKER = shutil.which("check-jsonschema") or CHECKER


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CHECKER, "--builtin-schema", "vendor.github-workflows", str(path)],
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    return YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))


JOBS = ("plan", "test", "handouts", "merge")


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    """Every job's steps, in the order the jobs run: the shard matrix (``handouts``)
    after the tests, the merge after the shards."""
    return [step for job in JOBS for step in workflow["jobs"][job]["steps"]]


def test_the_workflow_validates_against_the_github_schema() -> None:
    result = validate(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("runs-on:", "runs_on:"),
                      encoding="utf-8")
    assert validate(broken).returncode != 0


def test_it_runs_weekly_on_input_changes_and_on_demand(workflow) -> None:
    # YAML 1.1 readers turn the key "on" into True; ruamel's safe loader keeps "on".
    triggers = workflow.get("on", workflow.get(True))
    cron = triggers["schedule"][0]["cron"].split()
    assert len(cron) == 5 and cron[2] == "*" and cron[3] == "*" and cron[4] != "*"
    assert {"corpus/**", "templates/**", "styles/**", "packets/**", "rosters/**"} <= set(
        triggers["push"]["paths"])
    assert "workflow_dispatch" in triggers


def test_it_runs_the_readme_commands_in_order(workflow) -> None:
    runs = [s["run"].strip() for s in steps(workflow) if "run" in s]
    assert runs.index("make test") < runs.index("make handouts")
    readme = (paths.HOME / "README.md").read_text(encoding="utf-8")
    for command in ("make test", "make handouts"):
        assert command in readme
    makefile = (paths.HOME / "Makefile").read_text(encoding="utf-8")
    for target in ("test", "handouts"):
        assert re.search(rf"^{target}:", makefile, re.M)


def test_the_build_cache_is_restored_before_the_build_and_keyed_by_inputs(workflow) -> None:
    names = [s.get("uses", s.get("run", "")) for s in steps(workflow)]
    cache = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/cache@"))
    assert names.index(cache["uses"]) < names.index("make handouts")
    assert cache["with"]["path"].strip() == "build"
    key = cache["with"]["key"]
    for folder in ("corpus", "packets", "templates", "styles", "handouts"):
        assert f"'{folder}/**'" in key
    assert cache["with"]["restore-keys"].strip() in key  # a prefix of the key


def test_the_pdfs_are_checked_after_the_build_and_build_is_uploaded(workflow) -> None:
    runs = [s.get("run", "").strip() for s in steps(workflow)]
    check = next(r for r in runs if "pdfcheck" in r)
    assert runs.index(check) > runs.index("make handouts")
    module = check.split("-m ", 1)[1].split()[0]
    assert importlib.util.find_spec(module) is not None, f"{module} is not importable"
    upload = next(s for s in steps(workflow)
                  if s.get("uses", "").startswith("actions/upload-artifact@"))
    uploaded = upload["with"]["path"].split()
    assert "build/" in uploaded and "!build/.cache/" in uploaded


# --- shards ------------------------------------------------------------------------------


def test_jobs_run_in_order_plan_test_shards_merge(workflow) -> None:
    jobs = workflow["jobs"]
    assert set(jobs) == set(JOBS)
    assert set(jobs["handouts"]["needs"]) == {"plan", "test"}
    assert set(jobs["merge"]["needs"]) >= {"handouts"}


def test_the_shards_are_a_matrix_of_n_from_the_workflow_input_default_four(workflow) -> None:
    triggers = workflow.get("on", workflow.get(True))
    shards = triggers["workflow_dispatch"]["inputs"]["shards"]
    assert shards["default"] == 4 and shards["type"] == "number"
    plan = workflow["jobs"]["plan"]
    assert "inputs.shards || 4" in plan["steps"][0]["env"]["SHARDS"]
    job = workflow["jobs"]["handouts"]
    assert job["strategy"]["matrix"]["shard"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    assert job["strategy"]["fail-fast"] is False
    assert job["env"]["SHARD"] == "${{ matrix.shard }}/${{ needs.plan.outputs.count }}"
    # make handouts hands SHARD to the build.
    makefile = (paths.HOME / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^handouts:.*\n\t(.*)$", makefile, re.M)
    assert recipe is not None and "--shard $(SHARD)" in recipe.group(1)


@pytest.mark.parametrize(("given", "count", "matrix"), [("4", "4", "[1,2,3,4]"),
                                                       ("1", "1", "[1]"),
                                                       ("0", None, None), ("x", None, None),
                                                       ("33", None, None)])
def test_the_plan_step_numbers_the_shards(workflow, tmp_path: Path, given: str,
                                          count: str | None, matrix: str | None) -> None:
    step = workflow["jobs"]["plan"]["steps"][0]
    output = tmp_path / "out"
    output.write_text("", encoding="utf-8")
    result = subprocess.run(["bash", "-e", "-c", step["run"]], capture_output=True, text=True,
                            env={"SHARDS": given, "GITHUB_OUTPUT": str(output),
                                 "PATH": "/usr/bin:/bin"}, timeout=30, check=False)
    if count is None:
        assert result.returncode != 0
        return
    assert result.returncode == 0, result.stderr
    written = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert written == {"count": count, "matrix": matrix}
    assert json.loads(matrix) == list(range(1, int(count) + 1))


def test_each_shard_restores_and_saves_its_own_cache(workflow) -> None:
    job = workflow["jobs"]["handouts"]
    cache = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/cache@"))
    for part in ("${{ matrix.shard }}", "${{ needs.plan.outputs.count }}", "'rosters/**'"):
        assert part in cache["with"]["key"], part
    assert cache["with"]["restore-keys"].strip().endswith(
        "shard-${{ matrix.shard }}-of-${{ needs.plan.outputs.count }}-")
    upload = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-"))
    assert upload["with"]["name"] == "handouts-shard-${{ matrix.shard }}"


def test_the_merge_job_joins_the_shards_checks_the_pdfs_and_uploads_one_artifact(
    workflow,
) -> None:
    from handouts.cli import cli

    job = workflow["jobs"]["merge"]
    names = [s.get("uses", s.get("run", "")).strip() for s in job["steps"]]
    download = next(s for s in job["steps"]
                    if s.get("uses", "").startswith("actions/download-artifact@"))
    shard_upload = workflow["jobs"]["handouts"]["steps"][-1]["with"]["name"]
    assert download["with"]["pattern"].rstrip("*") == shard_upload.split("${{")[0]
    assert download["with"]["merge-multiple"] is True and download["with"]["path"] == "build"
    merge = next(n for n in names if "merge-manifests" in n)
    assert merge.split()[1:] == ["merge-manifests", "build"] and "merge-manifests" in cli.commands
    check = next(n for n in names if "pdfcheck" in n)
    uploads = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    assert len(uploads) == 1
    assert (names.index(download["uses"]) < names.index(merge) < names.index(check)
            < names.index(uploads[0]["uses"]))
    assert "${{ github.run_number }}" in uploads[0]["with"]["name"]
