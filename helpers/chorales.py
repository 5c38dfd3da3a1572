"""The Bach chorales: the course's dataset (notebooks 00 and 07–10; 05 uses the soprano lines).

:func:`load_chorales` reads the four-part chorales shipped inside ``music21`` (no download) or a folder of MIDI
files with one track per voice (the layout of the public "infinite-bach" set: soprano in track 0, alto in
track 1, ...). It returns a :class:`ChoraleSet`: the usable chorales, each with its key from the soprano's key
signature and a melody-group id, plus ``skipped``, every file left out with the reason. Parsed music21 chorales
are cached under ``data/``. :func:`grouped_split` keeps all harmonisations of one tune on one side of a split;
:func:`course_split` is the one split the whole course uses.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from .errors import InputError
from .midi import Voice, load_midi, midi_to_voices, voices_to_midi, write_midi
from .paths import data_dir
from .pianoroll import HIGH, LOW, STEPS_PER_BEAT, n_steps_of, voice_to_pianoroll, voice_to_steps
from .readers import (
    CHORALE_CHORDS,
    FORMATS,
    bar_beats,
    ends_holding,
    fermata_onsets,
    midi_key,
    midi_tempo,
    midi_time_signature,
    parse_score,
    part_to_voice,
    pickup_beats,
    score_key_signature,
    score_pickup,
    score_time_signature,
)
from .theory import MODES, key_name, signature_sharps
from .tunes import (
    SETTING_THRESHOLD,
    TUNE_THRESHOLD,
    chord_sequence,
    melody_notes,
    merge_tunes,
    same_settings,
    soprano_similarity,
    tune_groups,
    without_written_repeat,
)

VOICES = ("Soprano", "Alto", "Tenor", "Bass")
CACHE_VERSION = 7  # 5: melody groups from whole sopranos (helpers.tunes); 6: phrase endings (fermatas); 7: tunes
# joined across written-out repeats and shared four-part settings
DEFAULT_TEMPO = 90.0
CHOIR = 52  # General MIDI program of the voices: Choir Aahs


@dataclass(frozen=True, eq=False)
class Chorale:
    """A four-part chorale on a beat grid.

    ``voices`` maps "Soprano", "Alto", "Tenor", "Bass" to :class:`~helpers.midi.Voice` (times in quarter-note
    beats, the first note of the piece at beat 0). ``tonic`` (pitch class, 0 = C) and ``mode`` come from the
    soprano's key signature; ``anacrusis`` is the length of a pickup in beats (0 if the piece starts on a
    downbeat); ``tune`` is the tune id (chorales whose sopranos are one tune share it) and ``group`` the melody-group
    id (tunes that share a four-part setting share it; :func:`assign_melody_groups`); ``phrase_ends``: the beats where
    the soprano's fermata notes end (:func:`helpers.readers.fermata_ends`; empty if the file marks none, as MIDI
    files never do).

    Notebook: 07_midi_and_pianorolls
    """

    name: str
    voices: dict[str, Voice]
    tonic: int
    mode: str
    time_signature: tuple[int, int] = (4, 4)
    tempo: float = DEFAULT_TEMPO
    anacrusis: float = 0.0
    group: int = -1
    source: str = ""
    phrase_ends: tuple[float, ...] = ()
    tune: int = -1

    @property
    def key_name(self) -> str:
        """The key as ``'G minor'``."""
        return key_name(self.tonic, self.mode)

    @property
    def sharps(self) -> int:
        """Sharps (+) or flats (−) of the key signature."""
        return signature_sharps(self.tonic, self.mode)

    @property
    def n_beats(self) -> float:
        """Length in quarter-note beats."""
        return max(v.end for v in self.voices.values())

    def n_steps(self, steps_per_beat: int = STEPS_PER_BEAT) -> int:
        """Length in grid steps."""
        return n_steps_of(list(self.voices.values()), steps_per_beat)

    def pianoroll(self, voices: Sequence[str] = VOICES, steps_per_beat: int = STEPS_PER_BEAT, low: int = LOW,
                  high: int = HIGH) -> np.ndarray:
        """Boolean pianoroll ``(high - low, steps)`` of the chosen voices together."""
        return voice_to_pianoroll([self.voices[v] for v in voices], steps_per_beat, low, high,
                                  self.n_steps(steps_per_beat))

    def steps(self, steps_per_beat: int = STEPS_PER_BEAT) -> tuple[np.ndarray, np.ndarray]:
        """Step sequences of the four voices: ``pitch`` ``(4, steps)`` (−1 = rest) and ``onset`` ``(4, steps)``.
        Computed once per chorale and grid, then read-only (the metrics and notebooks 09–11 ask for them thousands of
        times; changing them in place raises instead of changing the chorale)."""
        def make() -> tuple[np.ndarray, np.ndarray]:
            n = self.n_steps(steps_per_beat)
            pairs = [voice_to_steps(self.voices[v], steps_per_beat, n) for v in VOICES]
            pitch, onset = np.stack([p for p, _ in pairs]), np.stack([o for _, o in pairs])
            pitch.setflags(write=False)
            onset.setflags(write=False)
            return pitch, onset

        return self.memo(("steps", steps_per_beat), make)

    def memo(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """``make()``, computed once per chorale and ``key`` (a chorale never changes): its step sequences and its
        transpositions.

        Notebook: 09_harmonization
        """
        memo = self.__dict__.setdefault("_memo", {})
        if key not in memo:
            memo[key] = make()
        return memo[key]

    def __getstate__(self) -> dict:
        """What a pickle keeps (the chorale cache): the fields, not what :meth:`memo` computed from them."""
        return {k: v for k, v in self.__dict__.items() if k != "_memo"}

    def transpose(self, semitones: int) -> Chorale:
        """The chorale ``semitones`` higher, key included; made once per chorale and interval (:meth:`memo`: the
        harmonizers move each chorale to C major or A minor every time they read it)."""
        return self.memo(("transpose", int(semitones)), lambda: replace(
            self, voices={k: v.transpose(semitones) for k, v in self.voices.items()},
            tonic=(self.tonic + semitones) % 12))

    def to_midi(self, tempo: float | None = None):
        """A :class:`pretty_midi.PrettyMIDI` with tracks Soprano, Alto, Tenor, Bass, tempo, metre and key."""
        return voices_to_midi([self.voices[v] for v in VOICES], tempo or self.tempo, self.time_signature,
                              (self.tonic, self.mode))


class ChoraleSet(Sequence):
    """The loaded chorales (a sequence of :class:`Chorale`) and ``skipped``: ``(name, reason)`` for every file
    that was left out.

    Notebook: 07_midi_and_pianorolls
    """

    def __init__(self, chorales: list[Chorale], skipped: list[tuple[str, str]], source: str):
        self.chorales = chorales
        self.skipped = skipped
        self.source = source

    def __len__(self) -> int:
        return len(self.chorales)

    def __getitem__(self, index):
        return self.chorales[index]

    def __iter__(self) -> Iterator[Chorale]:
        return iter(self.chorales)

    def __repr__(self) -> str:
        return f"<ChoraleSet: {len(self)} chorales from {self.source}, {len(self.skipped)} skipped>"

    def by_name(self, name: str) -> Chorale:
        """The chorale called ``name`` (KeyError if none)."""
        for c in self.chorales:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def groups(self) -> np.ndarray:
        """Melody-group id of every chorale, for grouped cross-validation (e.g. scikit-learn's GroupKFold)."""
        return np.array([c.group for c in self.chorales])

    def skip_reasons(self) -> dict[str, int]:
        """How many files were skipped for each kind of reason (the reason without its file-specific details).

        Notebook: 00_setup
        """
        kinds: dict[str, int] = {}
        for _, reason in self.skipped:
            kind = re.sub(r"\s*\(.*\)$|\s+of \S+$", "", reason)
            kinds[kind] = kinds.get(kind, 0) + 1
        return dict(sorted(kinds.items(), key=lambda kv: -kv[1]))

    def summary(self, full: bool = False) -> str:
        """A short report: how many loaded, how many skipped, and why by kind; ``full=True`` lists every file.

        Notebook: 00_setup
        """
        head = f"{len(self)} chorales loaded from {self.source}; {len(self.skipped)} files skipped"
        if full:
            return "\n".join([head] + [f"  skipped {name}: {reason}" for name, reason in self.skipped])
        kinds = "; ".join(f"{n} × {kind}" for kind, n in self.skip_reasons().items())
        return f"{head}{': ' + kinds if kinds else ''}"


# ---------------------------------------------------------------------------------------------- music21 corpus

def _music21_paths() -> list[Path]:
    from music21 import corpus

    return sorted(Path(p) for p in corpus.getComposer("bach"))


def parse_music21(path: str | os.PathLike) -> Chorale:
    """Parse one chorale file of the music21 corpus. Raises :class:`InputError` (file and reason) if unusable.

    Notebook: 07_midi_and_pianorolls
    """
    from music21 import key

    path = Path(path)
    name = path.stem
    if FORMATS.get(path.suffix) not in ("musicxml", "humdrum"):
        raise InputError(path, f"'{path.suffix}' is not a score format the loader reads (Roman-numeral analysis?)")
    score = parse_score(path)
    parts = {}
    for part in score.parts:
        # "Soprano\rOboe 1,2\rViolin1" and "Soprano Oboe 1 Violin1" name the soprano; "Soprano 1" does not
        label = re.split(r"[\r\n]| (?=[A-Z])", (part.partName or part.id or "").strip())[0].strip().lower()
        for v in VOICES:
            if label == v.lower() and v not in parts:
                parts[v] = part
    missing = [v for v in VOICES if v not in parts]
    if missing:
        names = [p.partName for p in score.parts]
        raise InputError(path, f"no {'/'.join(missing)} part (parts: {names})")
    soprano = parts["Soprano"]
    sig = score_key_signature(soprano)
    if sig is None:
        raise InputError(path, "the soprano part has no key signature")
    if not isinstance(sig, key.Key) or sig.mode not in MODES:
        raise InputError(path, f"the soprano's key signature does not give a major or minor mode ({sig})")
    ts = score_time_signature(soprano)
    offset0 = min(float(parts[v].flatten().notes.first().offset) for v in VOICES
                  if parts[v].flatten().notes.first() is not None)
    anacrusis = score_pickup(soprano, offset0, ts)
    fermatas = fermata_onsets(soprano, offset0)  # before the ties are merged, which drops tied continuations
    voices = {v: part_to_voice(parts[v], v, CHORALE_CHORDS[v], offset0, CHOIR, in_place=True) for v in VOICES}
    empty = [v for v in VOICES if not len(voices[v])]
    if empty:
        raise InputError(path, f"the {'/'.join(empty)} part has no notes")
    ends = ends_holding(voices["Soprano"], fermatas)
    return Chorale(name, voices, sig.tonic.pitchClass, sig.mode, ts, DEFAULT_TEMPO, anacrusis, -1, str(path), ends)


def _parse_or_reason(path: Path) -> Chorale | tuple[str, str]:
    try:
        return parse_music21(path)
    except InputError as exc:
        return (path.stem, exc.reason)


# ------------------------------------------------------------------------------------------------ MIDI folders

def _match_voices(tracks: list[Voice], path: Path) -> dict[str, Voice]:
    """Choose the S, A, T, B tracks of a MIDI file; raise InputError if that cannot be done safely."""
    named = {t.name.strip().lower(): t for t in tracks if len(t)}
    if all(v.lower() in named for v in VOICES):
        return {v: named[v.lower()].renamed(v, CHOIR) for v in VOICES}
    sounding = [t for t in tracks if len(t)]
    if len(sounding) == 4:
        return {v: t.renamed(v, CHOIR) for v, t in zip(VOICES, sounding)}
    if len(sounding) == 1:
        raise InputError(path, "a single track: the voices are not separated")
    if len(sounding) < 4:
        raise InputError(path, f"only {len(sounding)} tracks with notes, four voices needed")
    raise InputError(path, f"{len(sounding)} tracks with notes and none named Soprano/Alto/Tenor/Bass: "
                          "cannot tell which are the voices")


def load_chorale_midi(path: str | os.PathLike) -> Chorale:
    """Read one chorale MIDI file (one track per voice, soprano first). Raises :class:`InputError` if unusable:
    not a readable MIDI file, fewer than four voice tracks, more without voice names, no key signature.

    Notebook: 07_midi_and_pianorolls
    """
    path = Path(path)
    pm = load_midi(path)
    voices = _match_voices(midi_to_voices(pm), path)
    key = midi_key(pm)
    if key is None:
        raise InputError(path, "no key signature, so the key and mode are unknown")
    tonic, mode = key
    start = min(float(v.starts.min()) for v in voices.values())
    voices = {k: v.shift(-start) for k, v in voices.items()}
    time_signature = midi_time_signature(pm)
    anacrusis = pickup_beats(start, time_signature)
    tempo = midi_tempo(pm, DEFAULT_TEMPO)
    return Chorale(path.stem, voices, tonic, mode, time_signature, tempo, anacrusis, -1, str(path))


def export_midi_folder(chorales: Sequence[Chorale], folder: str | os.PathLike, track_names: bool = True) -> list[Path]:
    """Write each chorale as ``folder/NAME.mid``: four tracks S, A, T, B, with tempo, metre and key signature.

    With ``track_names=False`` the tracks are left unnamed, as in many files of the public "infinite-bach" set.

    Notebook: 07_midi_and_pianorolls
    """
    folder = Path(folder)
    paths = []
    for c in chorales:
        voices = [c.voices[v] if track_names else c.voices[v].renamed("") for v in VOICES]
        pickup = (bar_beats(c.time_signature) - c.anacrusis) if c.anacrusis else 0.0
        voices = [v.shift(pickup) for v in voices]  # a pickup stands at the end of a silent first bar, as in MIDI
        paths.append(write_midi(voices, folder / f"{c.name}.mid", tempo=c.tempo,
                                time_signature=c.time_signature, key=(c.tonic, c.mode)))
    return paths


# ----------------------------------------------------------------------------------- duplicates, melody groups

def _fingerprint(c: Chorale) -> str:
    h = hashlib.sha1()
    for v in VOICES:
        voice = c.voices[v]
        h.update(voice.pitches.astype(np.int64).tobytes())
        h.update(np.round(voice.starts * 48).astype(np.int64).tobytes())
        h.update(np.round(voice.ends * 48).astype(np.int64).tobytes())
    return h.hexdigest()


def drop_duplicates(chorales: list[Chorale]) -> tuple[list[Chorale], list[tuple[str, str]]]:
    """Keep the first of chorales whose four voices are identical; report the others as skipped.

    Notebook: 07_midi_and_pianorolls
    """
    seen: dict[str, str] = {}
    kept, skipped = [], []
    for c in chorales:
        fp = _fingerprint(c)
        if fp in seen:
            skipped.append((c.name, f"exact duplicate of {seen[fp]}"))
        else:
            seen[fp] = c.name
            kept.append(c)
    return kept, skipped


def assign_melody_groups(chorales: list[Chorale], threshold: float = TUNE_THRESHOLD,
                         setting_threshold: float = SETTING_THRESHOLD) -> list[Chorale]:
    """Give chorales their ``tune`` and melody ``group`` ids.

    Two chorales share a tune when their whole sopranos, one laid on the other's key, agree note for note on at
    least ``threshold`` of their notes (:func:`helpers.tunes.soprano_similarity`: longest common subsequence,
    durations ignored); tunes are the connected components of that relation, numbered in order of first
    appearance (:func:`helpers.tunes.tune_groups`). A melody group joins the tunes of chorales that are one tune once a
    written-out repeat of their opening is removed (:func:`helpers.tunes.without_written_repeat`), and of chorales
    that are one setting. Two chorales are one setting when the shorter one's chords, one
    per beat, recur in order in the other for at least ``setting_threshold`` of them
    (:func:`helpers.tunes.same_settings`). A melody group takes the smallest id of its tunes.

    Notebook: 07_midi_and_pianorolls
    """
    sopranos = [c.voices["Soprano"].pitches for c in chorales]
    tunes = tune_groups(soprano_similarity(sopranos), threshold)
    notes = [melody_notes(s) for s in sopranos]
    once = [without_written_repeat(n) for n in notes]
    shortened = [k for k, (n, o) in enumerate(zip(notes, once, strict=True)) if len(o) < len(n)]
    # only pairs with a shortened soprano can differ from the comparison above (the others are one tune already)
    similarity = soprano_similarity(once, rows=shortened)
    close = np.triu(np.nan_to_num(similarity) >= threshold, 1)
    pairs = [(int(a), int(b), float(similarity[a, b])) for a, b in zip(*np.nonzero(close), strict=True)]
    pairs += same_settings([chord_sequence(c.steps(1)[0]) for c in chorales], sopranos, setting_threshold)
    groups = merge_tunes(tunes, pairs)
    return [replace(c, tune=int(t), group=int(g)) for c, t, g in zip(chorales, tunes, groups, strict=True)]


def grouped_split(chorales: Sequence[Chorale], test_fraction: float,
                  seed: int) -> tuple[list[Chorale], list[Chorale]]:
    """Split into (train, test) by melody group: every group lies wholly on one side.

    The tunes are shuffled with ``seed``; in that order each tune takes its whole melody group (its own settings
    and those of the tunes that share a setting with it) to the test side, until that side holds about
    ``test_fraction`` of the chorales. Raises ValueError for a fraction outside (0, 1) or chorales without groups.
    The course's own split is :func:`course_split`.

    Notebook: 07_midi_and_pianorolls
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must lie between 0 and 1, not {test_fraction}")
    groups = np.array([c.group for c in chorales])
    tunes = np.array([c.tune for c in chorales])
    if (groups < 0).any() or (tunes < 0).any():
        raise ValueError("chorales have no melody groups yet (use load_chorales or assign_melody_groups)")
    group_of = dict(zip(tunes.tolist(), groups.tolist(), strict=True))
    sizes = {g: int((groups == g).sum()) for g in set(group_of.values())}
    test_groups, count = set(), 0
    for t in np.random.default_rng(seed).permutation(np.unique(tunes)):
        if count >= test_fraction * len(chorales):
            break
        if group_of[int(t)] not in test_groups:
            test_groups.add(group_of[int(t)])
            count += sizes[group_of[int(t)]]
    train = [c for c in chorales if c.group not in test_groups]
    test = [c for c in chorales if c.group in test_groups]
    return train, test


def course_split(chorales: Sequence[Chorale]) -> tuple[list[Chorale], list[Chorale]]:
    """The course's one split into (train, test): :func:`grouped_split` with a fifth of the chorales on the test
    side, seed 0. Every notebook, bench script and command that speaks of training and test tunes means this one;
    the shipped networks learned from its training side (:func:`helpers.harmonize.recipes.tunes_of`).

    Notebook: 07_midi_and_pianorolls
    """
    return grouped_split(chorales, test_fraction=0.2, seed=0)


# ------------------------------------------------------------------------------------------------- the loader

def cache_path() -> Path:
    """Where the parsed music21 chorales are cached: ``data/chorales-music21-VERSION-vN.pkl``.

    Notebook: 00_setup
    """
    import music21

    return data_dir() / f"chorales-music21-{music21.__version__}-v{CACHE_VERSION}.pkl"


def _finish(parsed: list[Chorale], skipped: list[tuple[str, str]], source: str) -> ChoraleSet:
    parsed = sorted(parsed, key=lambda c: _natural_key(c.name))
    kept, dups = drop_duplicates(parsed)
    return ChoraleSet(assign_melody_groups(kept), skipped + dups, source)


def _natural_key(name: str) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def load_chorales(source: str | os.PathLike | None = None, cache: bool = True,
                  workers: int | None = None) -> ChoraleSet:
    """Load the Bach chorales.

    ``source=None``: the chorales in the music21 corpus (parsed in parallel on ``workers`` processes the first time,
    with a progress bar on stderr, then read from the cache in ``data/``). A folder path: every ``*.mid``/``*.midi``
    file in it, one track per voice (S, A, T, B). Files that cannot be used are listed in ``.skipped`` with the
    reason; exact duplicates are dropped (and listed). Raises :class:`InputError` if a folder does not exist or holds
    no MIDI files.

    Notebook: 00_setup
    """
    if source is not None:
        folder = Path(source)
        if not folder.is_dir():
            raise InputError(folder, "no such folder")
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".mid", ".midi"))
        if not files:
            raise InputError(folder, "no .mid or .midi files in this folder")
        parsed, skipped = [], []
        for f in files:
            try:
                parsed.append(load_chorale_midi(f))
            except InputError as exc:
                skipped.append((f.name, exc.reason))
        return _finish(parsed, skipped, str(folder))

    path = cache_path()
    if cache and path.exists():
        with open(path, "rb") as fh:
            return pickle.load(fh)
    paths = _music21_paths()
    workers = workers or os.cpu_count() or 1
    progress = {"total": len(paths), "desc": "parsing the chorales (once; cached afterwards)", "unit": "file",
                "file": sys.stderr, "leave": False}
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(tqdm(pool.map(_parse_or_reason, paths, chunksize=8), **progress))
    else:
        results = [_parse_or_reason(p) for p in tqdm(paths, **progress)]
    parsed = [r for r in results if isinstance(r, Chorale)]
    skipped = [r for r in results if not isinstance(r, Chorale)]
    chorales = _finish(parsed, skipped, "the music21 corpus (Bach)")
    if cache:
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(chorales, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    return chorales
