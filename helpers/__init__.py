"""Shared code of the course *Deep learning for music*.

Every notebook imports from here; each function's docstring names the notebook that explains it.
Modules: ``midi`` (07), ``pianoroll`` (07), ``chorales`` (00, 07–10), ``audio`` and ``score`` (07–10),
``plotting`` (01–10), ``results`` (every notebook), ``paths`` (data and build folders).
"""

__version__ = "0.1.0"
