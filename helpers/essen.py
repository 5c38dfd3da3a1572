"""Folk songs of the Essen collection (in music21's corpus) with their phrase endings (notebook 11).

In the Essen ABC files one line of a tune's body is one phrase, but music21's ABC reader forgets the lines. So
:func:`line_note_counts` counts the notes of each body line in the raw text, :func:`read_tune` parses the tune
with music21 and checks that the counts add up to music21's notes; the last note of each line ends a phrase. A
tune whose counts disagree, without one metre (``M: none``, a metre change in the body) or that music21 cannot
read is skipped with the reason. The key is the tune's ``K:`` field (Essen's tonic), read as major. A tune is
a :class:`helpers.phrases.Tune` named ``collection/number``, whose group is its collection. :func:`load_essen`
reads whole collections and caches them under ``data/``.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import numpy as np

from .abc import parse_abc
from .errors import InputError
from .paths import data_dir
from .phrases import Tune
from .readers import part_to_voice, pickup_beats, score_pickup

#: The collections the phrase finder learns from and is judged on (notebook 11).
COLLECTIONS = ("han1", "han2", "ballad30", "ballad40", "ballad50", "ballad60", "ballad70", "ballad80",
               "erk5", "erk30", "boehme20", "variant0")
#: The collections held out from the phrase-ending finder's and the melody key finder's training and choices,
#: where ``bench/phrases.py``, ``bench/keys.py`` and notebook 09 judge them.
TEST_COLLECTIONS = ("han2", "boehme20")
CACHE_VERSION = 3  # 2: ABC accidentals hold to the bar line (helpers.abc.parse_abc); 3: tunes are phrases.Tune
_FIELD = re.compile(r"^\s*[A-Za-z]:")
_PITCH_CLASS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11, "H": 11}
#: Text in a body line that holds no note: comments, chord symbols and annotations, decorations, inline fields,
#: grace notes (music21 gives them no duration; they are left out on both sides).
_NOT_NOTES = re.compile(r'%.*$|"[^"]*"|![^!]*!|\+[^+]*\+|\[[A-Za-z]:[^\]]*\]|\{[^}]*\}')
_CHORD = re.compile(r"\[[^\]]*\]")


def split_tunes(text: str) -> list[str]:
    """The tunes of an ABC file: each from its ``X:`` line up to the next one.

    Notebook: 09_harmonization
    """
    starts = [m.start() for m in re.finditer(r"^X:", text, re.M)]
    return [text[a:b].strip() + "\n" for a, b in zip(starts, starts[1:] + [len(text)])]


def _header_and_body(tune: str) -> tuple[dict[str, str], list[str]]:
    header, body, in_body = {}, [], False
    for line in tune.splitlines():
        if not in_body and _FIELD.match(line):
            key, value = line.split(":", 1)
            header.setdefault(key.strip(), value.strip())
            in_body = key.strip() == "K"
        elif in_body and line.strip() and not line.lstrip().startswith("%"):
            body.append(line)
    return header, body


def line_note_counts(tune: str) -> list[int]:
    """Notes written in each line of a tune's body (after ``K:``): note letters, a chord ``[...]`` counting as
    one; rests, decorations, chord symbols and grace notes do not count. Raises :class:`InputError` if a field
    (e.g. a metre change) stands inside the body.

    Notebook: 09_harmonization
    """
    _, body = _header_and_body(tune)
    counts = []
    for line in body:
        if _FIELD.match(line):
            raise InputError(None, f"a field inside the tune body: {line.strip()!r}")
        clean = _CHORD.sub("C", _NOT_NOTES.sub("", line))
        counts.append(len(re.findall(r"[A-Ga-g]", clean)))
    return [c for c in counts if c]


def _tonic(field: str) -> int:
    match = re.match(r"\s*([A-Ha-h])([b#]?)", field)
    if not match:
        raise InputError(None, f"no tonic in K: {field!r}")
    return (_PITCH_CLASS[match.group(1).upper()] + {"b": -1, "#": 1, "": 0}[match.group(2)]) % 12


def read_tune(tune: str, name: str = "ABC", collection: str = "") -> Tune:
    """One Essen tune (ABC text) as a :class:`~helpers.phrases.Tune` whose group is ``collection``, its phrase
    ends at the ends of its lines (as :attr:`helpers.chorales.Chorale.phrase_ends` are at fermatas). Raises
    :class:`InputError` naming the tune when it has no single metre, music21 cannot read it, or the notes counted
    per line (:func:`line_note_counts`) do not add up to music21's notes.

    Notebook: 09_harmonization
    """
    header, _ = _header_and_body(tune)
    metre = header.get("M", "")
    if not re.fullmatch(r"\d+/\d+", metre):
        raise InputError(name, f"no single metre (M: {metre or 'missing'})")
    try:
        counts = line_note_counts(tune)
    except InputError as exc:
        raise InputError(name, exc.reason) from exc
    score = parse_abc(tune, name)
    part = score.parts[0] if getattr(score, "parts", None) else score
    notes = [n for n in part.flatten().notes if n.quarterLength > 0]
    if sum(counts) != len(notes) or not notes:
        raise InputError(name, f"{sum(counts)} notes counted in the lines, music21 read {len(notes)}")
    first = float(notes[0].offset)
    voice = part_to_voice(part, "Melody", "top", offset=first)
    last_of_line = np.cumsum(counts) - 1
    ends = set()
    for i in last_of_line:  # a line's last note may be tied on: the merged note that holds it ends the phrase
        t = float(notes[i].offset + notes[i].quarterLength) - first
        inside = np.flatnonzero((voice.starts < t - 1e-9) & (t <= voice.ends + 1e-9))
        ends.add(float(voice.ends[inside[-1]]))
    ts = tuple(int(x) for x in metre.split("/"))
    anacrusis = score_pickup(part, first, ts) or pickup_beats(first, ts)
    return Tune(name, collection, voice, ts, anacrusis, _tonic(header.get("K", "C")), "major", tuple(sorted(ends)))


def annotated_key(song: Tune) -> tuple[int, str]:
    """The key Essen gives a tune, as ``(tonic, mode)``: the tonic of its ``K:`` field, and the mode of the third
    above that tonic in the tune (Essen notes a tune as degrees of its tonic and writes no mode): minor when the
    minor third sounds longer than the major third, else major.

    Notebook: none (used by bench/keys.py)
    """
    h = np.bincount(song.voice.pitches % 12, weights=song.voice.ends - song.voice.starts, minlength=12)
    return song.tonic, "minor" if h[(song.tonic + 3) % 12] > h[(song.tonic + 4) % 12] else "major"


def essen_path(collection: str) -> Path:
    """The ABC file of an Essen collection inside music21's corpus. Raises :class:`InputError` if it is missing.

    Notebook: 09_harmonization
    """
    import music21

    path = Path(music21.__file__).parent / "corpus" / "essenFolksong" / f"{collection}.abc"
    if not path.exists():
        raise InputError(path, "no such Essen collection in music21's corpus")
    return path


def first_tunes(collection: str, n: int) -> tuple[list[Tune], list[tuple[str, str]]]:
    """The tunes among the first ``n`` of an Essen collection, read as :func:`load_essen` reads and names them but
    without its cache, and ``(name, reason)`` for each of them skipped: a few seconds for a few dozen tunes, where a
    whole collection takes a minute or more.

    Notebook: 09_harmonization
    """
    songs, skipped = [], []
    for k, tune in enumerate(split_tunes(essen_path(collection).read_text(encoding="utf-8"))[:n], 1):
        try:
            songs.append(read_tune(tune, f"{collection}/{k}", collection))
        except InputError as exc:
            skipped.append((f"{collection}/{k}", exc.reason))
    return songs, skipped


def load_essen(collections: tuple[str, ...] = COLLECTIONS,
               cache: bool = True) -> tuple[list[Tune], list[tuple[str, str]]]:
    """The tunes of the Essen ``collections`` and ``(name, reason)`` for each tune skipped. Parsed once (a few
    minutes) and then read from ``data/essen-vN.pkl``.

    Notebook: none (used by bench/keys.py, bench/phrases.py)
    """
    path = data_dir() / f"essen-v{CACHE_VERSION}.pkl"
    stored: dict = {}
    if cache and path.exists():
        with open(path, "rb") as fh:
            stored = pickle.load(fh)
    changed = False
    for collection in collections:
        if collection in stored:
            continue
        songs, skipped = [], []
        text = essen_path(collection).read_text(encoding="utf-8")
        for k, tune in enumerate(split_tunes(text), 1):
            try:
                songs.append(read_tune(tune, f"{collection}/{k}", collection))
            except InputError as exc:
                skipped.append((f"{collection}/{k}", exc.reason))
        stored[collection], changed = (songs, skipped), True
    if cache and changed:
        with open(path, "wb") as fh:
            pickle.dump(stored, fh)
    songs = [s for c in collections for s in stored[c][0]]
    return songs, [s for c in collections for s in stored[c][1]]
