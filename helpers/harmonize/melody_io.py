"""Melodies in and harmonized settings out (notebooks 09–11; ``python -m helpers harmonize``).

In: :func:`read_melody` reads a MIDI, MusicXML or ABC file, :func:`melody_from_text` a line of tinyNotation or an
ABC tune typed in a notebook. Every format goes through music21 or pretty_midi; the result is a :class:`Melody`:
the notes exactly as written (ornaments shorter than the grid and grace notes included), the metre, pickup and
tempo, the key found from the notes alone by the melody key finder (notebook 08's classifier with a key profile,
:func:`helpers.keyfinding.rank_melody_keys`; a key signature in the file is not read) with its runners-up, and the
phrase endings: fermatas where the file marks them, else found in that key by the phrase-ending model of :mod:`helpers.phrases` (:func:`guess_phrase_ends`).

Harmonize: :func:`harmonize_melody` gives the network the melody on its grid (:func:`grid_melody`: the note
sounding at the start of each step) and writes the melody back exactly above the generated voices (a
:class:`Setting`); :func:`alternatives` samples several different settings.

Out: :func:`write_setting` writes MIDI (on the melody file's own tempo map) or MusicXML
(:func:`setting_score`, spelled in the key, with a Roman numeral under each chord if asked);
:func:`setting_faults` lists the voice-leading faults by bar and beat; :func:`order_violations` measures how much
of the time a generated voice lies above the melody or above the voice written over it.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from ..midi import Voice, beats_to_seconds, load_midi, midi_to_voices, voices_to_midi
from ..pianoroll import REST, voice_to_steps
from ..readers import (
    ABC_SUFFIXES,
    MIDI_SUFFIXES,
    bar_beats,
    fermata_ends,
    grace_notes,
    midi_tempo,
    midi_time_signature,
    parse_abc,
    parse_score,
    parse_tiny_notation,
    part_to_voice,
    pickup_beats,
    score_pickup,
    score_tempo,
    score_time_signature,
)
from ..theory import key_name, key_number, parse_key_name
from ..voiceleading import crossed, rule_events
from .encoding import DEFAULT_OUTPUTS, STEPS_PER_BEAT, Encoding
from .model import PROGRAM, Harmonizer

if TYPE_CHECKING:
    from .keep import Kept

#: Suffixes of the melody files the command reads, by format.
MUSICXML_SUFFIXES = (".xml", ".musicxml", ".mxl")
MELODY_SUFFIXES = MIDI_SUFFIXES + MUSICXML_SUFFIXES + ABC_SUFFIXES
#: Suffixes of the files :func:`write_setting` writes, and their format.
OUTPUT_FORMATS = {".mid": "midi", ".midi": "midi", ".musicxml": "musicxml", ".xml": "musicxml"}
#: Two notes start together (a chord) only when their onsets differ by less than this (beats).
ONSET_TOLERANCE = 1e-6
#: How long a grace note sounds in a MIDI file (beats), taken from the end of the note before it.
GRACE_BEATS = 0.125
#: Fine grid (steps per beat) on which :func:`order_violations` compares the exact melody with the voices.
FINE_STEPS_PER_BEAT = 48


@dataclass
class Melody:
    """A melody to harmonize: ``voice`` (the notes exactly as written, beats, first note at beat 0), where it
    started in the file (``offset`` beats), metre, tempo, key (``tonic``, ``mode``) and how the key was found
    (``key_source``), the pickup (``anacrusis`` beats); ``pm`` is the MIDI file (None for other formats) and
    ``track`` the name of the track or part read. ``phrase_ends``: beats where phrases end, found as
    ``phrase_source`` says ("fermatas", "guessed" or "given"); ``keys``: the classifier's best keys ``(tonic,
    mode, probability)``, best first (empty when the key was given); ``graces``: grace notes as zero-length notes
    at the beat of the note they ornament; ``source``: the file, or "tinyNotation" / "ABC" for typed text.

    Notebook: 11_harmonize_your_melody
    """

    voice: Voice
    offset: float
    time_signature: tuple[int, int]
    tempo: float
    tonic: int
    mode: str
    key_source: str
    anacrusis: float
    pm: object | None = None
    track: str = ""
    phrase_ends: tuple[float, ...] = ()
    phrase_source: str = "guessed"
    keys: list[tuple[int, str, float]] = field(default_factory=list)
    graces: Voice | None = None
    source: str = ""

    @property
    def key_name(self) -> str:
        """The key used, as ``'G minor'``."""
        return key_name(self.tonic, self.mode)


@dataclass
class Setting:
    """One harmonization of a :class:`Melody`: ``voices`` ``[Soprano, Alto, ...]`` (beats, the melody's own
    times; the soprano is the melody exactly), the network's summed ``log_probability`` (nats) of the generated
    voices, and the ``temperature`` and ``seed`` that drew it (0 and None for the most likely setting).

    Notebook: 11_harmonize_your_melody
    """

    voices: list[Voice]
    log_probability: float
    temperature: float = 0.0
    seed: int | None = None


# --------------------------------------------------------------------------------------------- one melodic line

def clean_monophonic(voice: Voice, path, steps_per_beat: int = STEPS_PER_BEAT) -> Voice:
    """Check that a track is one melodic line and trim small overlaps (legato playing).

    Only notes whose onsets really coincide (within :data:`ONSET_TOLERANCE` beats) are a chord: a turn of 32nd
    notes, shorter than the grid, is a melody. Raises :class:`InputError` if notes start together (chords), if
    more than a tenth of the notes sound through most of the next note (several lines in one track), or if there
    are no notes. ``steps_per_beat`` is not used (kept for callers of the version that compared grid onsets).

    Notebook: 09_harmonization
    """
    if len(voice) == 0:
        raise InputError(path, "no notes in the melody")
    together = np.flatnonzero(np.diff(voice.starts) < ONSET_TOLERANCE)
    if len(together):
        raise InputError(path, f"chords instead of a melody: {len(together)} notes start together with another "
                               f"note in '{voice.name}' (the first at beat {voice.starts[together[0]]:g})")
    ends = voice.ends.copy()
    if len(voice) > 1:
        nxt = voice.starts[1:]
        overlap = ends[:-1] - nxt
        heavy = overlap > 0.5 * (voice.ends[1:] - nxt)
        if heavy.sum() > 0.1 * len(voice):
            raise InputError(path, f"not a single melodic line: {int(heavy.sum())} of {len(voice)} notes in "
                                   f"'{voice.name}' sound on over the next note")
        ends[:-1] = np.minimum(ends[:-1], nxt)
    return Voice(voice.name, voice.pitches, voice.starts, ends, voice.program, voice.velocities)


def grid_melody(voice: Voice, steps_per_beat: int = STEPS_PER_BEAT) -> Voice:
    """The melody as the network reads it: on a grid of ``steps_per_beat`` steps per beat, each step holds the
    note sounding at its start, so a note shorter than a step that starts between two steps (an ornament) is
    left out and a note starting off the grid (a triplet) starts at the next step. Consecutive steps of one note
    make one note; the grid ends where the melody's end rounds to. ``voice`` is one line
    (:func:`clean_monophonic`), first note at beat 0 or later.

    Notebook: 11_harmonize_your_melody
    """
    if not len(voice):
        return voice
    n = max(int(np.round(voice.end * steps_per_beat)), 1)  # where the grid ends, as voice_to_steps rounds it
    t = np.arange(n) / steps_per_beat + ONSET_TOLERANCE
    idx = np.searchsorted(voice.starts, t, side="right") - 1
    sounding = (idx >= 0) & (voice.ends[np.maximum(idx, 0)] > t)
    idx = np.where(sounding, idx, -1)
    change = np.r_[True, idx[1:] != idx[:-1]]
    first = np.flatnonzero(change)
    last = np.r_[first[1:], n]
    keep = idx[first] >= 0
    first, last = first[keep], last[keep]
    return Voice(voice.name, voice.pitches[idx[first]], first / steps_per_beat, last / steps_per_beat,
                 voice.program)


def guess_phrase_ends(voice: Voice, time_signature: tuple[int, int] = (4, 4), anacrusis: float = 0.0,
                      tonic: int = 0, mode: str = "major") -> tuple[float, ...]:
    """Phrase endings where the file marks none, found by the course's phrase-ending model
    (:func:`helpers.phrases.find_phrase_ends`, learned from Bach's fermatas and the Essen folk songs' phrases),
    which reads the notes' lengths, rests, metric positions and scale degrees in the key (``tonic``, ``mode``):
    the end of each ending note, the last note always one. Beats, sorted; empty for no notes.

    Notebook: 11_harmonize_your_melody
    """
    from ..phrases import find_phrase_ends

    return tuple(find_phrase_ends(voice, time_signature, anacrusis, tonic, mode))


def _with_guessed_ends(melody: Melody) -> Melody:
    """The melody with its phrase endings guessed again in its current key, if they were guessed (fermatas and
    endings given are kept)."""
    if melody.phrase_source != "guessed":
        return melody
    return replace(melody, phrase_ends=guess_phrase_ends(melody.voice, melody.time_signature, melody.anacrusis,
                                                         melody.tonic, melody.mode))


# ------------------------------------------------------------------------------------------- reading melodies

def _key_of(key: str | tuple[int, str] | None) -> tuple[int, str] | None:
    if key is None or isinstance(key, tuple):
        return key
    try:
        return parse_key_name(key)
    except ValueError as exc:
        raise InputError(None, str(exc)) from exc


def _finish_melody(voice: Voice, path, ts, tempo, pm=None, fermatas=(), graces=None, key=None, classifier=None,
                   anacrusis: float | None = None, source: str = "", find: bool = True) -> Melody:
    offset = float(voice.starts.min())
    voice = voice.shift(-offset)
    anacrusis = pickup_beats(offset, ts) if anacrusis is None else anacrusis
    if fermatas:  # measured like the notes before the shift: from the first note, as the voice
        phrase_ends, phrase_source = tuple(float(e) - offset for e in fermatas), "fermatas"
        if not np.isclose(phrase_ends[-1], voice.end):
            phrase_ends += (float(voice.end),)
    else:
        phrase_ends, phrase_source = (), "guessed"  # guessed below, in the key: they depend on it
    graces = graces.shift(-offset) if graces is not None and len(graces) else None
    given = _key_of(key)
    tonic, mode = given if given is not None else (0, "major")
    melody = Melody(voice, offset, ts, tempo, tonic, mode, "key given" if given is not None else "not found yet",
                    anacrusis, pm, voice.name, phrase_ends, phrase_source, [], graces, source or str(path))
    melody = _with_guessed_ends(melody)
    return find_key(melody, classifier) if given is None and find else melody


def find_key(melody: Melody, classifier=None) -> Melody:
    """The melody in the key the course's melody key finder names from its notes
    (:func:`helpers.keyfinding.rank_melody_keys`: notebook 08's classifier, ``classifier`` or by default the saved
    one, trained and saved first if there is none, combined with a music21 key profile), with the two runners-up
    in ``keys``; guessed phrase endings are guessed again in that key (:func:`guess_phrase_ends`).

    Notebook: 11_harmonize_your_melody
    """
    from ..keyfinding import MELODY_PROFILE, MUSIC21_FINDERS, key_classifier, rank_melody_keys

    keys = rank_melody_keys([melody.voice], classifier if classifier is not None else key_classifier())
    tonic, mode, _ = keys[0]
    profile = next(name for name, method in MUSIC21_FINDERS.items() if method == MELODY_PROFILE)
    return _with_guessed_ends(replace(melody, tonic=tonic, mode=mode, keys=keys,
                                      key_source=f"the key classifier of notebook 08 with the {profile} profile, "
                                                 "from the notes alone"))


def _melody_from_score(score, path, key=None, classifier=None, source: str = "", find: bool = True) -> Melody:
    parts = [p for p in getattr(score, "parts", None) or [score] if len(p.flatten().notes)]
    if not parts:
        raise InputError(path, "no notes in the melody")
    part = parts[0]
    voice = part_to_voice(part, str(part.partName or "Melody"), "reject", path=path)
    if not len(voice):
        raise InputError(path, "no notes in the melody (only grace notes)")
    voice = clean_monophonic(voice, path)
    ts = score_time_signature(part)
    first = float(voice.starts.min())
    pickup = score_pickup(part, first, ts) or pickup_beats(first, ts)
    return _finish_melody(voice, path, ts, score_tempo(score, 100.0), None, fermata_ends(part, voice),
                          grace_notes(part), key, classifier, pickup, source, find)


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


def read_melody(path: str | os.PathLike, key: str | tuple[int, str] | None = None,
                classifier=None, find: bool = True) -> Melody:
    """Read a melody: the first track with pitched notes of a MIDI file, the first part of a MusicXML file, or
    the first tune of an ABC file. The key is ``key`` if given (``'G minor'`` or ``(7, 'minor')``), else the one
    notebook 08's classifier finds in the notes (``classifier``, default the saved one, trained and saved first
    if there is none: :func:`helpers.keyfinding.key_classifier`); a key signature in the file is not read.
    With ``find=False`` and no ``key`` the key is left for :func:`find_key` (C major until then, and phrase
    endings without fermatas guessed in C major until :func:`find_key` guesses them again). Raises
    :class:`~helpers.errors.InputError` naming the file and the reason for anything unusable, before any classifier
    is loaded or trained.

    Notebook: 11_harmonize_your_melody
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in ABC_SUFFIXES:
        if not path.is_file():
            raise InputError(path, "no such file")
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise InputError(path, f"cannot read it ({exc.strerror})") from exc
        return _melody_from_score(parse_abc(text, path), path, key, classifier, find=find)
    if suffix in MUSICXML_SUFFIXES:
        return _melody_from_score(parse_musicxml(path), path, key, classifier, find=find)
    if suffix not in MIDI_SUFFIXES and path.is_file() and path.read_bytes()[:4] != b"MThd":
        raise InputError(path, f"'{suffix or 'no suffix'}' is not a melody file the course reads (MIDI .mid, "
                               "MusicXML .musicxml/.xml/.mxl, ABC .abc)")
    pm = load_midi(path)
    tracks = [v for v in midi_to_voices(pm) if len(v)]
    if not tracks:
        raise InputError(path, "no pitched notes")
    voice = clean_monophonic(tracks[0], path)
    return _finish_melody(voice, path, midi_time_signature(pm), midi_tempo(pm, 120.0), pm, key=key,
                          classifier=classifier, find=find)


