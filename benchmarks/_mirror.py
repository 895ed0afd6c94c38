"""Reading real benchmark files out of local git mirrors, at the commit their manifest names.

Every fetcher of real documents (seals, text and eyes, phone photos, curled pages) reads
files this way, so the benchmark always sees the same bytes. A mirror directory is
``MIRRORS/<owner>+<name>/repo`` as the session's fetch tool lays it out, either a bare
repository or a work tree with its ``.git``. ``python -m benchmarks._mirror SET GIT_DIR``
copies one of the small fixed sets (``curled``, ``photos``) into ``benchmarks/data/SET/``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

#: The fixed sets of real photos: (commit, {local name: path in the repository}); see
#: ``benchmarks/real/<set>/MANIFEST.md`` for repository and licence.
SETS: dict[str, tuple[str, dict[str, str]]] = {
    # mzucker/page_dewarp (MIT): photos of curled book and thesis pages
    "curled": ("d3257d7b564bff994187a872d00537bc2fda7d3d",
               {f"{n}.jpg": f"example_input/{n}.jpg" for n in ("boston_cooking_a", "boston_cooking_b",
                                                                "linguistics_thesis_a", "linguistics_thesis_b")}),
    # FrancescElies/Four-Point-Invoice-Transform-with-OpenCV (MPL-2.0): receipts on a desk
    "photos": ("07ec131bcda8e0a12213a5baa68db9c339338f74",
               {f"receipt-{i}.jpg": f"tests/samples/{i}/original.jpg" for i in ("01", "02", "03")}),
}


def git_dir(mirrors: Path, repo: str) -> Path:
    """The git directory of ``owner/name`` under ``mirrors`` (bare, or a work tree's ``.git``)."""
    git = mirrors / repo.replace("/", "+") / "repo"
    return git / ".git" if (git / ".git").is_dir() else git


def blob(git: Path, commit: str, path: str) -> bytes:
    """The bytes of ``path`` at ``commit`` in the repository at ``git``."""
    return subprocess.run(["git", "--git-dir", str(git), "cat-file", "-p", f"{commit}:{path}"],
                          check=True, capture_output=True).stdout


def copy_set(name: str, git: Path) -> list[Path]:
    """Copy the fixed set ``name`` out of the repository at ``git`` into ``benchmarks/data/name/``."""
    commit, files = SETS[name]
    out = DATA / name
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for local, path in files.items():
        (out / local).write_bytes(blob(git, commit, path))
        written.append(out / local)
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in SETS:
        print(f"usage: python -m benchmarks._mirror {{{','.join(SETS)}}} MIRROR_GIT_DIR", file=sys.stderr)
        return 2
    git = Path(argv[1])
    if (git / ".git").is_dir():
        git = git / ".git"
    for p in copy_set(argv[0], git):
        print(f"{p}: {p.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
