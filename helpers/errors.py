"""The one exception for input the course cannot use (notebooks 07–10; the commands of :mod:`helpers.cli`).

Any kind of input raises it: a MIDI or MusicXML file, a folder of chorales, a melody outside a model's range.
Its message names the file (when there is one) and the reason; :mod:`helpers.cli` turns it into a one-line error
and exit status 1.
"""

from __future__ import annotations

import os


class InputError(ValueError):
    """Input the course cannot use. ``path`` is the file or folder (None for data in memory); ``reason`` says why;
    ``str(error)`` is ``"PATH: REASON"`` (just the reason without a path).

    Notebook: 07_midi_and_pianorolls
    """

    def __init__(self, path: str | os.PathLike | None, reason: str):
        self.path = None if path is None else str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}" if self.path is not None else reason)
