"""``python -m helpers``: every command module registers, and --help lists them."""

from __future__ import annotations

import pytest

from helpers.__main__ import build_parser, main


def test_every_course_command_is_listed():
    text = build_parser().format_help()
    for command in ("data", "key", "train-key", "harmonize"):
        assert command in text


def test_an_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
