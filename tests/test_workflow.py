"""The scheduled CI job: valid for GitHub, and doing what the README and issue 6 say.

Validity is checked against the GitHub workflow schema vendored by check-jsonschema
(works offline); the rest reads the YAML and pins the behaviour: triggers, the README's
commands, the build cache, the PDF check and the artifact.
"""

from __future__ import annotations

import importlib.util
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


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return workflow["jobs"]["handouts"]["steps"]


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
    assert {"corpus/**", "templates/**", "styles/**", "packets/**"} <= set(
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
