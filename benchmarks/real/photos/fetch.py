"""Recreate ``benchmarks/data/photos/`` from a git mirror of the repository in MANIFEST.md.

usage: python benchmarks/real/photos/fetch.py MIRROR_GIT_DIR

``MIRROR_GIT_DIR`` is a clone (or bare mirror) of
FrancescElies/Four-Point-Invoice-Transform-with-OpenCV; the files are read at the
commit the manifest names, so the benchmark always sees the same bytes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

COMMIT = "07ec131bcda8e0a12213a5baa68db9c339338f74"
FILES = {f"receipt-{i}.jpg": f"tests/samples/{i}/original.jpg" for i in ("01", "02", "03")}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(__file__).resolve().parents[2] / "data" / "photos"
    out.mkdir(parents=True, exist_ok=True)
    for name, path in FILES.items():
        data = subprocess.run(["git", "-C", argv[0], "show", f"{COMMIT}:{path}"], check=True,
                              capture_output=True).stdout
        (out / name).write_bytes(data)
        print(f"{out / name}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
