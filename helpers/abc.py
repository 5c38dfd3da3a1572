"""ABC, the text notation of folk tunes, read through music21 as the ABC standard 2.1 says (notebook 11, the
Essen folk songs of :mod:`helpers.essen`): :func:`parse_abc` keeps fermatas (music21 drops them), holds an
accidental to the bar line and refuses junk music21 would skip in silence (:func:`check_abc_syntax`).
"""

from __future__ import annotations

import os
import re

from .errors import InputError

#: ABC decorations that mark a fermata (``H`` is the short form); music21's ABC reader drops them all.
_ABC_FERMATAS = re.compile(r"^[!+](inverted)?fermata[!+]$")
#: What :func:`_mark_abc_fermatas` leaves alone in a line of ABC music: text in quotes, ``!decorations!`` and
#: ``+decorations+``, inline fields such as ``[K:G]``.
_ABC_SKIP = re.compile(r'("[^"]*"|![^!\s]*!|\+[^+\s]*\+|\[[A-Za-z]:[^\]]*\])')
_ABC_FIELD = re.compile(r"^\s*[A-Za-z+]:")
_ABC_TUNE_START = re.compile(r"^\s*X:")



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
    ``#``, ``;`` ...; a letter that is not a note or a decoration is a typo), a ``]`` that closes no chord (``]]``), a
    chord ``[`` not closed before the bar line, a slur ``(`` never closed or a ``)`` that closes none. Only the first
    tune's music is read (after its ``K:`` line, up to an empty line or the next ``X:``); quotes, decorations, inline
    fields and ``%`` comments are skipped. Raises :class:`InputError` (named ``source``, default ``"ABC"``) that names
    the line and column (counted from 1).

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
