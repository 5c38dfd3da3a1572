"""Scores: voices as music21 scores, engraved in SVG with verovio (notebooks 07–11) or written as MusicXML.

:func:`voices_to_score` builds a ``music21`` score from :class:`~helpers.midi.Voice` objects, every note as
written and spelt in the key, with grace notes and Roman numerals (:func:`chord_numeral`) if asked: the one score
builder, for the notebooks' figures and the MusicXML ``harmonize`` writes. :func:`score_svg` engraves a score
with verovio; :func:`show_score` returns an ``IPython.display.SVG`` for a notebook.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from .midi import Voice
from .readers import bar_beats
from .theory import spell, spell_line

CLEFS = {"Soprano": "treble", "Alto": "treble", "Tenor": "treble8vb", "Bass": "bass"}


def _notatable(beats: float) -> Fraction:
    """A time in beats as a fraction music21 can notate: exact for values like 1/3 or 1/32 (within 1e-6), else
    rounded to 1/48 of a beat (a played MIDI file)."""
    f = Fraction(float(beats)).limit_denominator(240)
    return f if abs(float(f) - beats) < 1e-6 else Fraction(round(beats * 48), 48)


def _sounding_index(v: Voice, t: float) -> int | None:
    i = int(np.searchsorted(v.starts, t + 1e-9, side="right")) - 1
    return i if i >= 0 and v.ends[i] > t + 1e-9 else None


def chord_numeral(names: Sequence[str], key, mark_foreign: bool = True) -> str:
    """The Roman numeral of the chord of these pitches in a music21 ``Key``: music21's
    ``roman.romanNumeralFromChord`` figure (``'V6'``, ``'ii65'``; a chromatic chord as a secondary dominant such as
    ``'V7/V'`` when music21 finds one). ``names`` are music21 pitch names, highest voice
    first. When the notes make no triad or seventh chord, one upper voice at a time is left out (the highest
    first: a passing note of the melody is not part of the harmony) and the first triad or seventh chord found is
    named. A note left out of a lower voice is a dissonance the melody does not explain, so with ``mark_foreign``
    it is named after the numeral in brackets (``'I6 (A)'``: I6 with a foreign A) instead of hidden; the melody's
    own passing notes are in the score for all to see. When no triad is found, the numeral of the key's own triad
    on music21's root (an open fifth on G in G major is ``'I'``, not music21's ``'i5'``).

    Notebook: 11_harmonize_your_melody
    """
    from music21 import chord, roman

    names = list(names)
    tries = [names] + [names[:i] + names[i + 1:] for i in range(len(names) - 1)] if len(names) > 2 else [names]
    for left_out, notes in enumerate(tries):
        c = chord.Chord(notes)
        if c.isTriad() or c.isSeventh():
            figure = roman.romanNumeralFromChord(c, key).figure
            if any(sign in figure for sign in "#b-"):  # chromatic: a secondary dominant names it better (V7/V)
                secondary = roman.romanNumeralFromChord(c, key, preferSecondaryDominants=True).figure
                figure = secondary if "/" in secondary else figure
            if mark_foreign and left_out > 1:  # tries[k] leaves out voice k - 1; voice 0 is the melody
                foreign = chord.Chord([names[left_out - 1]]).pitches[0].name.replace("-", "♭").replace("#", "♯")
                figure = f"{figure} ({foreign})"
            return figure
    degree = key.getScaleDegreeFromPitch(chord.Chord(names).root())
    if degree is None:  # a chromatic root: music21's own name
        return roman.romanNumeralFromChord(chord.Chord(names), key).figure
    return roman.RomanNumeral(degree, key).romanNumeral


def voices_to_score(voices: Sequence[Voice], time_signature: tuple[int, int] = (4, 4),
                    key: tuple[int, str] | None = None, anacrusis: float = 0.0, graces: Voice | None = None,
                    numerals: bool = False, *, max_beats: float | None = None, title: str | None = None):
    """A ``music21.stream.Score`` with one part per voice (the one score builder of the course: notebooks, the
    MusicXML that ``harmonize`` writes), cut after ``max_beats`` beats (whole bars kept). Every note is written as
    it is (:func:`_notatable`: exact for 1/3 or 1/32 of a beat, a played MIDI file rounded to 1/48); a pickup of
    ``anacrusis`` beats stands after rests that fill its bar.

    Notes are spelt in ``key`` ``(tonic, mode)`` by :func:`helpers.theory.spell_line`, each chromatic note by where
    its voice goes next (C♯ in D minor, not D♭); without a key, as in C major and with no key signature.
    ``graces`` (zero-length notes) are written as grace notes in the first part. With ``numerals``, each note of
    the lowest voice that starts on a beat carries the Roman numeral (:func:`chord_numeral`) of the chord sounding
    there, as a lyric under it, unless the chord is the one named last (a chord held or repeated is named once;
    notes between beats are passing).

    Notebook: 07_midi_and_pianorolls
    """
    from music21 import clef, metadata, meter, note, pitch, stream
    from music21 import key as m21key

    tonic, mode = key if key is not None else (0, "major")
    tonic_name = pitch.Pitch(spell(60 + tonic, tonic, mode).music21_name).name  # e.g. 'B-', 'F#'
    m21_key = m21key.Key(tonic_name if mode == "major" else tonic_name.lower(), mode)
    bar = bar_beats(time_signature)
    lead = _notatable((bar - anacrusis) % bar)
    end_of_score = None
    if max_beats is not None:
        end_of_score = _notatable(float(np.ceil((max_beats + float(lead)) / bar) * bar))
    spelt = [spell_line(v.pitches, tonic, mode) for v in voices]
    score = stream.Score()
    if title:
        score.metadata = metadata.Metadata(title=title)
    for i, v in enumerate(voices):
        part = stream.Part()
        part.partName = v.name
        part.insert(0, meter.TimeSignature(f"{time_signature[0]}/{time_signature[1]}"))
        if key is not None:
            part.insert(0, copy.deepcopy(m21_key))
        part.insert(0, {"treble": clef.TrebleClef, "treble8vb": clef.Treble8vbClef,
                        "bass": clef.BassClef}[CLEFS.get(v.name, "treble")]())
        last_figure = None
        for sp, s, e in zip(spelt[i], v.starts, v.ends):
            start, end = _notatable(s) + lead, _notatable(e) + lead
            if end_of_score is not None:
                if start >= end_of_score:
                    break
                end = min(end, end_of_score)
            if end <= start:
                continue
            n = note.Note(sp.music21_name, quarterLength=end - start)
            if numerals and i == len(voices) - 1 and len(voices) > 1 and start % 1 == 0:
                names = [spelt[k][at].music21_name for k, other in enumerate(voices)
                         if (at := _sounding_index(other, float(s))) is not None]
                figure = chord_numeral(names, m21_key)
                if figure != last_figure:
                    n.addLyric(figure)
                last_figure = figure
            part.insert(start, n)
        if i == 0 and graces is not None:
            for p, s in zip(graces.pitches, graces.starts):
                if end_of_score is None or _notatable(s) + lead < end_of_score:
                    part.insert(_notatable(s) + lead, note.Note(spell(int(p), tonic, mode).music21_name).getGrace())
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
