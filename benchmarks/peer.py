"""The peer: Microsoft Presidio's image redactor with Tesseract ``chi_sim``.

Configured the way an expert would for this job, with nothing downloaded:

- OCR: Tesseract through ``presidio_image_redactor.TesseractOCR`` with ``lang=chi_sim``.
- NLP: Presidio's ``NoOpNlpEngine`` (no spaCy model); a blank ``spacy.blank("zh")``
  engine on Presidio versions without it.
- Recognizers: one deny-list regex ``PatternRecognizer`` for the name and one per
  unit value. Every character may be followed by whitespace, because Tesseract
  splits Chinese into words and Presidio joins the words with spaces; a middle
  dot in a transliterated name may be any dot variant or missing.
- Fill: solid black, as zcmask does.

Run as ``python -m benchmarks.peer IN_DIR OUT_DIR --name N --unit U...``: it writes
one masked JPG per input image and ``peer-report.json`` with the boxes. Presidio
and Tesseract are benchmark-only requirements (``benchmarks/requirements.txt``);
:func:`available` says why the peer cannot run instead of raising.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

DOT_CLASS = "[·•．.・‧]"


def available() -> tuple[bool, str]:
    """Return (True, "") when Presidio, pytesseract and Tesseract ``chi_sim`` are usable."""
    try:
        import presidio_analyzer  # noqa: F401
        import presidio_image_redactor  # noqa: F401
        import pytesseract  # noqa: F401
    except ImportError as e:
        return False, f"presidio-image-redactor not installed ({e.name}); pip install -r benchmarks/requirements.txt"
    exe = shutil.which("tesseract")
    if not exe:
        return False, "tesseract not installed; apt-get install tesseract-ocr tesseract-ocr-chi-sim"
    try:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as e:
        return False, f"tesseract does not run: {e}"
    if "chi_sim" not in langs.split():
        return False, "tesseract language chi_sim missing; apt-get install tesseract-ocr-chi-sim"
    return True, ""


def term_regex(term: str) -> str:
    r"""A regex for ``term`` that allows whitespace between characters and any middle dot.

    >>> bool(re.fullmatch(term_regex("艾尔肯·吐尔逊"), "艾 尔 肯 • 吐 尔 逊"))
    True
    """
    parts = []
    for ch in term:
        if ch.isspace():
            continue
        if re.fullmatch(DOT_CLASS, ch):
            parts.append(f"{DOT_CLASS}?")
        else:
            parts.append(re.escape(ch))
    return r"\s*".join(parts)


def _nlp_engine():  # type: ignore[no-untyped-def]
    try:
        from presidio_analyzer.nlp_engine import NoOpNlpEngine

        return NoOpNlpEngine(models=[{"lang_code": "zh", "model_name": "none"}])
    except ImportError:  # older Presidio: a blank Chinese pipeline, no model download
        import spacy
        from presidio_analyzer.nlp_engine import SpacyNlpEngine

        class _BlankZh(SpacyNlpEngine):  # type: ignore[misc]
            def load(self) -> None:
                self.nlp = {"zh": spacy.blank("zh")}

        eng = _BlankZh(models=[{"lang_code": "zh", "model_name": "blank:zh"}])
        eng.load()
        return eng


def build_redactor(name: str, units: list[str]):  # type: ignore[no-untyped-def]
    """The Presidio image redactor with deny-list regexes for ``name`` and each unit."""
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_image_redactor import ImageAnalyzerEngine, ImageRedactorEngine, TesseractOCR

    registry = RecognizerRegistry(supported_languages=["zh"])
    registry.add_recognizer(PatternRecognizer(
        supported_entity="APPLICANT_NAME", supported_language="zh", name="applicant_name",
        patterns=[Pattern("name", term_regex(name), 1.0)]))
    registry.add_recognizer(PatternRecognizer(
        supported_entity="APPLICANT_UNIT", supported_language="zh", name="applicant_unit",
        patterns=[Pattern(f"unit{i}", term_regex(u), 1.0) for i, u in enumerate(units)]))
    analyzer = AnalyzerEngine(nlp_engine=_nlp_engine(), registry=registry, supported_languages=["zh"])
    return ImageRedactorEngine(ImageAnalyzerEngine(analyzer_engine=analyzer, ocr=TesseractOCR()))


def redact_folder(src: Path, dst: Path, name: str, units: list[str]) -> dict[str, object]:
    """Redact every image under ``src`` into ``dst``; return the report written beside them."""
    from PIL import Image

    t0 = time.perf_counter()
    redactor = build_redactor(name, units)
    dst.mkdir(parents=True, exist_ok=True)
    files = []
    for p in sorted(src.rglob("*")):
        if p.suffix.lower() not in (".jpg", ".jpeg", ".png") or not p.is_file():
            continue
        t = time.perf_counter()
        with Image.open(p) as im:
            img = im.convert("RGB")
        out, boxes = redactor.redact_and_return_bbox(img, fill=(0, 0, 0), ocr_kwargs={"lang": "chi_sim"},
                                                     language="zh")
        dest = dst / f"{p.stem}.jpg"
        out.save(dest, "JPEG", quality=92, dpi=(200, 200))
        files.append({"input": str(p), "output": str(dest), "seconds": time.perf_counter() - t,
                      "regions": [{"kind": "name" if b.entity_type == "APPLICANT_NAME" else "unit",
                                   "bbox": [int(b.left), int(b.top), int(b.left + b.width) + 1,
                                            int(b.top + b.height) + 1]} for b in boxes]})
    report = {"tool": "presidio-image-redactor", "seconds": time.perf_counter() - t0, "files": files}
    (dst / "peer-report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.peer", description=__doc__.splitlines()[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("dst", type=Path)
    ap.add_argument("--name", required=True)
    ap.add_argument("--unit", action="append", default=[])
    args = ap.parse_args(argv)
    ok, why = available()
    if not ok:
        print(f"peer unavailable: {why}", file=sys.stderr)
        return 3
    redact_folder(args.src, args.dst, args.name, args.unit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
