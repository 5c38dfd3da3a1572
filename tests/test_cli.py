"""``python -m helpers``: every command module registers, and --help lists them."""

from __future__ import annotations

import pytest

from helpers.cli import build_parser, main


def test_the_commands_are_exactly_the_course_commands():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == {"data", "key", "train-key", "harmonize"}


def test_an_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
