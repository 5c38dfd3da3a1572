"""Shared fixtures: small MIDI files and chorales built in the test, never large fixtures. Every generated
chorale is built by :func:`make_chorale`."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.chorales import VOICES, Chorale, assign_melody_groups
from helpers.midi import Voice


def make_voice(name: str, pitches, durations, start: float = 0.0, program: int = 52) -> Voice:
    """A voice of consecutive notes: ``pitches`` (MIDI) with ``durations`` in beats, from ``start``."""
    d = np.asarray(durations, dtype=float)
    starts = start + np.concatenate([[0.0], np.cumsum(d)[:-1]])
    return Voice(name, np.asarray(pitches), starts, starts + d, program)


def make_chorale(name: str = "test", soprano=(72, 74, 76, 77, 79, 77, 76, 74, 72), shift: int = 0,
                 tonic: int = 0, mode: str = "major", group: int = -1, below=(4, 12, 15), changes=None) -> Chorale:
    """A small four-part 'chorale' built under a soprano: ``soprano`` is MIDI pitches in quarter notes or a
    :class:`Voice`; alto, tenor and bass lie ``below`` semitones under it (each a number or one per note; by
    default a third, an octave and a tenth), with single notes replaced by ``changes``
    (``{"Alto": [(note index, pitch), ...]}``); then everything, key included, moves ``shift`` semitones.
    ``group`` is the melody group and tune (-1: not grouped yet, as :func:`assign_melody_groups` expects)."""
    sop = soprano if isinstance(soprano, Voice) else make_voice("Soprano", soprano, np.ones(len(soprano)))
    parts = {"Soprano": sop.pitches.astype(int)}
    parts |= {v: sop.pitches.astype(int) - np.asarray(gap) for v, gap in zip(VOICES[1:], below, strict=True)}
    for v, notes in (changes or {}).items():
        for i, pitch in notes:
            parts[v][i] = pitch
    voices = {v: Voice(v, p + shift, sop.starts, sop.ends, sop.program) for v, p in parts.items()}
    return Chorale(name, voices, (tonic + shift) % 12, mode, group=group, tune=group)


@pytest.fixture(scope="session")
def chorales() -> list[Chorale]:
    """Six tiny chorales on three tunes (two harmonisations each, one of them transposed)."""
    tunes = [(72, 74, 76, 77, 79, 77, 76, 74, 72, 71, 72, 74, 72, 76),
             (67, 67, 69, 71, 72, 71, 69, 67, 66, 67, 64, 62, 64, 67),
             (76, 74, 72, 71, 69, 71, 72, 74, 76, 77, 76, 74, 72, 71)]
    made = []
    for i, tune in enumerate(tunes):
        made.append(make_chorale(f"t{i}a", tune))
        made.append(make_chorale(f"t{i}b", tune, shift=2))
    return assign_melody_groups(made)


@pytest.fixture(scope="session")
def corpus_chorales(tmp_path_factory):
    """Every chorale of the music21 corpus, loaded with the course's data folder in a temporary folder
    (``COURSE_DATA_DIR``): the cache in ``data/`` is copied there when there is one, else the corpus is parsed
    there, so no test writes into the repository's ``data/``."""
    import shutil

    from helpers import chorales as C

    folder = tmp_path_factory.mktemp("corpus-data")
    real = C.cache_path()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COURSE_DATA_DIR", str(folder))
        if real.is_file():
            shutil.copyfile(real, C.cache_path())
        return C.load_chorales()


__all__ = ["make_voice", "make_chorale", "VOICES"]


# ------------------------------------------------ tiny models for the melody and command tests (notebook 11)

@pytest.fixture(scope="session")
def tiny_key_model():
    """notebook 08's key classifier, trained in seconds on generated scale melodies (tests/melodies.py)."""
    from tests.melodies import tiny_key_classifier

    return tiny_key_classifier()


@pytest.fixture(scope="session")
def tiny_models() -> dict:
    """A tiny alto and a tiny alto-tenor-bass harmonizer, decoded with the voice order as a hard rule."""
    from tests.melodies import tiny_harmonizers

    return tiny_harmonizers()


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory, tiny_models, tiny_key_model):
    """A data folder whose models/ holds the tiny harmonizers and key classifier, as data/models would."""
    from tests.melodies import save_models

    return save_models(tmp_path_factory.mktemp("data"), tiny_models, tiny_key_model)
