"""Shared code of the course *Deep learning for music*.

Every notebook imports from here; each function's docstring names the notebook that explains it.
Modules: ``plotting`` (01–04), ``nn`` (02–03), ``sequences`` (05–06), ``midi`` and ``pianoroll`` (07),
``chorales`` (00, 05, 07–10), ``audio`` and ``score`` (07–10), ``keyfinding`` (08), ``harmonize`` and
``metrics`` (09–10), ``results`` (every notebook), ``paths`` (data and build folders), ``colab`` (the first cell of
every notebook). Commands: ``python -m helpers --help``.
"""

__version__ = "0.2.0"
