"""Models ship inside wheels, match the manifest, and nothing reaches the network."""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import json
import site
import socket
import sysconfig
from pathlib import Path

import pytest

from conftest import NAME, UNIT, black_fraction, identity, save_jpeg
from zcmask import api
from zcmask.options import Options
from zcsynth import render

MANIFEST = Path(__file__).resolve().parents[1] / "models" / "manifest.json"


def _site_dirs() -> list[Path]:
    dirs = [Path(sysconfig.get_paths()["purelib"]), Path(sysconfig.get_paths()["platlib"])]
    return dirs + [Path(p) for p in site.getsitepackages()]


def _installed(rel: str) -> Path | None:
    for d in _site_dirs():
        if (d / rel).exists():
            return d / rel
    return None


def test_manifest_lists_every_model_with_hash_and_licence():
    entries = json.loads(MANIFEST.read_text(encoding="utf-8"))["models"]
    assert len(entries) >= 4
    for e in entries:
        assert e["licence"] and len(e["sha256"]) == 64 and e["package"] and e["version"]


def test_installed_model_files_match_the_manifest():
    checked = 0
    for e in json.loads(MANIFEST.read_text(encoding="utf-8"))["models"]:
        try:
            version = md.version(e["package"])
        except md.PackageNotFoundError:
            continue
        path = _installed(e["file"])
        if path is None or version != e["version"]:
            continue
        assert hashlib.sha256(path.read_bytes()).hexdigest() == e["sha256"], e["file"]
        checked += 1
    assert checked >= 1


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.slow
def test_real_ocr_mask_run_opens_no_socket_and_masks_the_name(tmp_path, no_network):
    sp = render("公示", NAME, UNIT)
    path = save_jpeg(sp.image, tmp_path / "in" / "公示.jpg")
    opts = Options(identity=identity(), progress=False)
    rep = api.mask([path], tmp_path / "out", opts)
    page = rep.files[0].pages[0]
    assert rep.files[0].status == "ok", rep.files[0].error
    for t in sp.truths:
        assert black_fraction(page.output, t.bbox) >= 0.95, t
