"""Recreate ``benchmarks/data/curled/`` from a git mirror of mzucker/page_dewarp (see MANIFEST.md).

usage: python benchmarks/real/curled/fetch.py MIRROR_GIT_DIR

The files are read at the commit the manifest names, so the benchmark always sees the same bytes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

COMMIT = "d3257d7b564bff994187a872d00537bc2fda7d3d"
FILES = {f"{n}.jpg": f"example_input/{n}.jpg" for n in ("boston_cooking_a", "boston_cooking_b",
                                                         "linguistics_thesis_a", "linguistics_thesis_b")}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(__file__).resolve().parents[2] / "data" / "curled"
    out.mkdir(parents=True, exist_ok=True)
    for name, path in FILES.items():
        data = subprocess.run(["git", "-C", argv[0], "show", f"{COMMIT}:{path}"], check=True,
                              capture_output=True).stdout
        (out / name).write_bytes(data)
        print(f"{out / name}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
