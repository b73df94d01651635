"""Brings the catalogue in ``cases/`` into pytest through the equivalence plugin.

The folders to collect are set in ``pyproject.toml`` (``equivalence_cases``); this line
makes the plugin load even where the package is not installed with its entry point.
"""

pytest_plugins = ["equivalence.pytest_plugin"]