def melody_from_text(text: str, notation: str = "tinyNotation", key: str | tuple[int, str] | None = None,
                     classifier=None, phrase_ends: Sequence[float] | None = None) -> Melody:
    """A :class:`Melody` from text typed in a notebook: a line of music21 tinyNotation (``"4/4 g4 g d' d' e' e'
    d'2"``; see :func:`helpers.readers.parse_tiny_notation`) or an ABC tune (``notation="abc"``, fermatas kept:
    :func:`helpers.readers.parse_abc`). ``key`` and ``classifier`` as in :func:`read_melody`; ``phrase_ends``
    (beats from the first note) replaces the fermatas or the guess. Raises :class:`InputError` (named
    "tinyNotation" or "ABC") for a typo, chords, or no notes.

    Notebook: 11_harmonize_your_melody
    """
    if notation.lower() in ("tinynotation", "tiny"):
        name = "tinyNotation"
        score = parse_tiny_notation(text, name)
    elif notation.lower() == "abc":
        name = "ABC"
        score = parse_abc(text, name)
    else:
        raise ValueError(f"notation must be 'tinyNotation' or 'abc', not {notation!r}")
    melody = _melody_from_score(score, name, key, classifier, source=name)
    return melody if phrase_ends is None else with_phrase_ends(melody, phrase_ends)


