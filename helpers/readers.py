"""Reading music files into voices: the one place that turns a music21 part or a MIDI file into
:class:`~helpers.midi.Voice` objects with their metre, tempo, pickup and key signature (notebooks 07–10).

**Chords in a part.** A voice is one line, so a chord in a part must become notes by a policy, chosen by the
caller and applied here only (:func:`part_to_voice`):

* ``"all"`` — every note of the chord (key finding, notebook 08: every sounding pitch counts);
* ``"top"`` / ``"bottom"`` — the highest / lowest note (chorale voices: top for soprano and alto, bottom for tenor
  and bass, :data:`CHORALE_CHORDS`);
* ``"reject"`` — raise :class:`~helpers.errors.InputError` (a melody to harmonize must be one line).

Ties are merged and grace notes (no duration) dropped. Times are quarter-note beats. A MIDI file is read with
:func:`helpers.midi.load_midi` and :func:`helpers.midi.midi_to_voices` (one voice per track, beats whatever the
tempo); metre, tempo and key signature come from its first events (:func:`midi_time_signature`,
:func:`midi_tempo`, :func:`midi_key`); a pickup from where the first note starts (:func:`pickup_beats`).

**Any file.** :data:`FORMATS` is the one table of the music files the course reads; :func:`file_format` names a
file's format from it and :func:`read_score` parses any that is not MIDI (MusicXML, ABC through
:mod:`helpers.abc`, Humdrum). :func:`read_voices` (the ``key`` command, notebook 08) and
:func:`helpers.harmonize.read_melody` (``harmonize``) both dispatch through them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .errors import InputError
from .midi import Voice, load_midi, midi_to_voices
from .theory import key_of_number

#: Every music file the course reads (the commands, the chorale loader, notebooks), by suffix, and its format: MIDI
#: through pretty_midi, the others through music21. The one table of file types: :func:`file_format` reads it.
FORMATS = {".mid": "midi", ".midi": "midi", ".musicxml": "musicxml", ".xml": "musicxml", ".mxl": "musicxml",
           ".krn": "humdrum", ".abc": "abc"}
#: Chord policy of each chorale voice (see the module docstring).
CHORALE_CHORDS = {"Soprano": "top", "Alto": "top", "Tenor": "bottom", "Bass": "bottom"}
CHORD_POLICIES = ("all", "top", "bottom", "reject")


# --------------------------------------------------------------------------------------------------- music21

def parse_score(path: str | os.PathLike):
    """Parse a score file with music21. Raises :class:`InputError` naming the file if it is missing or music21
    cannot parse it.

    Notebook: 08_key_classification
    """
    from music21 import converter

    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file")
    try:
        # storePickle=False: music21 would otherwise write a pickle of every file it parses into its scratch folder
        # and read it back, half as long again as the parse itself, for a file the course reads once
        return converter.parse(str(path), storePickle=False)
    except Exception as exc:  # music21 raises many types for files it cannot read
        raise InputError(path, f"music21 could not parse it ({type(exc).__name__}: {exc})") from exc


def part_to_voice(part, name: str, chords: str = "all", offset: float = 0.0, program: int = 0,
                  path: str | os.PathLike | None = None, in_place: bool = False) -> Voice:
    """The notes of a music21 part (ties merged, grace notes dropped) as a :class:`Voice` called ``name``, times
    in beats minus ``offset``. ``chords`` is the chord policy of the module docstring; ``"reject"`` raises
    :class:`InputError` naming ``path`` at the first chord. ``in_place=True`` merges the ties in ``part`` itself
    instead of in a copy: two thirds of the time of parsing a chorale go to that copy, and a caller that reads
    nothing else from the part afterwards need not pay for it.

    Notebook: 07_midi_and_pianorolls
    """
    from music21 import chord

    if chords not in CHORD_POLICIES:
        raise ValueError(f"chords must be one of {CHORD_POLICIES}, not {chords!r}")
    if in_place:
        part.stripTies(inPlace=True)
        merged = part
    else:
        merged = part.stripTies()
    rows = []
    for n in merged.flatten().notes:
        pitches = [p.midi for p in n.pitches]
        if chords == "reject" and isinstance(n, chord.Chord) and len(pitches) > 1:
            raise InputError(path, f"chords instead of a melody (a chord at beat {float(n.offset):g})")
        ql = float(n.quarterLength)
        if ql <= 0:  # grace notes have no duration on the grid
            continue
        start = float(n.offset) - offset
        chosen = pitches if chords == "all" else [max(pitches) if chords == "top" else min(pitches)]
        rows += [(p, start, start + ql) for p in chosen]
    arr = np.array(rows, dtype=np.float64).reshape(-1, 3)
    return Voice(name, arr[:, 0].astype(int), arr[:, 1], arr[:, 2], program=program)


def fermata_ends(part, voice: Voice, offset: float = 0.0) -> tuple[float, ...]:
    """Phrase endings marked in a music21 part: the end (in beats, minus ``offset``, as ``voice``'s times) of every
    note of ``voice`` that holds a fermata, sorted, without repeats. ``voice`` is the part read by
    :func:`part_to_voice` (ties merged); a fermata written on the tied continuation of a note still ends that note.
    An empty tuple if the part has no fermatas.

    Notebook: 09_harmonization
    """
    return ends_holding(voice, fermata_onsets(part, offset))


def fermata_onsets(part, offset: float = 0.0) -> list[float]:
    """The onsets (in beats, minus ``offset``) of the notes of a music21 part that hold a fermata, in the part's
    order; read them before the part's ties are merged in place, which drops the tied continuations.

    Notebook: 09_harmonization
    """
    from music21 import expressions

    return [float(n.offset) - offset for n in part.flatten().notes
            if any(isinstance(e, expressions.Fermata) for e in n.expressions)]


def ends_holding(voice: Voice, onsets: Sequence[float]) -> tuple[float, ...]:
    """The ends of the notes of ``voice`` that sound at any of ``onsets`` (beats), sorted, without repeats: the
    phrase endings of :func:`fermata_ends` once the fermatas' onsets are known.

    Notebook: 09_harmonization
    """
    if not onsets or not len(voice):
        return ()
    starts, ends = np.asarray(voice.starts), np.asarray(voice.ends)
    out = set()
    for t in onsets:
        inside = np.flatnonzero((starts <= t + 1e-9) & (t < ends - 1e-9))
        if len(inside):
            out.add(float(ends[inside[-1]]))
    return tuple(sorted(out))


def score_time_signature(stream) -> tuple[int, int]:
    """``(numerator, denominator)`` of the first time signature in a music21 stream, (4, 4) if none.

    Notebook: 09_harmonization
    """
    from music21 import meter

    times = list(stream.recurse().getElementsByClass(meter.TimeSignature))
    return (times[0].numerator, times[0].denominator) if times else (4, 4)


def score_key_signature(stream):
    """The first music21 ``KeySignature`` (a ``Key`` when the mode is written) in a stream, or None.

    Notebook: 09_harmonization
    """
    from music21 import key

    sigs = list(stream.recurse().getElementsByClass(key.KeySignature))
    return sigs[0] if sigs else None


def score_tempo(stream, default: float) -> float:
    """Quarter notes per minute of the first metronome mark with a number in a music21 stream, else ``default``.

    Notebook: 09_harmonization
    """
    from music21 import tempo

    marks = list(stream.recurse().getElementsByClass(tempo.MetronomeMark))
    return float(marks[0].getQuarterBPM()) if marks and marks[0].number else default


def score_pickup(part, offset: float, time_signature: tuple[int, int]) -> float:
    """Length in beats of a pickup written as a short first measure (music21's ``paddingLeft``), 0 if none;
    ``offset`` is where the first note starts.

    Notebook: 07_midi_and_pianorolls
    """
    measures = part.getElementsByClass("Measure")
    if not len(measures) or measures[0].paddingLeft <= 0:
        return 0.0
    anacrusis = float(measures[0].duration.quarterLength) - offset
    return anacrusis if 0 < anacrusis < bar_beats(time_signature) else 0.0


# ------------------------------------------------------------------------------------------------------ MIDI

def bar_beats(time_signature: tuple[int, int]) -> float:
    """Length of a bar in quarter-note beats (3/4 → 3, 6/8 → 3, 2/2 → 4).

    Notebook: 07_midi_and_pianorolls
    """
    return time_signature[0] * 4 / time_signature[1]


def pickup_beats(first_onset: float, time_signature: tuple[int, int]) -> float:
    """Length of the pickup when the first note starts at beat ``first_onset`` of a file whose bars start at beat 0
    (as in MIDI, where a pickup stands at the end of a silent first bar); 0 if the music starts on a downbeat.

    Notebook: 07_midi_and_pianorolls
    """
    bar = bar_beats(time_signature)
    anacrusis = (-first_onset) % bar
    return 0.0 if np.isclose(anacrusis, 0) or np.isclose(anacrusis, bar) else float(anacrusis)


def midi_time_signature(pm) -> tuple[int, int]:
    """``(numerator, denominator)`` of a pretty_midi file's first time signature, (4, 4) if none.

    Notebook: 07_midi_and_pianorolls
    """
    ts = pm.time_signature_changes[0] if pm.time_signature_changes else None
    return (ts.numerator, ts.denominator) if ts else (4, 4)


def midi_tempo(pm, default: float) -> float:
    """A pretty_midi file's first tempo in quarter notes per minute (``default`` if it sets none).

    Notebook: 07_midi_and_pianorolls
    """
    tempi = pm.get_tempo_changes()[1]
    return float(tempi[0]) if len(tempi) else default


def midi_key(pm) -> tuple[int, str] | None:
    """``(tonic, mode)`` of a pretty_midi file's first key signature, None if it has none.

    Notebook: 07_midi_and_pianorolls
    """
    if not pm.key_signature_changes:
        return None
    return key_of_number(pm.key_signature_changes[0].key_number)


# ------------------------------------------------------------------------------------------------- MusicXML

def _musicxml_text(path: Path) -> bytes:
    """The MusicXML document of ``path``: the file itself, or the root file named in a compressed ``.mxl``'s
    ``META-INF/container.xml``."""
    import zipfile
    from xml.etree import ElementTree

    if not zipfile.is_zipfile(path):
        return path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        container = ElementTree.fromstring(archive.read("META-INF/container.xml"))
        rootfile = next(e.get("full-path") for e in container.iter() if e.tag.endswith("rootfile"))
        return archive.read(rootfile)


def with_drawn_ties(document: bytes) -> bytes | None:
    """A MusicXML document in which every note whose tie is only drawn (``<notations><tied>`` without the
    ``<tie>`` element that MusicXML uses for the sound, as some notation programs write it) also has ``<tie>``
    of the same type, so that music21 ties it (it reads ``<tie>`` only, and would split a syncopated quarter
    written as two tied eighths into two notes). None if no note needs it.

    Notebook: 11_harmonize_your_melody
    """
    from xml.etree import ElementTree

    root = ElementTree.fromstring(document)
    changed = False
    for note in root.iter("note"):
        if note.find("tie") is not None:
            continue
        drawn = [t.get("type") for t in note.iterfind("notations/tied") if t.get("type") in ("start", "stop")]
        for position, kind in enumerate(sorted(set(drawn), key=("stop", "start").index)):
            note.insert(position, ElementTree.Element("tie", type=kind))
            changed = True
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) if changed else None


def parse_musicxml(path: str | os.PathLike):
    """A MusicXML file (``.musicxml``, ``.xml`` or compressed ``.mxl``) parsed by music21
    (:func:`helpers.readers.parse_score`), with ties that are only drawn made ties (:func:`with_drawn_ties`), so a
    note written as tied notes is one note. Raises :class:`InputError` naming the file if it is missing or
    unreadable.

    Notebook: 11_harmonize_your_melody
    """
    from xml.etree.ElementTree import ParseError

    path = Path(path)
    try:
        fixed = with_drawn_ties(_musicxml_text(path))
    except (OSError, ParseError, KeyError, StopIteration, ValueError):
        fixed = None  # parse_score reports what is wrong with the file
    if fixed is None:
        return parse_score(path)
    from music21 import converter

    try:
        return converter.parse(fixed, format="musicxml")
    except Exception as exc:  # music21 raises many types for files it cannot read
        raise InputError(path, f"music21 could not parse it ({type(exc).__name__}: {exc})") from exc


# ---------------------------------------------------------------------------------------------- any file

def formats_read() -> str:
    """The formats of :data:`FORMATS` with their suffixes, for a message: ``"MIDI .mid/.midi, MusicXML ..."``.

    Notebook: 11_harmonize_your_melody
    """
    names = {"midi": "MIDI", "musicxml": "MusicXML", "humdrum": "Humdrum", "abc": "ABC"}
    by_format: dict[str, list[str]] = {}
    for suffix, fmt in FORMATS.items():
        by_format.setdefault(fmt, []).append(suffix)
    return ", ".join(f"{names[fmt]} {'/'.join(suffixes)}" for fmt, suffixes in by_format.items())


def file_format(path: str | os.PathLike) -> str:
    """The format of a music file by its suffix (:data:`FORMATS`): ``"midi"``, ``"musicxml"``, ``"humdrum"`` or
    ``"abc"``; a file with another suffix whose bytes start as a MIDI file does is ``"midi"``. Raises
    :class:`InputError` naming the file for any other file (or a missing one with an unknown suffix).

    Notebook: 11_harmonize_your_melody
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a folder, not a music file")
    if path.is_file():
        with open(path, "rb") as f:
            if f.read(4) == b"MThd":
                return "midi"
    raise InputError(path, f"'{suffix or 'no suffix'}' is not a music file the course reads ({formats_read()})")


def read_score(path: str | os.PathLike):
    """A music21 score of a file that is not MIDI (:func:`file_format`): MusicXML with drawn ties made ties
    (:func:`parse_musicxml`), the first tune of an ABC file (:func:`helpers.abc.parse_abc`) or a Humdrum score.
    Raises :class:`InputError` naming the file for anything unusable, and ValueError for a MIDI file (read it with
    :func:`helpers.midi.load_midi`).

    Notebook: 11_harmonize_your_melody
    """
    from .abc import parse_abc

    path = Path(path)
    fmt = file_format(path)
    if fmt == "midi":
        raise ValueError(f"{path} is a MIDI file: read it with helpers.midi.load_midi")
    if fmt == "musicxml":
        return parse_musicxml(path)
    if fmt == "abc":
        if not path.is_file():
            raise InputError(path, "no such file")
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise InputError(path, f"cannot read it ({exc.strerror})") from exc
        return parse_abc(text, path)
    return parse_score(path)


def score_parts(score) -> list:
    """The parts of a music21 score that hold notes, top to bottom (the score itself if it has no parts).

    Notebook: 11_harmonize_your_melody
    """
    return [p for p in getattr(score, "parts", None) or [score] if len(p.flatten().notes)]


def read_voices(path: str | os.PathLike) -> list[Voice]:
    """The notes of any music file the course reads (:data:`FORMATS`): one voice per MIDI track or score part
    with notes, every note of a chord kept. Raises :class:`InputError` naming the file and the reason.

    Notebook: 08_key_classification
    """
    if file_format(path) == "midi":
        voices = midi_to_voices(load_midi(path))
    else:
        voices = [part_to_voice(part, str(part.partName or part.id), "all") for part in score_parts(read_score(path))]
    voices = [v for v in voices if len(v)]
    if not voices:
        raise InputError(path, "no notes")
    return voices


# ------------------------------------------------------------------------------------ melodies typed as text

def parse_tiny_notation(text: str, source: str | os.PathLike | None = None):
    """Parse a melody written in music21's tinyNotation (``"4/4 g4 g d' d' e' e' d'2"``; a leading
    ``tinyNotation:`` is allowed) into a music21 stream. music21 skips tokens it cannot read without a word; here
    a typo raises :class:`InputError` (named ``source``, default ``"tinyNotation"``) that says which token, counted
    from 1, is wrong.

    Notebook: 11_harmonize_your_melody
    """
    from music21 import tinyNotation

    name = source if source is not None else "tinyNotation"
    body = re.sub(r"^\s*tinyNotation:\s*", "", text)
    if not body.strip():
        raise InputError(name, "no notes: the tinyNotation text is empty")
    try:
        return tinyNotation.Converter(body, raiseExceptions=True).parse().stream
    except Exception as exc:  # music21's TinyNotationException, or an error raised while building a note
        token = re.search(r"token: '(.*)'", str(exc))
        tokens = body.split()
        if token and token.group(1) in tokens:
            where = f"token {tokens.index(token.group(1)) + 1} of {len(tokens)}, {token.group(1)!r}, is not a note, " \
                    "rest, tuplet or time signature (write e.g. c4, d'8, e-4, f#2., r4, trip{c8 d e}, 3/4)"
        else:
            where = f"music21 could not read it ({type(exc).__name__}: {exc})"
        raise InputError(name, f"typo in tinyNotation: {where}") from exc



def grace_notes(part, offset: float = 0.0) -> Voice:
    """The grace notes of a music21 part (notes without duration, which :func:`part_to_voice` leaves out) as a
    :class:`Voice` of zero-length notes at the beat of the note they ornament, minus ``offset``; a chord as a
    grace keeps its top note.

    Notebook: 11_harmonize_your_melody
    """
    rows = [(max(p.midi for p in n.pitches), float(n.offset) - offset) for n in part.flatten().notes
            if n.duration.isGrace and len(n.pitches)]
    arr = np.array(rows, dtype=np.float64).reshape(-1, 2)
    return Voice("Grace notes", arr[:, 0].astype(int), arr[:, 1], arr[:, 1])
