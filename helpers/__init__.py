"""Shared code of the course *Deep learning for music*.

Every notebook imports from here; each public function's docstring ends with the notebook that explains it.
Modules, one concern each:

* ``theory`` — pitch, key and scale vocabulary (key numbers, key names, key signatures, scales, pitch names);
* ``errors`` — ``InputError``, the one exception for input the course cannot use;
* ``midi`` — the ``Voice`` and MIDI in and out on a beat grid (07); ``readers`` — music21 parts and MIDI files into
  voices with metre, tempo, pickup and key signature (one chord policy per use, documented there);
* ``pianoroll`` — pianorolls and step sequences (07); ``chorales`` — the Bach chorales data set (00, 05, 07–10);
* ``audio`` and ``score`` — hearing and engraving (07–10); ``plotting`` (01–04), ``nn`` (02–03),
  ``sequences`` (05–06);
* ``keyfinding`` — key and mode from the notes (08); ``harmonize`` — the harmonizer package: encoding, network,
  decoding, model, training, baselines, melody files (09–10); ``tunes`` — which chorales share a tune (07);
  ``stats`` — paired comparisons of two models (08–10); ``voiceleading`` — the rules (parallel, contrary and
  hidden fifths and octaves, crossings, consonance as a duet or in four parts) that ``metrics`` counts and the
  decoder penalises; ``metrics`` (09–10);
* ``cli`` — every command and its exit statuses (``python -m helpers --help``); ``results`` (every notebook),
  ``paths`` (data and build folders), ``colab`` (the first cell of every notebook).
"""

import os as _os

# Keep TensorFlow's start-up notices (oneDNN, cpu_feature_guard) out of notebooks and off the stderr where commands
# report bad files; set before any helper imports Keras, also on Colab where nothing else sets them. The oneDNN
# notice ignores TF_CPP_MIN_LOG_LEVEL; turning oneDNN off changes only the order of floating-point operations.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
_os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

__version__ = "0.2.0"  # the one place the version is written (pyproject.toml and the Colab cell read it)
