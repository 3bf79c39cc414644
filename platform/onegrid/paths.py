"""Where bundled packs live and how a pack name becomes a folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# platform/onegrid/paths.py → the project root holds catalogs/, rules/, forms/
PROJECT = Path(__file__).resolve().parents[2]
# an installed wheel carries them inside the package instead (setup.py copies
# them there at build time); a source tree has no such folder
INSTALLED = Path(__file__).resolve().parent / "packs"
SHELVES = INSTALLED if INSTALLED.is_dir() else PROJECT
CATALOGS = Path(os.environ.get("ONEGRID_CATALOGS_DIR") or SHELVES / "catalogs")
RULES = SHELVES / "rules"
FORMS = SHELVES / "forms"
DEFAULT_CATALOG = "kunqu"


def default_instance() -> Path:
    """`instance/` in a source tree; beside the environment once installed
    (Flask's convention), never inside site-packages."""
    if SHELVES is PROJECT:
        return PROJECT / "instance"
    return Path(sys.prefix) / "var" / "onegrid-instance"


def bundled_packs() -> list[str]:
    if not CATALOGS.is_dir():
        return []
    return sorted(p.name for p in CATALOGS.iterdir() if (p / "pack.yaml").is_file())


def find_pack(name_or_path: str, relative_to: Path | None = None) -> Path:
    """A path as given if it exists, else a bundled pack of that name.

    Returns the path even if nothing is there: the loader reports it.
    """
    candidate = Path(name_or_path)
    if relative_to is not None and not candidate.is_absolute():
        near = relative_to / candidate
        if near.exists():
            return near
    if candidate.exists():
        return candidate
    for base in (CATALOGS, RULES, FORMS):
        if (base / name_or_path / "pack.yaml").is_file():
            return base / name_or_path
    return candidate