def with_phrase_ends(melody: Melody, phrase_ends: Sequence[float]) -> Melody:
    """The same melody with the phrase endings given (beats from the first note; the melody's end is added if
    missing), marked as "given".

    Notebook: 11_harmonize_your_melody
    """
    ends = sorted({float(e) for e in phrase_ends if 0 < e <= melody.voice.end + 1e-9} | {float(melody.voice.end)})
    return replace(melody, phrase_ends=tuple(ends), phrase_source="given")


def with_key(melody: Melody, key: str | tuple[int, str]) -> Melody:
    """The same melody in another key (``'G minor'`` or ``(7, 'minor')``), marked as given; the classifier's
    ranking is kept for comparison; guessed phrase endings are guessed again in the new key.

    Notebook: 11_harmonize_your_melody
    """
    tonic, mode = _key_of(key)
    return _with_guessed_ends(replace(melody, tonic=tonic, mode=mode, key_source="key given"))


def uploaded_files(value) -> list[tuple[str, bytes]]:
    """``(file name, content)`` of every file in the ``value`` of an ``ipywidgets.FileUpload``, whichever
    ipywidgets made it: 7.x gives a dict ``{name: {"metadata": ..., "content": bytes}}``, 8.x a tuple of dicts
    ``{"name": ..., "content": memoryview, ...}``; ``google.colab.files.upload()`` returns ``{name: bytes}``, read
    alike. Empty when nothing was uploaded.

    Notebook: 11_harmonize_your_melody
    """
    if not value:
        return []
    if isinstance(value, dict):
        return [(str(name), bytes(item["content"] if isinstance(item, dict) else item))
                for name, item in value.items()]
    return [(str(item["name"]), bytes(item["content"])) for item in value]


