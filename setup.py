"""Build step beyond pyproject.toml: the bundled packs travel in the wheel.

They live at the project root (catalogs/, rules/, forms/), where people edit
them and where the engine finds them in a source tree; a wheel carries a
copy inside the package, as onegrid/packs/<shelf>/, which onegrid.paths
prefers once installed. Editable installs read the source tree instead.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHELVES = ("catalogs", "rules", "forms")
ROOT = Path(__file__).resolve().parent


class BuildPyWithPacks(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for shelf in SHELVES:
            shutil.copytree(
                ROOT / shelf,
                Path(self.build_lib) / "onegrid" / "packs" / shelf,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )


setup(cmdclass={"build_py": BuildPyWithPacks})
