"""Looking: render voices as a short score in SVG with verovio, via music21's MusicXML (notebooks 07–10).

:func:`voices_to_score` builds a ``music21`` score from :class:`~helpers.midi.Voice` objects (soprano and alto on a
treble staff, tenor and bass on a bass staff when there are four voices); :func:`score_svg` engraves it with
verovio; :func:`show_score` returns an ``IPython.display.SVG`` for a notebook.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .midi import Voice
from .readers import bar_beats
from .theory import spell, spell_line

CLEFS = {"Soprano": "treble", "Alto": "treble", "Tenor": "treble8vb", "Bass": "bass"}


def _quantise(x: np.ndarray, grid: int = 12) -> np.ndarray:
    """Round beats to 1/``grid`` of a beat so that every duration is notatable."""
    return np.round(np.asarray(x) * grid) / grid


def voices_to_score(voices: Sequence[Voice], time_signature: tuple[int, int] = (4, 4),
                    key: tuple[int, str] | None = None, anacrusis: float = 0.0, max_beats: float | None = None,
                    title: str | None = None):
    """A ``music21.stream.Score`` with one part per voice, cut after ``max_beats`` beats (whole bars kept).

    Notes are spelt in ``key`` ``(tonic, mode)`` by :func:`helpers.theory.spell`, each chromatic note by where its
    voice goes next (C♯ in D minor, not D♭); without a key, as in C major.

    Notebook: 07_midi_and_pianorolls
    """
    from music21 import clef, metadata, meter, note, pitch, stream
    from music21 import key as m21key

    tonic, mode = key if key is not None else (0, "major")

    bar = bar_beats(time_signature)
    lead = (bar - anacrusis) % bar  # a pickup is written after rests that fill the rest of its bar
    if max_beats is not None:
        max_beats = np.ceil((max_beats + lead) / bar) * bar - lead
    score = stream.Score()
    if title:
        score.metadata = metadata.Metadata(title=title)
    for v in voices:
        part = stream.Part()
        part.partName = v.name
        part.insert(0, meter.TimeSignature(f"{time_signature[0]}/{time_signature[1]}"))
        if key is not None:
            tonic_name = pitch.Pitch(spell(60 + tonic, tonic, mode).music21_name).name  # e.g. 'B-', 'F#'
            part.insert(0, m21key.Key(tonic_name if mode == "major" else tonic_name.lower(), mode))
        c = CLEFS.get(v.name)
        if c == "treble":
            part.insert(0, clef.TrebleClef())
        elif c == "treble8vb":
            part.insert(0, clef.Treble8vbClef())
        elif c == "bass":
            part.insert(0, clef.BassClef())
        starts, ends = _quantise(v.starts) + lead, _quantise(v.ends) + lead
        spelt = spell_line(v.pitches, tonic, mode)
        for sp, s, e in zip(spelt, starts, ends):
            if max_beats is not None and s >= max_beats + lead:
                break
            e = min(e, max_beats + lead) if max_beats is not None else e
            if e > s:
                n = note.Note(sp.music21_name)
                n.quarterLength = float(e - s)
                part.insert(float(s), n)
        part.makeRests(fillGaps=True, inPlace=True, timeRangeFromBarDuration=True)
        part.makeAccidentals(inPlace=True)
        score.insert(0, part)
    return score


def score_svg(score, width: int = 2100, scale: int = 35) -> str:
    """Engrave a music21 score with verovio; returns the SVG of its first page as text. A score with a title (in
    its metadata, as :func:`voices_to_score` sets it) is drawn with that title above it; one without gets no
    header (not music21's placeholder "Music21 Fragment").

    Notebook: 07_midi_and_pianorolls
    """
    import verovio
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    titled = score.metadata is not None and bool(score.metadata.title)
    xml = GeneralObjectExporter(score).parse().decode("utf-8")
    tk = verovio.toolkit()
    tk.setOptions({"pageWidth": width, "scale": scale, "adjustPageHeight": True, "footer": "none",
                   "header": "auto" if titled else "none", "breaks": "auto"})
    if not tk.loadData(xml):
        raise ValueError("verovio could not read the MusicXML produced by music21")
    return tk.renderToSVG(1)


def show_score(music, max_beats: float | None = 16, title: str | None = None, **kwargs):
    """``IPython.display.SVG`` of a Chorale or a list of Voices (first ``max_beats`` beats, whole bars).

    Notebook: 07_midi_and_pianorolls
    """
    from IPython.display import SVG

    if hasattr(music, "voices") and hasattr(music, "time_signature"):  # a Chorale
        from .chorales import VOICES

        voices = [music.voices[v] for v in VOICES if v in music.voices]
        kwargs.setdefault("time_signature", music.time_signature)
        kwargs.setdefault("key", (music.tonic, music.mode))
        kwargs.setdefault("anacrusis", music.anacrusis)
        title = title or music.name
    else:
        voices = [music] if isinstance(music, Voice) else list(music)
    return SVG(score_svg(voices_to_score(voices, max_beats=max_beats, title=title, **kwargs)))
