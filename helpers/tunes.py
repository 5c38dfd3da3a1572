"""Which chorales harmonise the same tune: whole sopranos aligned note by note.

Bach set many chorale tunes several times, often in another key, with a passing note added here and a pickup
there. Two settings of one tune must never sit on both sides of a train/test split, so the course groups the
chorales by tune before it splits them:

1. each soprano becomes its sequence of notes (MIDI pitches, durations ignored, repeated notes merged);
2. two sopranos are compared after moving one onto the other's key (the transposition that best matches their
   pitch-class histograms, then the octave that best matches their median pitch): their similarity is
   ``2 · LCS / (m + n)``, where LCS is the length of their longest common subsequence of notes and m, n their
   lengths (1 for the same tune note for note; one inserted passing note costs one note, not a whole phrase);
3. chorales whose similarity reaches :data:`TUNE_THRESHOLD` are the same tune, and tunes are the connected
   components of that relation (the transitive closure);
4. many chorale tunes repeat their opening lines (bar form, A A B), and some files write the repeat out while
   others do not: the written-out soprano is then much longer than its twin and ``2 · LCS / (m + n)`` falls below
   the threshold (bwv78.7 and bwv353, 0.73). So the sopranos are compared once more with a written-out repeat of
   their opening removed (:func:`without_written_repeat`), and chorales that reach the threshold then are one tune
   too;
5. one four-part setting can also hide under two tunes in other ways, e.g. as a short excerpt of a longer piece.
   So the settings are also compared by containment,
   ``LCS / min(m, n)``, of their sequences of four-voice chords, one per beat (:func:`chord_sequence`); two
   chorales that reach :data:`SETTING_THRESHOLD` are one setting, and a melody group joins the tunes linked by a
   shared setting (:func:`same_settings`, :func:`merge_tunes`).

Notebook 07 shows the distribution of the similarities and where the threshold lies.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Similarity at or above which two sopranos count as one tune. Over the 400 music21 chorales the pairwise
#: similarities fall steeply to a trough between 0.78 and 0.80 (about a dozen pairs per 0.01), with the
#: settings of one tune above it; below 0.76 chains of merely similar tunes start to join unrelated groups.
TUNE_THRESHOLD = 0.78

#: Chord containment ``LCS / min(m, n)`` at or above which two chorales are one setting (:func:`same_settings`).
#: Over the 400 music21 chorales, three pairs on different tunes reach it: bwv20.7 and bwv20.11 (1.00), bwv120.8-a
#: and bwv137.5 (1.00), bwv10.7 and bwv324 (0.96); the next such pair lies at 0.62. Within a tune, copies of one
#: setting reach 0.86 or more and different settings 0.78 or less (notebook 07).
SETTING_THRESHOLD = 0.8

#: The shortest opening (in notes) whose immediate repetition counts as a written-out repeat: two phrases of a
#: chorale tune hold ten notes or more; shorter repeats are motifs (bwv359 opens with a six-note motif twice).
REPEAT_SHORTEST = 10

#: Pairs whose similarity provably lies below this are not aligned (their entry is NaN): see
#: :func:`soprano_similarity`.
FLOOR = 0.7


def melody_notes(pitches: np.ndarray) -> np.ndarray:
    """The note sequence of a melody: its MIDI pitches with repeated notes merged into one.

    Notebook: 07_midi_and_pianorolls
    """
    p = np.asarray(pitches, dtype=np.int64)
    return p[np.r_[True, p[1:] != p[:-1]]] if len(p) else p


def without_written_repeat(notes: np.ndarray, shortest: int = REPEAT_SHORTEST) -> np.ndarray:
    """A note sequence with a written-out repeat of its opening removed: if the first k notes come again at once
    (A A B), the second A is dropped, for the largest such k of at least ``shortest`` notes (shorter repeats are
    motifs, not repeated lines). Sequences without such a repeat come back unchanged.

    Notebook: 07_midi_and_pianorolls
    """
    notes = np.asarray(notes)
    for k in range(len(notes) // 2, shortest - 1, -1):
        if np.array_equal(notes[:k], notes[k:2 * k]):
            return np.concatenate([notes[:k], notes[2 * k:]])
    return notes


def lcs_lengths(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Longest common subsequence lengths of many pairs at once.

    ``a`` and ``b`` are integer arrays of shape (pairs, length), padded with values that match nothing in the
    other array (e.g. −1 in ``a`` and −2 in ``b``). The dynamic programme runs over the rows of ``a``; within a
    row, ``L[i, j] = max(L[i−1, j], L[i−1, j−1] + match, L[i, j−1])`` is a running maximum along j, so each row
    is two vectorised operations. Returns an int array of shape (pairs,).

    Notebook: 07_midi_and_pianorolls
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim != 2 or b.ndim != 2 or len(a) != len(b):
        raise ValueError(f"need two (pairs, length) arrays with the same number of pairs, got {a.shape}, {b.shape}")
    prev = np.zeros((len(a), b.shape[1] + 1), dtype=np.int32)
    for i in range(a.shape[1]):
        step = np.maximum(prev[:, 1:], prev[:, :-1] + (a[:, i:i + 1] == b))
        prev[:, 1:] = np.maximum.accumulate(step, axis=1)
    return prev[:, -1].copy()


def longest_common_runs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Longest common run (contiguous, no gaps) of many pairs at once, padded as for :func:`lcs_lengths`.

    Row by row, ``R[i, j] = R[i−1, j−1] + 1`` where the notes match, else 0; the answer is the largest entry.
    Returns an int array of shape (pairs,).

    Notebook: 07_midi_and_pianorolls
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim != 2 or b.ndim != 2 or len(a) != len(b):
        raise ValueError(f"need two (pairs, length) arrays with the same number of pairs, got {a.shape}, {b.shape}")
    prev = np.zeros((len(a), b.shape[1] + 1), dtype=np.int32)
    best = np.zeros(len(a), dtype=np.int32)
    for i in range(a.shape[1]):
        cur = np.zeros_like(prev)
        cur[:, 1:] = np.where(a[:, i:i + 1] == b, prev[:, :-1] + 1, 0)
        best = np.maximum(best, cur.max(axis=1))
        prev = cur
    return best


def best_transpositions(sequences: Sequence[np.ndarray], i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Semitones to add to sequence ``j[k]`` to lay it on sequence ``i[k]``, for every pair k.

    The pitch class shift maximises the correlation of the two pitch-class histograms (note counts); the octave
    then brings the medians closest.

    Notebook: 07_midi_and_pianorolls
    """
    pcs = np.stack([np.bincount(s % 12, minlength=12) for s in sequences]).astype(float)
    corr = np.stack([(pcs[i] * np.roll(pcs, k, axis=1)[j]).sum(1) for k in range(12)], axis=1)
    shift = corr.argmax(axis=1)
    shift = np.where(shift > 6, shift - 12, shift)
    median = np.array([np.median(s) for s in sequences])
    return shift + 12 * np.round((median[i] - median[j] - shift) / 12).astype(int)


