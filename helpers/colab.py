"""The first code cell of every notebook: installs the course on Google Colab, does nothing elsewhere.

The repository URL lives here and only here; ``scripts/clean_notebooks.py --fix`` writes :data:`COLAB_CELL`
into every notebook and ``tests/test_notebooks.py`` checks that they all carry it.
"""

REPO_URL = "https://github.com/dl-music-course/dl-music-course"

COLAB_CELL = f"""# Runs only on Google Colab: installs the course package and its dependencies. Does nothing elsewhere.
import sys
if "google.colab" in sys.modules:
    !pip install -q "git+{REPO_URL}"
"""
