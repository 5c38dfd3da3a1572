"""The options of the course commands (:mod:`helpers.cli`): each ``--option``'s parser, whose refusal argparse
prints as one usage line (exit 2), and :func:`check_harmonize_options`, the ``harmonize`` options that cannot go
together, checked before any file is read or any model loaded (notebooks 10 and 11).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from .chorales import VOICES

#: ``--voices`` names and the voices they generate: the voice sets that have a harmonizer (notebook 09's alto,
#: notebook 10's alto, tenor and bass).
VOICE_SETS = {"alto": ("Alto",), "satb": ("Alto", "Tenor", "Bass"), "atb": ("Alto", "Tenor", "Bass")}

def parse_voices(text: str) -> tuple[str, ...]:
    """The voices to generate, for the voice sets that have a harmonizer: ``'alto'`` → ``('Alto',)``; ``'satb'``
    (or ``'atb'``, or the list ``'alto,tenor,bass'`` in any order) → ``('Alto', 'Tenor', 'Bass')``. Raises
    ValueError naming the sets that work for anything else (``'alto,tenor'``, ``'tenor'``: no harmonizer
    generates them).

    Notebook: 10_four_part_harmonization
    """
    text = text.strip().lower()
    if text in VOICE_SETS:
        return VOICE_SETS[text]
    names = tuple(n.strip().capitalize() for n in text.split(","))
    chosen = tuple(v for v in VOICES[1:] if v in names)
    if sorted(names) == sorted(chosen) and chosen in VOICE_SETS.values():
        return chosen
    raise ValueError(f"no harmonizer generates the voices {text!r}: use alto (the alto under the melody) or "
                     "satb (alto, tenor and bass)")


def voices_option(text: str) -> tuple[str, ...]:
    """``--voices``: :func:`parse_voices`, whose refusal is a usage error.

    Notebook: 10_four_part_harmonization
    """
    try:
        return parse_voices(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def key_option(text: str) -> tuple[int, str]:
    """``--key "G minor"`` → ``(7, 'minor')`` (:func:`helpers.theory.parse_key_name`); a bad name is a usage
    error (argparse's one line, exit 2).

    Notebook: 11_harmonize_your_melody
    """
    from .theory import parse_key_name

    try:
        return parse_key_name(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def output_option(text: str) -> Path:
    """``-o OUT``: a path whose suffix says the format (``.mid``/``.midi`` or ``.musicxml``/``.xml``); any other
    suffix is a usage error.

    Notebook: 11_harmonize_your_melody
    """
    from .harmonize.writing import output_format

    try:
        output_format(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return Path(text)


def _number(text: str, kind: type, what: str):
    """``kind(text)``, or a usage error saying the option must be ``what``."""
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {what}, not {text!r}") from None


def positive_int(text: str) -> int:
    """``--samples N``, ``--steps N``: a whole number, 1 or more; anything else is a usage error.

    Notebook: 11_harmonize_your_melody
    """
    value = _number(text, int, "a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def temperature_option(text: str) -> float:
    """``--temperature T``: a finite number, 0 or more (``inf`` and ``nan`` are usage errors).

    Notebook: 11_harmonize_your_melody
    """
    value = _number(text, float, "a number")
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more (a finite number), not {text}")
    return value


def bars_option(text: str) -> tuple[int, int]:
    """``--bars 5-8`` → ``(5, 8)`` (``--bars 5`` → ``(5, 5)``; bar 0 is a pickup bar); anything else, or a first
    bar after the last, is a usage error.

    Notebook: 11_harmonize_your_melody
    """
    parts = text.replace("–", "-").split("-")
    try:
        if len(parts) not in (1, 2):
            raise ValueError
        first, last = int(parts[0]), int(parts[-1])
    except ValueError:
        raise argparse.ArgumentTypeError(f"give bars as N-M (whole numbers, e.g. 5-8), not {text!r}") from None
    if first < 0 or first > last:
        raise argparse.ArgumentTypeError(f"bars {text}: the first bar must be 0 or more and not after the last")
    return first, last


def keep_option(text: str) -> tuple[str, ...]:
    """``--keep bass`` (or ``alto,tenor``, any case and order) → the kept voices in score order; any other name
    is a usage error.

    Notebook: 11_harmonize_your_melody
    """
    names = [n.strip().capitalize() for n in text.split(",") if n.strip()]
    wrong = [n for n in names if n not in VOICES[1:]]
    if not names or wrong:
        raise argparse.ArgumentTypeError(f"the voices to keep are alto, tenor or bass (comma-separated), not {text!r}")
    return tuple(v for v in VOICES[1:] if v in names)


def transpose_option(text: str) -> int:
    """``--transpose N``: whole semitones between -24 and 24; anything else is a usage error.

    Notebook: 11_harmonize_your_melody
    """
    value = _number(text, int, "a whole number of semitones")
    if abs(value) > 24:
        raise argparse.ArgumentTypeError(f"must lie between -24 and 24 semitones, not {value}")
    return value


def check_harmonize_options(args: argparse.Namespace) -> None:
    """The ``harmonize`` options that cannot go together, as usage errors (argparse's message, exit 2), before any
    file is read: a melody and ``--from`` (or neither), ``--bars`` without ``--from``, ``--from`` with nothing to
    do, ``--keep`` with the alto harmonizer or keeping every voice while writing bars, sampling at temperature 0.

    Notebook: 11_harmonize_your_melody
    """
    fail = args.usage_error
    if (args.melody is None) == (args.from_setting is None):
        fail("give one melody file, or --from SETTING to change an existing setting" if args.melody is None else
             "give a melody file or --from SETTING, not both")
    if args.bars and args.from_setting is None:
        fail("argument --bars: it re-harmonizes bars of an existing setting, so it needs --from SETTING")
    if args.from_setting is not None and not args.bars and args.transpose is None:
        fail("argument --from: give --bars N-M (the bars to write again) or --transpose N")
    if args.keep and args.voices == VOICE_SETS["alto"]:
        fail("argument --keep: the alto harmonizer writes the alto alone; keeping voices needs --voices satb")
    if args.keep and len(args.keep) == 3 and args.from_setting is None:
        fail("argument --keep: keeping alto, tenor and bass leaves no voice to write")
    if args.samples and args.temperature == 0:
        fail("argument --temperature: --samples N draws samples, so it must be above 0 (leave it out for 1)")
    if args.samples and args.from_setting is not None and not args.bars:
        fail("argument --samples: --from with --transpose alone writes no new notes to sample")
