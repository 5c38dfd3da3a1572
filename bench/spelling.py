"""How often :func:`helpers.theory.spell` writes a note as Bach's scores write it (issue 12 §6).

For every note of every chorale (or the first N: ``python bench/spelling.py N``), the spelling music21's corpus file
gives is compared with ``spell(midi, tonic, mode, next note of the voice)`` and with the rule ``helpers.score`` used
before, which spelt from the key signature alone (sharps in sharp keys, flats in flat keys). Prints the agreement of
both and the most common disagreements of the new rule.
"""

from __future__ import annotations

import sys
from collections import Counter

from music21 import converter

from helpers.chorales import load_chorales
from helpers.theory import signature_sharps, spell

NATURALS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def music21_name(letter: str, alter: int) -> str:
    return letter + ("#" * alter if alter > 0 else "-" * -alter)


def signature_only(midi: int, sharps: int) -> str:
    """The old rule: a black key is a sharp in a sharp key (and in C), a flat in a flat key."""
    pc = midi % 12
    if pc in NATURALS.values():
        return next(n for n, p in NATURALS.items() if p == pc)
    if sharps < 0:
        return next(n for n, p in NATURALS.items() if p == (pc + 1) % 12) + "-"
    return next(n for n, p in NATURALS.items() if p == (pc - 1) % 12) + "#"


def main(limit: int | None = None) -> None:
    chorales = list(load_chorales())[:limit]
    total = new = old = 0
    wrong: Counter = Counter()
    for c in chorales:
        for part in converter.parse(c.source).parts:
            notes = [n for n in part.flatten().notes if n.isNote]
            for i, n in enumerate(notes):
                following = notes[i + 1].pitch.midi if i + 1 < len(notes) else None
                s = spell(n.pitch.midi, c.tonic, c.mode, following)
                written = n.pitch.name
                total += 1
                new += music21_name(s.letter, s.alter) == written
                old += signature_only(n.pitch.midi, signature_sharps(c.tonic, c.mode)) == written
                if music21_name(s.letter, s.alter) != written:
                    wrong[(c.mode, written, music21_name(s.letter, s.alter))] += 1
    print(f"{len(chorales)} chorales, {total} notes: spelt as Bach wrote them {new / total:.2%} "
          f"(key and next note), {old / total:.2%} (key signature only, the old rule)")
    print("most common disagreements (mode, Bach, spell):", wrong.most_common(10))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else None)
