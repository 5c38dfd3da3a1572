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
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from .errors import InputError
from .midi import Voice, load_midi, midi_to_voices
from .theory import key_of_number

#: Suffixes read as MIDI files and as scores (through music21).
MIDI_SUFFIXES = (".mid", ".midi")
SCORE_SUFFIXES = (".xml", ".mxl", ".musicxml", ".krn")
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
        return converter.parse(str(path))
    except Exception as exc:  # music21 raises many types for files it cannot read
        raise InputError(path, f"music21 could not parse it ({type(exc).__name__}: {exc})") from exc


def part_to_voice(part, name: str, chords: str = "all", offset: float = 0.0, program: int = 0,
                  path: str | os.PathLike | None = None) -> Voice:
    """The notes of a music21 part (ties merged, grace notes dropped) as a :class:`Voice` called ``name``, times
    in beats minus ``offset``. ``chords`` is the chord policy of the module docstring; ``"reject"`` raises
    :class:`InputError` naming ``path`` at the first chord.

    Notebook: 07_midi_and_pianorolls
    """
    from music21 import chord

    if chords not in CHORD_POLICIES:
        raise ValueError(f"chords must be one of {CHORD_POLICIES}, not {chords!r}")
    rows = []
    for n in part.stripTies().flatten().notes:
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
    from music21 import expressions

    onsets = [float(n.offset) - offset for n in part.flatten().notes
              if any(isinstance(e, expressions.Fermata) for e in n.expressions)]
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


# ---------------------------------------------------------------------------------------------- any file

