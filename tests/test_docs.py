"""The README is part of the product: it must name the two commands first and every command."""

from __future__ import annotations

import re

from handouts import paths
from handouts.cli import cli

README = (paths.HOME / "README.md").read_text(encoding="utf-8")


def test_readme_names_make_handouts_and_make_test_before_anything_else() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["make handouts", "make test"]
    assert README.index("make handouts") < README.index("handouts corpus")


def test_readme_documents_every_cli_command() -> None:
    for name in cli.commands:
        assert f"handouts {name}" in README, name


def test_ci_runs_only_what_the_readme_names() -> None:
    script = (paths.HOME / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line.strip()
        for line in script.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
        and not line.startswith(("set ", "cd "))
    ]
    assert commands == ["make test"]