def soprano_similarity(melodies: Sequence[np.ndarray], floor: float = FLOOR, chunk: int = 8192,
                       rows: Sequence[int] | None = None) -> np.ndarray:
    """Pairwise similarity ``2 · LCS / (m + n)`` of melodies (MIDI pitch arrays), each pair transposed to fit.

    Returns a symmetric (n, n) float array with ones on the diagonal. A pair is aligned only when the multiset
    of its shared pitches (an upper bound on the LCS) allows a similarity of at least ``floor``; the other pairs
    are NaN: their similarity is below ``floor`` for certain. With ``rows`` (melody indices), only the pairs that
    include one of those melodies are compared, and the others are NaN too.

    Notebook: 07_midi_and_pianorolls
    """
    seqs = [melody_notes(m) for m in melodies]
    n = len(seqs)
    sim = np.full((n, n), np.nan)
    np.fill_diagonal(sim, 1.0)
    if n < 2:
        return sim
    lens = np.array([len(s) for s in seqs])
    i, j = np.triu_indices(n, 1)
    if rows is not None:
        mine = np.isin(i, rows) | np.isin(j, rows)
        i, j = i[mine], j[mine]
    shift = best_transpositions(seqs, i, j)
    keep = 2 * shared_notes_bound(seqs, i, j, shift, chunk) / (lens[i] + lens[j]) >= floor
    i, j, shift = i[keep], j[keep], shift[keep]
    sim[i, j] = sim[j, i] = 2 * pair_lcs(seqs, i, j, shift, chunk) / (lens[i] + lens[j])
    return sim