# ---------------------------------------------------------------------------------------------- harmonizing

def harmonize_melody(melody: Melody, harmonizer: Harmonizer, temperature: float = 0.0,
                     seed: int | None = None, keep: Mapping[str, Kept] | None = None) -> Setting:
    """Harmonize a :class:`Melody`: the network reads :func:`grid_melody` (with the melody's metre, pickup, key
    and phrase endings) and the setting's soprano is the melody exactly, ornaments included. ``temperature`` > 0
    samples a setting (seeded by ``seed``) through the same constrained decoder. ``keep``: notes of generated
    voices to keep (:class:`~helpers.harmonize.keep.Kept`, checked by :func:`~helpers.harmonize.keep.check_keep`);
    the search writes the rest around them and the kept notes come out exactly as given. Raises
    :class:`InputError` naming the melody's source if the model cannot take it (e.g. a range no octave brings into
    the model's) or a kept voice is unusable.

    Notebook: 11_harmonize_your_melody
    """
    from .keep import check_keep, kept_steps, splice

    grid = grid_melody(melody.voice, harmonizer.steps_per_beat)
    if not len(grid):
        raise InputError(melody.source, "no note lasts as long as a grid step")
    keep = dict(keep or {})
    check_keep(melody, keep)
    missing = [v for v in keep if v not in harmonizer.outputs]
    if missing:
        raise InputError(melody.source or None, f"this harmonizer writes {', '.join(harmonizer.outputs)}, so it "
                                                f"cannot keep {', '.join(missing)}")
    n = len(voice_to_steps(grid, harmonizer.steps_per_beat)[0])
    fixed = {v: kept_steps(k, n, harmonizer.steps_per_beat) for v, k in keep.items()}
    try:
        voices, logp = harmonizer.harmonize(grid, melody.tonic, melody.mode, melody.time_signature,
                                            melody.anacrusis, melody.phrase_ends, temperature, seed,
                                            return_score=True, **({"keep": fixed} if fixed else {}))
    except InputError as exc:
        raise InputError(melody.source or None, exc.reason) from exc
    voices[0] = melody.voice.renamed("Soprano", PROGRAM)
    voices = [splice(v, keep[v.name]) if v.name in keep else v for v in voices]
    return Setting(voices, float(logp), temperature, seed)


