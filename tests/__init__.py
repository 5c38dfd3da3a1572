"""Unit tests of the course package (run with ``pytest tests``)."""