def read_voices(path: str | os.PathLike) -> list[Voice]:
    """The notes of a MIDI file (one voice per track) or a MusicXML/Humdrum score (one voice per part, every
    note of a chord kept). Raises :class:`InputError` naming the file and the reason.

    Notebook: 08_key_classification
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in SCORE_SUFFIXES and path.is_file():
        score = parse_score(path)
        voices = [part_to_voice(part, str(part.partName or part.id), "all") for part in score.parts or [score]]
    else:
        if suffix not in MIDI_SUFFIXES and path.is_file() and not path.read_bytes()[:4] == b"MThd":
            raise InputError(path, f"'{suffix or 'no suffix'}' is neither MIDI (.mid) nor a score (.musicxml, .mxl, "
                                   ".xml, .krn)")
        voices = midi_to_voices(load_midi(path))
    if not any(len(v) for v in voices):
        raise InputError(path, "no notes")
    return voices



# ------------------------------------------------------------------------------------ melodies typed as text

#: The two text notations a melody may be typed or pasted in (notebook 11), and the suffix of an ABC file.
TEXT_FORMATS = ("tinyNotation", "abc")
ABC_SUFFIXES = (".abc",)
#: ABC decorations that mark a fermata (``H`` is the short form); music21's ABC reader drops them all.
_ABC_FERMATAS = re.compile(r"^[!+](inverted)?fermata[!+]$")
#: What :func:`_mark_abc_fermatas` leaves alone in a line of ABC music: text in quotes, ``!decorations!`` and
#: ``+decorations+``, inline fields such as ``[K:G]``.
_ABC_SKIP = re.compile(r'("[^"]*"|![^!\s]*!|\+[^+\s]*\+|\[[A-Za-z]:[^\]]*\])')
_ABC_FIELD = re.compile(r"^\s*[A-Za-z+]:")
_ABC_TUNE_START = re.compile(r"^\s*X:")


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


def _mark_abc_fermatas(text: str, mark: str = "M") -> str:
    """The ABC text with every fermata decoration of the music lines (``H``, ``!fermata!``, ``+fermata+``) written
    as ``mark``: ``M``, a decoration music21 keeps (as a tenuto), or ``""`` to drop them (music21 would drop the
    note after an ``H`` with it)."""
    lines, in_body = [], False
    for line in text.splitlines():
        if _ABC_FIELD.match(line) or line.lstrip().startswith("%"):
            in_body = in_body or line.lstrip().startswith("K:")
            lines.append(line)
            continue
        if not in_body:
            lines.append(line)
            continue
        parts = _ABC_SKIP.split(line)
        lines.append("".join((mark if _ABC_FERMATAS.match(p) else p) if i % 2 else p.replace("H", mark)
                             for i, p in enumerate(parts)))
    return "\n".join(lines) + "\n"


def _abc_default_length(text: str) -> str:
    """ABC without an ``L:`` field means eighth notes (the ABC standard's default, for metres of 3/4 and more);
    music21 refuses such a tune, so the field is written in after the ``X:`` line (or at the start)."""
    if re.search(r"^\s*L:", text, re.M):
        return text
    head = re.search(r"^\s*X:.*$", text, re.M)
    at = head.end() + 1 if head else 0
    return text[:at] + "L:1/8\n" + text[at:]


#: Characters a line of ABC music may hold outside quotes, ``!decorations!``, ``+decorations+`` and inline fields:
#: notes, rests (z x Z X) and the spacer y, accidentals, octave marks, lengths, bar lines and repeats, ties, broken
#: rhythm, chords, slurs and tuplets, grace notes, the standard's decoration shorthands (``. ~ H L M O P S T u v``),
#: beaming (spaces and the backquote), voice overlay ``&`` and line continuation ``\``.
_ABC_MUSIC_CHARS = frozenset("ABCDEFGabcdefgzxZXy^=_,'0123456789/|:[](){}-<>.~HLMOPSTuv &`\\\t")
#: The declaration that makes music21 read a tune as the ABC standard 2.1 does (accidentals hold to the bar line).
ABC_VERSION_LINE = "%abc-2.1"


def check_abc_syntax(text: str, source: str | os.PathLike | None = None) -> None:
    """Refuse junk in the music of an ABC tune that music21 would skip without a word: an unknown symbol (``@``,
    ``#``, ``;`` ...; a letter that is not a note or a decoration is a typo), a ``]`` that closes no chord
    (``]]``), a chord ``[`` not closed before the bar line, a slur ``(`` never closed or a ``)`` that closes none. Only the first tune's music is read (after its ``K:`` line, up to an empty
    line or the next ``X:``); quotes, decorations, inline fields and ``%`` comments are skipped. Raises
    :class:`InputError` (named ``source``, default ``"ABC"``) that names the line and column (counted from 1).

    Notebook: 11_harmonize_your_melody
    """
    name = source if source is not None else "ABC"

    def refuse(row: int, col: int, what: str) -> None:
        raise InputError(name, f"junk in the ABC at line {row}, column {col}: {what}")

    in_body, slurs, chord = False, [], None
    for row, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if in_body and (not stripped or _ABC_TUNE_START.match(line)):
            break  # the first tune ends here
        if _ABC_FIELD.match(line) or stripped.startswith("%"):
            in_body = in_body or stripped.startswith("K:")
            continue
        if not in_body:
            continue
        col = 0
        while col < len(line):
            ch = line[col]
            if ch == "%":
                break  # a comment to the end of the line
            skip = _ABC_SKIP.match(line, col)
            if skip:
                col = skip.end()
                continue
            if ch in "\"!+":
                refuse(row, col + 1, f"{ch!r} opens a text or decoration never closed on its line")
            if ch.isalpha() and ch not in _ABC_MUSIC_CHARS:
                token = re.match(r"[A-Za-z][0-9/]*", line[col:]).group(0)
                raise InputError(name, f"typo in the ABC at line {row}, column {col + 1}: {token!r} is not a note "
                                       "(notes are A–G and a–g, with , and ' for octaves, ^ _ = for accidentals, a "
                                       "number or / for the length)")
            if ch not in _ABC_MUSIC_CHARS:
                refuse(row, col + 1, f"{ch!r} is not an ABC symbol")
            if ch == "|" and chord is not None:
                refuse(*chord, "a chord '[' not closed before the bar line")
            before, after = line[col - 1:col], line[col + 1:col + 2]
            if ch == "[" and not (after == "|" or after.isdigit()):  # [| is a bar line, [1 an ending
                if chord is not None:
                    refuse(row, col + 1, "'[' inside a chord")
                chord = (row, col + 1)
            elif ch == "]" and chord is not None:
                chord = None
            elif ch == "]" and before != "|":  # |] is a bar line
                refuse(row, col + 1, "']' closes no chord")
            elif ch == "(" and not after.isdigit():  # (3 is a triplet
                slurs.append((row, col + 1))
            elif ch == ")":
                if not slurs:
                    refuse(row, col + 1, "')' closes no slur")
                slurs.pop()
            col += 1
        if chord is not None:
            refuse(*chord, "a chord '[' never closed on its line")
    if slurs:
        refuse(*slurs[-1], "a slur '(' never closed")


def _parse_abc_once(text: str, name: str, original: str | None = None):
    import contextlib
    import io

    from music21 import converter, stream

    warnings = io.StringIO()
    try:
        with contextlib.redirect_stderr(warnings):
            score = converter.parse(text, format="abc")
    except Exception as exc:  # music21's ABC reader raises many types for text it cannot read
        reason = str(exc).split(". tPrev")[0]
        raise InputError(name, f"typo in the ABC: music21 could not read it ({type(exc).__name__}: {reason})") from exc
    bad = re.search(r"Could not get pitch information from note:\s*(\S+?),? assuming", warnings.getvalue())
    if bad:
        token = bad.group(1)
        lines = [n for n, line in enumerate((original or text).splitlines(), 1)
                 if token in line and not _ABC_FIELD.match(line)]
        where = f" in line {lines[0]}" if lines else ""
        raise InputError(name, f"typo in the ABC{where}: {token!r} is not a note (notes are A–G and a–g, with , "
                               "and ' for octaves, ^ _ = for accidentals, a number or / for the length)")
    if isinstance(score, stream.Opus):  # several tunes (X: fields): the first one
        if not len(score.scores):
            raise InputError(name, "no tune in the ABC text (a tune starts with an X: line)")
        score = score.scores[0]
    return score


def parse_abc(text: str, source: str | os.PathLike | None = None):
    """Parse an ABC tune (the first if the text holds several) into a music21 score whose fermata notes carry a
    ``music21.expressions.Fermata``, as in MusicXML (music21's own ABC reader drops fermatas; the fermata
    decorations ``H``, ``!fermata!`` and ``+fermata+`` are found by parsing the tune a second time with them
    written as a decoration it keeps). The tune is read as the ABC standard 2.1 says, whatever its header: an
    accidental holds to the end of the bar (music21 does so only for a file that declares ``%abc-2.1``, so the
    declaration is put first), over the key signature. A tune without ``L:`` gets the standard's eighth notes.
    Junk music21 would skip (:func:`check_abc_syntax`) or a typo music21 reports raises :class:`InputError` (named
    ``source``, default ``"ABC"``) that names its line.

    Notebook: 11_harmonize_your_melody
    """
    from music21 import articulations, expressions

    name = source if source is not None else "ABC"
    check_abc_syntax(text, name)
    original, text = text, f"{ABC_VERSION_LINE}\n{_abc_default_length(text)}"
    plain_text, marked_text = _mark_abc_fermatas(text, ""), _mark_abc_fermatas(text, "M")
    score = _parse_abc_once(plain_text, name, original)
    if marked_text == plain_text:
        return score
    marked = _parse_abc_once(marked_text, name, original)
    plain_notes, marked_notes = list(score.flatten().notes), list(marked.flatten().notes)
    if len(plain_notes) != len(marked_notes):  # cannot happen for a decoration; keep the tune without fermatas
        return score
    for before, after in zip(plain_notes, marked_notes):
        tenuto = [a for a in after.articulations if isinstance(a, articulations.Tenuto)]
        if tenuto and not any(isinstance(a, articulations.Tenuto) for a in before.articulations):
            after.articulations = [a for a in after.articulations if not isinstance(a, articulations.Tenuto)]
            after.expressions.append(expressions.Fermata())
    return marked


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
