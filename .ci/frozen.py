"""What this virtualenv holds is exactly the lock: `pip freeze` against `uv export`.

Run with the venv's python: `.venv/bin/python .ci/frozen.py .tools/bin/uv`.
Prints each difference and exits 1 if there is any.
"""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def locked(uv: str) -> dict[str, str]:
    """name → version of every locked package this interpreter needs."""
    out = subprocess.run(
        [uv, "export", "--locked", "--format", "requirements.txt", "--extra", "dev",
         "--no-hashes", "--no-emit-project", "--no-header", "--no-annotate", "-q"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    wanted = {}
    for line in out.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-")):
            continue
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate():
            (spec,) = req.specifier
            wanted[canonicalize_name(req.name)] = spec.version
    return wanted


def installed() -> dict[str, str]:
    """name → version of everything in this venv's site-packages, as pip freeze sees it."""
    site = {Path(p).resolve() for p in sys.path if p.endswith("site-packages")}
    found = {}
    for dist in metadata.distributions():
        where = Path(str(dist.locate_file(""))).resolve()
        if where in site:
            found[canonicalize_name(dist.metadata["Name"])] = dist.version
    found.pop("onegrid", None)  # the project itself, installed editable
    return found


def main() -> int:
    wanted, have = locked(sys.argv[1]), installed()
    problems = []
    for name in sorted(wanted.keys() | have.keys()):
        if name not in have:
            problems.append(f"missing   {name}=={wanted[name]}")
        elif name not in wanted:
            problems.append(f"not locked {name}=={have[name]}")
        elif wanted[name] != have[name]:
            problems.append(f"differs   {name}: {have[name]} installed, {wanted[name]} locked")
    for p in problems:
        print(p)
    print(f"frozen: {len(have)} installed, {len(wanted)} locked, {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
