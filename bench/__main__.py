"""Run every benchmark (or those named: `python -m bench decide forms`)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(names: list[str]) -> int:
    here = Path(__file__).parent
    modules = sorted(
        i.name for i in pkgutil.iter_modules([str(here)]) if i.name.startswith("bench_")
    )
    for name in modules:
        if names and name.removeprefix("bench_") not in names:
            continue
        print(f"== {name}", flush=True)
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
