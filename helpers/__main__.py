"""Command line of the course: ``python -m helpers COMMAND ...``.

Each command lives in the module that holds its code; the module exposes ``register_cli(subparsers)``, which
adds a sub-parser whose ``func`` default runs the command and returns the exit status.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# Keep TensorFlow's start-up notices off stderr, where the commands report bad files. The oneDNN notice ignores
# TF_CPP_MIN_LOG_LEVEL; turning oneDNN off changes only the order of floating-point operations.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

#: Modules that contribute commands, in the order ``--help`` lists them.
COMMAND_MODULES = ("helpers.chorales", "helpers.keyfinding", "helpers.harmonize")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m helpers", description="Deep learning for music: course commands.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
