"""The README is part of the product: every command and setting documented, CI runs its commands."""

from __future__ import annotations

import re

from feeds.cli import cli
from feeds.config import _KEYS
from feeds.deploy.settings import _KEYS as _DEPLOY_KEYS
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    """The shell commands in the README's 'Two commands' section, in order."""
    section = README.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_every_command_is_documented() -> None:
    for name in cli.commands:
        assert f"`feeds {name}" in README, name
        assert cli.commands[name].help, name


def test_every_setting_is_documented() -> None:
    for table, keys in _KEYS.items():
        for key in keys:
            assert f"`{table}.{key}`" in README, f"{table}.{key}"
    for key in _DEPLOY_KEYS:
        assert f"`deploy.{key}`" in README, f"deploy.{key}"
    assert "`sections.<slug>`" in README


def test_the_two_commands_are_the_ones_ci_runs() -> None:
    install_and_publish, install_and_test = _commands()
    assert install_and_publish.endswith("feeds publish")
    ci = (REPO / ".ci/run").read_text(encoding="utf-8")
    assert install_and_test in ci.splitlines()
    assert install_and_test.endswith("pytest")