def check_range(melody: Melody, encoding_file: str | os.PathLike | Encoding | None,
                key_known: bool = True) -> None:
    """Refuse a melody that the harmonizer with this encoding (its saved ``.json``, read without loading the
    network, or the :class:`Encoding` itself) cannot take, before any model is loaded: with ``key_known`` (the
    melody's key is final), when no octave transposition brings it into the model's melody range in its key, as
    :meth:`~helpers.harmonize.model.Harmonizer.harmonize` checks; otherwise when its span is wider than that
    range (then no key fits). Nothing is checked if there is no encoding (None, or no file). Raises
    :class:`InputError` naming the melody's source.

    Notebook: 11_harmonize_your_melody
    """
    from .model import best_octave_shift

    if encoding_file is None or not len(melody.voice):
        return
    if isinstance(encoding_file, Encoding):
        encoding = encoding_file
    else:
        path = Path(encoding_file)
        if not path.is_file():
            return
        try:
            encoding = Encoding.from_json(path.read_text())
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return  # loading the harmonizer reports a broken save
    try:
        low, high = encoding.ranges[encoding.inputs[0]]
    except (KeyError, IndexError):
        return
    pitches = melody.voice.pitches.astype(np.int64)
    lo, hi = int(pitches.min()), int(pitches.max())
    if key_known:
        fits = best_octave_shift(pitches + encoding.shift(melody.tonic, melody.mode), low, high) is not None
    else:
        fits = hi - lo <= high - 1 - low
    if not fits:
        raise InputError(melody.source or None, f"the melody spans {hi - lo} semitones (MIDI {lo}–{hi}); the model "
                                                f"knows melodies within {high - 1 - low} semitones, so no octave "
                                                "transposition fits")


def _same_setting(a: Setting, b: Setting) -> bool:
    return all(x == y for x, y in zip(a.voices[1:], b.voices[1:]))