def shared_notes_bound(seqs: Sequence[np.ndarray], i: np.ndarray, j: np.ndarray, shift: np.ndarray,
                       chunk: int = 8192) -> np.ndarray:
    """For every pair k, the number of notes ``seqs[i[k]]`` and ``seqs[j[k]] + shift[k]`` share as multisets of
    pitches: an upper bound on their LCS, cheap to compute for every pair.

    Notebook: 07_midi_and_pianorolls
    """
    if not len(i):
        return np.zeros(0, dtype=int)
    width = 128 + 2 * 24
    hist = np.stack([np.bincount(np.clip(s + 24, 0, width - 1), minlength=width) for s in seqs])
    cols = np.clip(np.arange(width)[None, :] - np.asarray(shift)[:, None], 0, width - 1)
    return np.concatenate([np.minimum(hist[i[s]], np.take_along_axis(hist[j[s]], cols[s], 1)).sum(1)
                           for s in np.array_split(np.arange(len(i)), max(1, len(i) // chunk))])


def pair_lcs(seqs: Sequence[np.ndarray], i: np.ndarray, j: np.ndarray, shift: np.ndarray,
             chunk: int = 8192) -> np.ndarray:
    """For every pair k, the LCS length of ``seqs[i[k]]`` and ``seqs[j[k]] + shift[k]`` (:func:`lcs_lengths` in
    chunks of ``chunk`` pairs).

    Notebook: 07_midi_and_pianorolls
    """
    if not len(i):
        return np.zeros(0, dtype=int)
    lens = np.array([len(s) for s in seqs])
    padded = np.full((len(seqs), max(1, lens.max())), -1000, dtype=np.int64)
    for k, s in enumerate(seqs):
        padded[k, :len(s)] = s
    shift = np.asarray(shift)
    return np.concatenate([lcs_lengths(padded[i[s]], np.where(padded[j[s]] >= 0, padded[j[s]] + shift[s, None], -2000))
                           for s in np.array_split(np.arange(len(i)), max(1, len(i) // chunk))])


def chord_sequence(pitches: np.ndarray) -> np.ndarray:
    """The chords of a setting, one integer per beat: ``pitches`` is a (voices, beats) array of the MIDI pitches
    sounding on each beat (−1 or 0 = rest, as :meth:`Chorale.steps` gives them), highest voice first; beats where a
    voice rests are left out and a chord held over several beats counts once. Code: ``((s·128 + a)·128 + t)·128 + b``
    for four voices.

    Notebook: 07_midi_and_pianorolls
    """
    p = np.asarray(pitches, dtype=np.int64)
    p = p[:, (p > 0).all(axis=0)]
    code = np.zeros(p.shape[1], dtype=np.int64)
    for row in p:
        code = code * 128 + row
    return code[np.r_[True, code[1:] != code[:-1]]] if len(code) else code


def same_settings(chords: Sequence[np.ndarray], sopranos: Sequence[np.ndarray],
                  threshold: float = SETTING_THRESHOLD) -> list[tuple[int, int, float]]:
    """Pairs ``(a, b, containment)`` of settings whose chord sequences (:func:`chord_sequence`) agree on at least
    ``threshold`` of the shorter one's chords: ``LCS / min(m, n)``, the second setting moved by the transposition
    that lays its soprano (``sopranos``, MIDI pitches) on the first's. A setting written out with its repeat
    contains its twin whole; two settings of one tune by different harmonisations share few exact chords.

    Only pairs that can reach ``threshold`` are aligned: those whose chords, taken as intervals below the top
    voice (which a transposition keeps), share enough as multisets.

    Notebook: 07_midi_and_pianorolls
    """
    n = len(chords)
    if n < 2:
        return []
    chords = [np.asarray(c, dtype=np.int64) for c in chords]
    voices = 4
    digits = [np.stack([(c // 128 ** (voices - 1 - k)) % 128 for k in range(voices)]) for c in chords]
    shapes = [[tuple(x) for x in (d[0] - d[1:]).T.tolist()] for d in digits]  # intervals below the top voice
    index = {code: k for k, code in enumerate(sorted({x for shape in shapes for x in shape}))}
    hist = np.zeros((n, max(1, len(index))), dtype=np.int32)
    for k, shape in enumerate(shapes):
        np.add.at(hist[k], [index[x] for x in shape], 1)
    lens = np.array([len(c) for c in chords])
    i, j = np.triu_indices(n, 1)
    shorter = np.maximum(np.minimum(lens[i], lens[j]), 1)
    bound = np.concatenate([np.minimum(hist[i[s]], hist[j[s]]).sum(1)
                            for s in np.array_split(np.arange(len(i)), max(1, len(i) // 2048))])
    keep = bound / shorter >= threshold
    i, j, shorter = i[keep], j[keep], shorter[keep]
    shift = best_transpositions([melody_notes(s) for s in sopranos], i, j)
    unit = sum(128 ** k for k in range(voices))
    value = pair_lcs(chords, i, j, shift * unit) / shorter
    keep = value >= threshold
    return [(int(a), int(b), float(c)) for a, b, c in zip(i[keep], j[keep], value[keep], strict=True)]


def merge_tunes(tunes: np.ndarray, pairs: Sequence[tuple[int, int, float]]) -> np.ndarray:
    """Melody-group ids: the tune ids ``tunes`` (one per chorale) with the tunes of every pair of ``pairs`` (chorale
    indices, e.g. from :func:`same_settings`) joined, each joined set taking its smallest tune id.

    Notebook: 07_midi_and_pianorolls
    """
    tunes = np.asarray(tunes, dtype=int)
    parent = {int(t): int(t) for t in np.unique(tunes)}

    def find(t: int) -> int:
        while parent[t] != t:
            t = parent[t]
        return t

    for a, b, _ in pairs:
        ra, rb = find(int(tunes[a])), find(int(tunes[b]))
        parent[max(ra, rb)] = min(ra, rb)
    return np.array([find(int(t)) for t in tunes], dtype=int)


def tune_groups(similarity: np.ndarray, threshold: float = TUNE_THRESHOLD) -> np.ndarray:
    """Group ids (0, 1, … in order of first appearance) of the connected components of ``similarity ≥ threshold``.

    Notebook: 07_midi_and_pianorolls
    """
    n = len(similarity)
    parent = np.arange(n)

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in zip(*np.nonzero(np.triu(np.nan_to_num(similarity) >= threshold, 1)), strict=True):
        parent[find(int(a))] = find(int(b))
    ids: dict[int, int] = {}
    return np.array([ids.setdefault(find(k), len(ids)) for k in range(n)], dtype=int)
