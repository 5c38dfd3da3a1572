"""Harmonizing a melody with a recurrent network (notebook 09: one alto voice; notebook 10 extends it to A, T, B).

One module per step, in the order notebook 09 uses them:

* :mod:`~helpers.harmonize.encoding` — what the network reads and writes: :class:`Encoding`, :func:`features`,
  :func:`targets`, :func:`training_windows`; pieces are first moved to C major or A minor (:func:`normalise`).
* :mod:`~helpers.harmonize.network` — the Keras model (:func:`build_model`, a bidirectional GRU).
* :mod:`~helpers.harmonize.decoding` — from probabilities to notes in NumPy only: :func:`decode` voice by voice,
  :func:`decode_jointly` (Viterbi over chords with :class:`VoiceLeading` penalties, notebook 10).
* :mod:`~helpers.harmonize.predictor`, :mod:`~helpers.harmonize.model` — the :class:`Predictor` interface and the
  trained :class:`Harmonizer` (predict, harmonize, save, load).
* :mod:`~helpers.harmonize.training` — :func:`train_harmonizer` and the course's settings (the recipes train
  through it).
* :mod:`~helpers.harmonize.baselines` — :class:`ConstantInterval`, :class:`LookupTable`, :class:`Bach`,
  :class:`Combined` and :func:`evaluate`.
* :mod:`~helpers.harmonize.reference` — Bach against Bach: :func:`bach_against_bach` scores two settings of one
  soprano against each other (a reference for the task's freedom, not a ceiling).
* :mod:`~helpers.harmonize.recipes` — the levers of notebook 09's ablation as :class:`Recipe` objects, the
  networks behind them (``python -m helpers train-harmonizer``) and :data:`BEST`, what ``harmonize`` uses
  (:func:`default_harmonizer`); :mod:`~helpers.harmonize.shipped` — the trained networks that ship with the course
  and their manifest.
* :mod:`~helpers.harmonize.penalty` — :func:`choose_penalty`, the rule that chose the joint decoder's λ (notebook 10).
* :mod:`~helpers.harmonize.melody` — a :class:`Melody` in: :func:`read_melody`, :func:`melody_from_text`;
  :mod:`~helpers.harmonize.setting` — :func:`harmonize_melody`, :func:`alternatives`, :func:`setting_faults`;
  :mod:`~helpers.harmonize.writing` — :func:`write_setting` (notebook 11; the ``python -m helpers harmonize``
  command lives in :mod:`helpers.cli`); :mod:`~helpers.harmonize.keep` — notes kept and the rest written
  around them: :func:`~helpers.harmonize.keep.reharmonize` bars, a given bass, chosen voices, mixed bars,
  :func:`~helpers.harmonize.keep.transpose_setting` (notebook 11; ``harmonize --keep``, ``--from``, ``--bars``).

Every name is importable from here, as notebooks do with ``from helpers import harmonize as H``.
"""

from ..theory import normalising_shift
from .baselines import Bach, Combined, ConstantInterval, LookupTable, evaluate
from .decoding import (
    DEFAULT_VOICE_LEADING,
    HOLDS,
    VoiceLeading,
    add_passing_notes,
    chord_starts,
    decode,
    decode_jointly,
    note_onsets,
)
from .encoding import (
    BEATS_IN_BAR,
    DEFAULT_OUTPUTS,
    STEPS_PER_BEAT,
    Encoding,
    encode_chorale,
    features,
    fit_encoding,
    fold_into_range,
    in_range_transpositions,
    meter_steps,
    normalise,
    phrase_features,
    targets,
    training_windows,
    window_starts,
)
from .holding import hold_beat_cost, unreachable_onsets
from .melody import (
    Melody,
    clean_monophonic,
    find_key,
    grid_melody,
    guess_phrase_ends,
    melody_from_text,
    read_melody,
    with_key,
    with_phrase_ends,
)
from .model import PROGRAM, Harmonizer, best_octave_shift
from .network import build_model
from .penalty import PENALTY_GRID, choose_penalty, parallels
from .predictor import Predictor
from .recipes import (
    ALTO_CONSTRAINED,
    ALTO_RECIPES,
    BEST,
    SATB_CONSTRAINED,
    SATB_RECIPES,
    SATB_STYLE,
    Network,
    Recipe,
    default_harmonizer,
    load_network,
    load_recipe,
    training_figures,
)
from .reference import (
    LOWER_VOICES,
    SAME_SETTING_AGREEMENT,
    SAME_SOPRANO_MISMATCH,
    BachPair,
    bach_against_bach,
    best_agreement,
    is_same_setting,
    pair_agreement,
    references,
    same_soprano_pairs,
)
from .setting import (
    Fault,
    Setting,
    alternatives,
    check_range,
    harmonize_melody,
    order_violations,
    setting_faults,
)
from .shipped import shipped_encoding, shipped_entry
from .training import DEFAULT_TRAINING, VALIDATION_FRACTION, VALIDATION_SEED, train_harmonizer
from .writing import numbered_path, output_format, performed_melody, write_setting

__all__ = [
    "BEATS_IN_BAR", "DEFAULT_OUTPUTS", "DEFAULT_TRAINING", "DEFAULT_VOICE_LEADING", "PROGRAM", "STEPS_PER_BEAT",
    "VALIDATION_FRACTION", "VALIDATION_SEED", "Bach", "Combined", "ConstantInterval", "Encoding", "Harmonizer",
    "LookupTable", "Melody", "Predictor", "VoiceLeading", "best_octave_shift", "build_model", "chord_starts",
    "clean_monophonic", "decode", "decode_jointly", "encode_chorale", "evaluate", "features",
    "fit_encoding", "fold_into_range", "hold_beat_cost", "meter_steps", "normalise",
    "normalising_shift", "note_onsets", "read_melody", "targets", "default_harmonizer", "train_harmonizer",
    "training_windows", "unreachable_onsets", "window_starts", "LOWER_VOICES", "PENALTY_GRID",
    "SAME_SETTING_AGREEMENT", "SAME_SOPRANO_MISMATCH", "BachPair", "bach_against_bach", "choose_penalty",
    "is_same_setting", "pair_agreement", "references", "best_agreement", "parallels", "same_soprano_pairs", "HOLDS",
    "in_range_transpositions", "phrase_features", "add_passing_notes", "ALTO_CONSTRAINED", "ALTO_RECIPES", "BEST",
    "SATB_CONSTRAINED", "SATB_RECIPES", "SATB_STYLE", "Network", "Recipe",
    "load_network", "load_recipe", "shipped_encoding", "shipped_entry", "training_figures",
]
__all__ += [  # notebook 11: melodies in (melody), settings (setting), files out (writing)
    "Fault", "Setting", "alternatives", "check_range", "find_key", "grid_melody", "guess_phrase_ends",
    "harmonize_melody", "melody_from_text", "numbered_path", "order_violations", "output_format", "performed_melody",
    "setting_faults", "with_key", "with_phrase_ends", "write_setting",
]