def alternatives(melody: Melody, harmonizer: Harmonizer, n: int = 3, temperature: float = 1.0,
                 seed: int = 0, max_draws: int | None = None, keep: Mapping[str, Kept] | None = None) -> list[Setting]:
    """``n`` different settings of a melody sampled at ``temperature`` (seeds ``seed``, ``seed + 1``, ...; a draw
    equal to an earlier one is skipped), in the order drawn, each keeping ``keep`` as :func:`harmonize_melody`
    does. Fewer than ``n`` if ``max_draws`` draws (default ``4 n``) give no more different ones.

    Notebook: 11_harmonize_your_melody
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    if temperature <= 0:
        raise ValueError("alternatives are samples: the temperature must be above 0")
    found: list[Setting] = []
    for s in range(seed, seed + (max_draws or 4 * n)):
        setting = harmonize_melody(melody, harmonizer, temperature, s, keep=keep)
        if not any(_same_setting(setting, f) for f in found):
            found.append(setting)
        if len(found) == n:
            break
    return found


# ------------------------------------------------------------------------------------------------- checking

def _fine_steps(voices: Sequence[Voice], steps_per_beat: int) -> list[np.ndarray]:
    n = max(int(np.ceil(v.end * steps_per_beat - 1e-9)) for v in voices if len(v))
    return [voice_to_steps(v, steps_per_beat, n)[0].astype(np.int64) for v in voices]


def order_violations(voices: Sequence[Voice], steps_per_beat: int = FINE_STEPS_PER_BEAT) -> dict[str, float]:
    """How far a setting breaks the order of the voices, on a fine grid (default 48 steps per beat, so that
    32nd notes and triplets of the melody count as written): ``above_melody``, the share of the melody's sounding
    time during which some generated voice sounds above it; ``crossed``, the share of the time during which two
    neighbouring generated voices both sound, in which the lower one lies above the upper one (unisons allowed).
    ``voices`` is ``[melody, highest generated voice, ...]``.

    Notebook: 11_harmonize_your_melody
    """
    steps = _fine_steps(voices, steps_per_beat)
    melody = steps[0]
    above = np.zeros(len(melody), dtype=bool)
    for s in steps[1:]:
        above |= crossed(melody, s)
    crossing, both = 0, 0
    for upper, lower in zip(steps[1:], steps[2:]):
        crossing += int(crossed(upper, lower).sum())
        both += int(((upper != REST) & (lower != REST)).sum())
    sounding = int((melody != REST).sum())
    return {"above_melody": above.sum() / sounding if sounding else 0.0,
            "crossed": crossing / both if both else 0.0}


@dataclass(frozen=True)
class Fault:
    """One voice-leading fault of a setting: where (``bar``, counted from 1, 0 for a pickup bar; ``beat`` in the
    bar, quarter-note beats from 1), the ``rule`` broken (one of :data:`helpers.voiceleading.RULES` or
    ``"crossing"``) and the two voices.

    Notebook: 11_harmonize_your_melody
    """

    bar: int
    beat: float
    rule: str
    upper: str
    lower: str

    def __str__(self) -> str:
        return f"bar {self.bar}, beat {self.beat:g}: {self.rule.replace('_', ' ')} ({self.upper}–{self.lower})"


def setting_faults(voices: Sequence[Voice], time_signature: tuple[int, int] = (4, 4), anacrusis: float = 0.0,
                   steps_per_beat: int = STEPS_PER_BEAT) -> list[Fault]:
    """The voice-leading faults of a setting ``[Soprano, ...]``, in time order, counted with the course's rules
    (:mod:`helpers.voiceleading`, as :mod:`helpers.metrics` counts them): parallel and contrary fifths and
    octaves between any two voices, hidden fifths and octaves between the outer voices, and each crossing of
    neighbouring voices where it begins. The melody is read on the grid as the network reads it
    (:func:`grid_melody`).

    Notebook: 11_harmonize_your_melody
    """
    names = [v.name for v in voices]
    grid = [grid_melody(voices[0], steps_per_beat)] + list(voices[1:])
    steps = _fine_steps(grid, steps_per_beat)
    bar = bar_beats(time_signature)
    found = []

    def where(step: int) -> tuple[int, float]:
        beat = step / steps_per_beat - anacrusis
        number = int(np.floor(beat / bar + 1e-9)) + 1
        return number, float(np.round(beat - (number - 1) * bar + 1, 4))

    for a, b in combinations(range(len(voices)), 2):
        events = rule_events(steps[a], steps[b])
        for rule, hits in events.items():
            if rule.startswith("hidden") and (a, b) != (0, len(voices) - 1):
                continue
            for t in np.flatnonzero(hits) + 1:
                found.append((int(t), Fault(*where(int(t)), rule, names[a], names[b])))
        if b == a + 1:
            cross = crossed(steps[a], steps[b])
            for t in np.flatnonzero(cross & ~np.r_[False, cross[:-1]]):
                found.append((int(t), Fault(*where(int(t)), "crossing", names[a], names[b])))
    return [f for _, f in sorted(found, key=lambda x: x[0])]


# ------------------------------------------------------------------------------------------------- writing

def _notatable(beats: float) -> Fraction:
    """A time in beats as a fraction music21 can notate: exact for values like 1/3 or 1/32 (within 1e-6), else
    rounded to 1/48 of a beat (a played MIDI file)."""
    f = Fraction(float(beats)).limit_denominator(240)
    return f if abs(float(f) - beats) < 1e-6 else Fraction(round(beats * 48), 48)


def _sounding_index(v: Voice, t: float) -> int | None:
    i = int(np.searchsorted(v.starts, t + 1e-9, side="right")) - 1
    return i if i >= 0 and v.ends[i] > t + 1e-9 else None


def chord_numeral(names: Sequence[str], key) -> str:
    """The Roman numeral of the chord of these pitches in a music21 ``Key``: music21's
    ``roman.romanNumeralFromChord`` figure (``'V6'``, ``'ii65'``; a chromatic chord as a secondary dominant such as
    ``'V7/V'`` when music21 finds one). ``names`` are music21 pitch names, highest voice
    first. When the notes make no triad or seventh chord, one upper voice at a time is left out (the highest
    first: a passing note of the melody is not part of the harmony) and the first triad or seventh chord found is
    named; when none is, the numeral of the key's own triad on music21's root (an open fifth on G in G major is
    ``'I'``, not music21's ``'i5'``).

    Notebook: 11_harmonize_your_melody
    """
    from music21 import chord, roman

    names = list(names)
    tries = [names] + [names[:i] + names[i + 1:] for i in range(len(names) - 1)] if len(names) > 2 else [names]
    for notes in tries:
        c = chord.Chord(notes)
        if c.isTriad() or c.isSeventh():
            figure = roman.romanNumeralFromChord(c, key).figure
            if any(sign in figure for sign in "#b-"):  # chromatic: a secondary dominant names it better (V7/V)
                secondary = roman.romanNumeralFromChord(c, key, preferSecondaryDominants=True).figure
                figure = secondary if "/" in secondary else figure
            return figure
    degree = key.getScaleDegreeFromPitch(chord.Chord(names).root())
    if degree is None:  # a chromatic root: music21's own name
        return roman.romanNumeralFromChord(chord.Chord(names), key).figure
    return roman.RomanNumeral(degree, key).romanNumeral


def setting_score(voices: Sequence[Voice], time_signature: tuple[int, int], key: tuple[int, str],
                  anacrusis: float = 0.0, graces: Voice | None = None, numerals: bool = False,
                  title: str | None = None):
    """A ``music21.stream.Score`` of a setting, every note as written (no rounding to a grid, unlike
    :func:`helpers.score.voices_to_score`), spelled in ``key`` by :func:`helpers.theory.spell_line`; ``graces``
    (zero-length notes) are written as grace notes in the first part. With ``numerals``, each note of the lowest
    voice that starts on a beat carries the Roman numeral (:func:`chord_numeral`, music21's
    ``roman.romanNumeralFromChord`` in ``key``) of the chord sounding there, as a lyric under it, unless the chord
    is the one named last (a chord held or repeated is named once; notes between beats are passing).

    Notebook: 11_harmonize_your_melody
    """
    from music21 import clef, metadata, meter, note, pitch, stream
    from music21 import key as m21key

    from ..score import CLEFS
    from ..theory import spell, spell_line

    tonic, mode = key
    tonic_name = pitch.Pitch(spell(60 + tonic, tonic, mode).music21_name).name
    m21_key = m21key.Key(tonic_name if mode == "major" else tonic_name.lower(), mode)
    bar = bar_beats(time_signature)
    lead = _notatable((bar - anacrusis) % bar)
    spelt = [spell_line(v.pitches, tonic, mode) for v in voices]
    score = stream.Score()
    if title:
        score.metadata = metadata.Metadata(title=title)
    for i, v in enumerate(voices):
        part = stream.Part()
        part.partName = v.name
        part.insert(0, meter.TimeSignature(f"{time_signature[0]}/{time_signature[1]}"))
        part.insert(0, copy.deepcopy(m21_key))
        part.insert(0, {"treble": clef.TrebleClef, "treble8vb": clef.Treble8vbClef,
                        "bass": clef.BassClef}[CLEFS.get(v.name, "treble")]())
        last_figure = None
        for sp, s, e in zip(spelt[i], v.starts, v.ends):
            start, end = _notatable(s), _notatable(e)
            if end <= start:
                continue
            n = note.Note(sp.music21_name, quarterLength=end - start)
            if numerals and i == len(voices) - 1 and len(voices) > 1 and (start + lead) % 1 == 0:
                names = []
                for k, other in enumerate(voices):
                    at = _sounding_index(other, float(s))
                    if at is not None:
                        names.append(spelt[k][at].music21_name)
                figure = chord_numeral(names, m21_key)
                if figure != last_figure:
                    n.addLyric(figure)
                last_figure = figure
            part.insert(start + lead, n)
        if i == 0 and graces is not None:
            for p, s in zip(graces.pitches, graces.starts):
                g = note.Note(spell(int(p), tonic, mode).music21_name).getGrace()
                part.insert(_notatable(s) + lead, g)
        part.makeRests(fillGaps=True, inPlace=True, timeRangeFromBarDuration=True)
        score.insert(0, part)
    return score


def performed_melody(melody: Melody) -> Voice:
    """The melody as a MIDI file plays it: the notes as written, each grace note sounding for
    :data:`GRACE_BEATS` (at most half the note or rest before it) just before the note it ornaments, taken from
    the end of the note before (or from the note itself at the very start).

    Notebook: 11_harmonize_your_melody
    """
    v = melody.voice
    if melody.graces is None or not len(melody.graces):
        return v
    pitches, starts, ends = list(v.pitches), list(v.starts), list(v.ends)
    for at in np.unique(melody.graces.starts):
        group = melody.graces.pitches[np.isclose(melody.graces.starts, at)]
        want = GRACE_BEATS * len(group)
        prev = np.flatnonzero(np.isclose(v.ends, at) & (v.starts < at))
        if at <= 0:  # before the first note: the grace notes take the start of that note
            main = int(np.argmin(v.starts))
            span = min(want, 0.5 * (v.ends[main] - v.starts[main]))
            first, starts[main] = at, at + span
        elif len(prev):  # the note before gives up the end of its time
            span = min(want, 0.5 * (at - v.starts[prev[0]]))
            first = at - span
            ends[prev[0]] = min(ends[prev[0]], first)
        else:  # a rest before: the grace notes sound in it
            before = v.ends[v.ends <= at + 1e-9]
            span = min(want, at - (before.max() if len(before) else 0.0))
            first = at - span
        for k, p in enumerate(group):
            pitches.append(int(p))
            starts.append(first + k * span / len(group))
            ends.append(first + (k + 1) * span / len(group))
    return Voice(v.name, np.array(pitches), np.array(starts), np.array(ends), v.program)


def output_format(path: str | os.PathLike) -> str:
    """``"midi"`` or ``"musicxml"`` from the suffix of ``path`` (:data:`OUTPUT_FORMATS`). Raises ValueError for
    any other suffix.

    Notebook: 11_harmonize_your_melody
    """
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        raise ValueError(f"cannot write '{suffix or 'no suffix'}': the output is MIDI (.mid, .midi) or MusicXML "
                         "(.musicxml, .xml)")
    return OUTPUT_FORMATS[suffix]


def write_setting(setting: Setting | Sequence[Voice], melody: Melody, path: str | os.PathLike,
                  numerals: bool = False) -> Path:
    """Write a setting to ``path`` in the format of its suffix (:func:`output_format`): MIDI on the melody file's
    own tempo map (the melody as :func:`performed_melody` plays it), or MusicXML (:func:`setting_score`, which
    MuseScore and other notation programs open), in the melody's key, metre and place in time. Returns the path.

    Notebook: 11_harmonize_your_melody
    """
    import pretty_midi

    voices = list(setting.voices if isinstance(setting, Setting) else setting)
    path = Path(path)
    fmt = output_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = (melody.tonic, melody.mode)
    if fmt == "musicxml":
        score = setting_score(voices, melody.time_signature, key, melody.anacrusis, melody.graces, numerals)
        score.write("musicxml", fp=str(path))
        return path
    voices[0] = performed_melody(melody).renamed(voices[0].name, voices[0].program)
    voices = [v.shift(melody.offset) for v in voices]
    if melody.pm is None:
        voices_to_midi(voices, tempo=melody.tempo, time_signature=melody.time_signature, key=key).write(str(path))
        return path
    pm = copy.deepcopy(melody.pm)  # keeps the tempo map and metre of the original
    pm.instruments = []
    pm.key_signature_changes = [pretty_midi.KeySignature(key_number(*key), 0.0)]
    for v in voices:
        inst = pretty_midi.Instrument(program=PROGRAM, name=v.name)
        starts, ends = beats_to_seconds(pm, v.starts), beats_to_seconds(pm, v.ends)
        vel = v.velocities if v.velocities is not None else np.full(len(v), 80)
        inst.notes = [pretty_midi.Note(int(ve), int(p), float(s), float(e))
                      for p, s, e, ve in zip(v.pitches, starts, ends, vel)]
        pm.instruments.append(inst)
    pm.write(str(path))
    return path


def numbered_path(path: str | os.PathLike, i: int) -> Path:
    """``OUT-1.mid``, ``OUT-2.mid``, ... for the alternatives written beside ``OUT.mid``.

    Notebook: 11_harmonize_your_melody
    """
    path = Path(path)
    return path.with_name(f"{path.stem}-{i}{path.suffix}")


def harmonize_file(melody_path: str | os.PathLike, out_path: str | os.PathLike | None = None,
                   harmonizer: Harmonizer | None = None, outputs: Sequence[str] = DEFAULT_OUTPUTS,
                   key: str | tuple[int, str] | None = None) -> tuple[Path, Melody]:
    """Harmonize a melody file and write the most likely setting (default: ``NAME-harmonized.mid`` beside the
    melody; MIDI or MusicXML by the suffix): the melody as "Soprano" and the generated voices, on the melody's
    tempo map, metre and key (``key`` or the classifier's). Returns the written path and the :class:`Melody`.
    Raises :class:`InputError` (nothing written) for an unusable melody.

    Notebook: 09_harmonization
    """
    melody_path = Path(melody_path)
    out_path = Path(out_path) if out_path else melody_path.with_name(f"{melody_path.stem}-harmonized.mid")
    output_format(out_path)
    melody = read_melody(melody_path, key)
    harmonizer = harmonizer or Harmonizer.load(outputs=outputs)
    setting = harmonize_melody(melody, harmonizer)
    return write_setting(setting, melody, out_path), melody
