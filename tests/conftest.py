"""Shared fixtures: small MIDI files and chorales built in the test, never large fixtures."""

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
                 tonic: int = 0, mode: str = "major") -> Chorale:
    """A tiny four-part 'chorale' in quarter notes: alto a third, tenor an octave, bass a tenth below."""
    s = np.asarray(soprano) + shift
    d = np.ones(len(s))
    voices = {"Soprano": make_voice("Soprano", s, d), "Alto": make_voice("Alto", s - 4, d),
              "Tenor": make_voice("Tenor", s - 12, d), "Bass": make_voice("Bass", s - 15, d)}
    return Chorale(name, voices, (tonic + shift) % 12, mode, (4, 4), 90.0, 0.0, -1, "")


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
