"""True redaction of PDF pages, and a scrub of every place outside the pages where text hides.

Text, vector and image pixels under each box are removed. Then the copy loses
everything a reviewer's PDF reader can show besides the page content, because
Word and WPS exports put the applicant there (Author = the applicant's account
name): document metadata and XMP (document, page and object level), bookmarks,
embedded and attached files, every annotation and link, form fields and the
AcroForm, JavaScript and automatic actions (OpenAction, AA), page labels,
named destinations and every other name tree, optional-content (layer) names,
the structure tree (alt text, ActualText), article threads, thumbnails and
piece info. :func:`verify_pdf` then reads all of those back, plus every
decompressed object, and says where any of the applicant's texts remains.

This module only deletes content under boxes it is given and identity-bearing
structures; it does not locate anything on a page.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from zcmask._io import atomic_path, output_error
from zcmask._pymupdf import load_pymupdf
from zcmask.exceptions import OutputFileError
from zcmask.results import IntBBox

# Catalog entries that hold text, actions or files, and that a masked copy does not need.
_CATALOG_KEYS = ("Metadata", "Outlines", "Names", "Dests", "OpenAction", "AA", "AcroForm", "PageLabels",
                 "StructTreeRoot", "MarkInfo", "Threads", "PieceInfo", "SpiderInfo", "Collection",
                 "Perms", "Legal", "URI", "Lang")
# Page entries of the same kind.
_PAGE_KEYS = ("AA", "Thumb", "PieceInfo", "Metadata", "B", "StructParents", "Annots")
# Separators people (and PDF producers) put between the characters of a name.
_SEPARATORS = re.compile(r"[\s·•・‧.．\-—_\x00]+")


@dataclass(frozen=True)
class RedactionCheck:
    """What :func:`redact_pdf` found when it read its own output back.

    Attributes
    ----------
    leftover : int
        Characters still extractable under the redaction boxes.
    places : tuple of str
        zh-CN names of the places an identity text was still found
        (``文档属性 Author``, ``对象 12``, ``第 3 页文字`` ...); empty when clean.
    as_images : tuple of int
        Pages (1-based) whose redacted text layer was wrong, so they were
        written as an image of the masked page instead (see :func:`redact_pdf`).

    """

    leftover: int = 0
    places: tuple[str, ...] = ()
    as_images: tuple[int, ...] = ()

    @property
    def clean(self) -> bool:
        return self.leftover == 0 and not self.places


def _to_pdf_rect(page, box: IntBBox, rotation: int, dpi: int):  # type: ignore[no-untyped-def]
    """Map an upright-output pixel box back to PDF user space."""
    pymupdf = load_pymupdf()

    from zcmask._geometry import box_upright

    scale = dpi / 72.0
    mat = page.rotation_matrix * pymupdf.Matrix(scale, scale)  # unrotated page -> rendered pixels
    rendered = pymupdf.Rect(page.rect) * pymupdf.Matrix(scale, scale)  # page.rect is already turned
    rw, rh = rendered.width, rendered.height
    # Invert box_upright: rotating the upright page back by -rotation.
    inv = (360 - rotation) % 360
    ow, oh = (rh, rw) if rotation in (90, 270) else (rw, rh)
    b = box_upright(tuple(float(v) for v in box), inv, int(round(ow)), int(round(oh)))  # type: ignore[arg-type]
    r = pymupdf.Rect(b) * ~mat
    r.normalize()
    return r


def redact_pdf(src: str | Path, dest: str | Path,
               boxes: Mapping[int, tuple[int, int, Sequence[IntBBox]]],
               needles: Sequence[str] = ()) -> RedactionCheck:
    """Write a redacted, scrubbed copy of ``src`` to ``dest`` and verify it.

    A page on which redaction left a character under a box, or moved a character
    it kept (see :func:`_moved`), is written as an image of the masked page instead.

    Parameters
    ----------
    boxes : mapping page index (0-based) -> (rotation, dpi, boxes in output pixels)
    needles : sequence of str
        The applicant's texts (name, aliases, units) the verification searches for.

    Returns
    -------
    RedactionCheck
        Characters left under the boxes, and where any needle was still found.

    """
    pymupdf = load_pymupdf()

    doc = pymupdf.open(src)
    original = None  # the source again, opened for the first page that must become an image
    leftover = 0
    as_images: list[int] = []
    try:
        todo = {}
        for pno, (rotation, dpi, bxs) in boxes.items():
            page = doc.load_page(pno)
            rects = [_to_pdf_rect(page, b, rotation, dpi) for b in bxs]
            kept = _char_places(page, rects)
            for r in rects:
                page.add_redact_annot(r, fill=(0, 0, 0))
            page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS,  # type: ignore[attr-defined]
                                  graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED)  # type: ignore[attr-defined]
            todo[pno] = (dpi, rects, kept)
        scrub_document(doc)  # form fields and annotations go before the boxes are read back
        for pno, (dpi, rects, kept) in todo.items():
            page = doc.load_page(pno)
            left = chars_under(page, rects)
            if left or _moved(page, kept):
                original = original or pymupdf.open(src)
                _page_as_image(doc, pno, original.load_page(pno), dpi, rects)
                as_images.append(pno + 1)
                left = chars_under(doc.load_page(pno), rects)
            leftover += left
        try:
            with atomic_path(dest) as tmp:
                doc.save(tmp, garbage=4, deflate=True, clean=True)
        except OSError as e:
            raise output_error(dest, e) from e
        except RuntimeError as e:  # MuPDF reports a failed write as its own error type
            if "no space" in str(e).lower():
                raise output_error(dest, OSError(errno.ENOSPC, str(e))) from e
            raise OutputFileError(f"写入 {dest} 失败：{e}") from e
    finally:
        doc.close()
        if original is not None:
            original.close()
    places = verify_pdf(dest, needles)
    return RedactionCheck(leftover, tuple(places), tuple(as_images))


def _chars(page):  # type: ignore[no-untyped-def]
    """Every visible character of ``page`` as (character, origin, centre), unrotated space."""
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", ()):
            for span in line["spans"]:
                for ch in span["chars"]:
                    if ch["c"].strip():
                        x0, y0, x1, y1 = ch["bbox"]
                        yield ch["c"], ch["origin"], ((x0 + x1) / 2, (y0 + y1) / 2)


def _under(point: tuple[float, float], rects: Sequence) -> bool:  # type: ignore[type-arg]
    return any(r.x0 <= point[0] <= r.x1 and r.y0 <= point[1] <= r.y1 for r in rects)


def chars_under(page, rects: Sequence) -> int:  # type: ignore[no-untyped-def,type-arg]
    """Characters of ``page``'s text whose centre lies under one of ``rects`` (unrotated space).

    What redaction must have removed. Not ``get_textbox``: it returns every character a
    box touches, so the full-width colon of 姓名：王建国, whose advance the padded box
    grazes and which redaction rightly keeps, failed every such PDF as incomplete.
    """
    return sum(_under(centre, rects) for _, _, centre in _chars(page))


def _char_places(page, rects: Sequence) -> dict[str, list[tuple[float, float]]]:  # type: ignore[no-untyped-def,type-arg]
    """Where each character of ``page`` that redaction keeps is drawn (its origins): those not under ``rects``."""
    places: dict[str, list[tuple[float, float]]] = {}
    for c, origin, centre in _chars(page):
        if not _under(centre, rects):
            places.setdefault(c, []).append(origin)
    return places


def _moved(page, kept: Mapping[str, list[tuple[float, float]]], tol: float = 1.0) -> bool:  # type: ignore[no-untyped-def]
    """Whether a character left on the redacted ``page`` is not where it was drawn before.

    MuPDF 1.28.5 (PyMuPDF 2.0) drops the advance of a glyph it removes from a string of a
    two-byte (CID) font, which is how PyMuPDF and some exporters write Chinese (Word 2019's
    exports place their glyphs so that none moves): every character after the box moves left
    by the box's width, under the black fill or onto the text before it. 1.28.2 and earlier
    keep the advance.
    """
    for c, (x, y), _ in _chars(page):
        if not any(abs(x - kx) <= tol and abs(y - ky) <= tol for kx, ky in kept.get(c, ())):
            return True
    return False


def _page_as_image(doc, pno: int, original, dpi: int, rects: Sequence) -> None:  # type: ignore[no-untyped-def,type-arg]
    """Replace page ``pno`` of ``doc`` by an image of ``original`` (that page unredacted), ``rects`` filled black.

    The fallback when redaction left text under a box or moved the text beside it: the
    page keeps its look (as the masked JPG shows it, before any turn) and loses its
    text layer, so nothing under the boxes can be selected or copied.
    """
    pymupdf = load_pymupdf()

    pix = original.get_pixmap(dpi=dpi, alpha=False, colorspace=pymupdf.csRGB)
    to_pixels = original.rotation_matrix * pymupdf.Matrix(dpi / 72.0, dpi / 72.0)
    for r in rects:
        box = (r * to_pixels).irect & pix.irect
        if not box.is_empty:
            pix.set_rect(box, (0, 0, 0))
    width, height = original.rect.width, original.rect.height
    jpeg = pix.tobytes("jpeg", jpg_quality=90)
    doc.delete_page(pno)
    new = doc.new_page(pno, width=width, height=height)
    new.insert_image(new.rect, stream=jpeg)


def scrub_document(doc) -> None:  # type: ignore[no-untyped-def]
    """Remove every identity-bearing structure outside the page content, in place."""
    pymupdf = load_pymupdf()

    with contextlib.suppress(Exception):
        doc.scrub(attached_files=True, clean_pages=False, embedded_files=True, hidden_text=False,
                  javascript=True, metadata=True, redactions=False, remove_links=True,
                  reset_fields=True, reset_responses=True, thumbnails=True, xml_metadata=True)
    for name in list(doc.embfile_names()):
        with contextlib.suppress(Exception):
            doc.embfile_del(name)
    for page in doc:
        for w in list(page.widgets() or ()):
            with contextlib.suppress(Exception):
                page.delete_widget(w)
        annot = page.first_annot
        while annot is not None:
            nxt = annot.next
            page.delete_annot(annot)
            annot = nxt
        for link in page.get_links():
            with contextlib.suppress(Exception):
                page.delete_link(link)
        for key in _PAGE_KEYS:
            doc.xref_set_key(page.xref, key, "null")
    doc.set_toc([])
    doc.set_metadata({})
    with contextlib.suppress(Exception):
        doc.del_xml_metadata()
    cat = doc.pdf_catalog()
    for key in _CATALOG_KEYS:
        doc.xref_set_key(cat, key, "null")
    # Layers stay (content refers to them) but lose their names.
    for i, xref in enumerate(sorted(doc.get_ocgs()), start=1):
        doc.xref_set_key(xref, "Name", pymupdf.get_pdf_str(f"Layer {i}"))
    for key in ("OCProperties/D/Name", "OCProperties/D/Creator", "OCProperties/D/Order", "OCProperties/Configs"):
        with contextlib.suppress(Exception):
            doc.xref_set_key(cat, key, "null")
    for xref in range(1, doc.xref_length()):
        with contextlib.suppress(Exception):
            if doc.xref_get_key(xref, "Metadata")[0] != "null":
                doc.xref_set_key(xref, "Metadata", "null")  # XMP on images, fonts, forms
            if doc.xref_get_key(xref, "Type")[1] == "/Filespec":
                doc.xref_set_key(xref, "EF", "null")
    doc.xref_set_key(-1, "Info", "null")


def _squash(text: str) -> str:
    return _SEPARATORS.sub("", text).casefold()


_LITERAL = re.compile(rb"\((?:\\.|[^\\)])*\)", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f\s]{4,})>")


def _decode_pdf_string(raw: bytes) -> list[str]:
    """The texts a PDF string may encode (UTF-16 with BOM, UTF-8, GB18030, Latin-1)."""
    out = []
    if raw[:2] in (codecs.BOM_UTF16_BE, codecs.BOM_UTF16_LE):
        with contextlib.suppress(UnicodeDecodeError):
            out.append(raw.decode("utf-16"))
    else:
        for enc in ("utf-16-be", "utf-8", "gb18030", "latin-1"):
            with contextlib.suppress(UnicodeDecodeError):
                out.append(raw.decode(enc))
    return out


def _unescape_literal(body: bytes) -> bytes:
    def rep(m: re.Match[bytes]) -> bytes:
        s = m.group(1)
        if s[:1].isdigit():
            return bytes([int(s, 8) & 0xFF])
        return {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(s, s)

    return re.sub(rb"\\([0-7]{1,3}|.)", rep, body, flags=re.S)


def _texts_in(data: bytes) -> list[str]:
    """Every way ``data`` (an object's source or a decoded stream) may spell text."""
    texts = _decode_pdf_string(data)
    if b"#" in data:  # names spell bytes as #xx (/#E7#8E#8B...)
        texts += _decode_pdf_string(re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), data))
    for m in _LITERAL.finditer(data):
        texts += _decode_pdf_string(_unescape_literal(m.group(0)[1:-1]))
    for m in _HEX.finditer(data):
        hx = re.sub(rb"\s", b"", m.group(1))
        if len(hx) % 2:
            hx += b"0"
        with contextlib.suppress(ValueError):
            texts += _decode_pdf_string(bytes.fromhex(hx.decode("ascii")))
    return texts


def verify_pdf(path: str | Path, needles: Sequence[str]) -> list[str]:
    """Where any of ``needles`` can still be read in the PDF at ``path``.

    Looks at the page text, metadata, XMP, bookmarks, embedded files,
    annotations, form fields, page labels, layer names, and every object's
    source and decompressed stream (image and font data excepted). Separators
    and case are ignored. Returns zh-CN place names; empty when clean.
    """
    pymupdf = load_pymupdf()

    keys = [k for k in (_squash(n) for n in needles if n) if len(k) >= 2]
    if not keys:
        return []

    def hit(text: str | None) -> bool:
        t = _squash(text or "")
        return any(k in t for k in keys)

    places: list[str] = []
    doc = pymupdf.open(path)
    try:
        for k, v in (doc.metadata or {}).items():
            if hit(v):
                places.append(f"文档属性 {k}")
        if hit(doc.get_xml_metadata()):
            places.append("XMP 元数据")
        if any(hit(t[1]) for t in doc.get_toc(simple=True)):
            places.append("书签")
        if doc.embfile_count():
            places.append("附件")
        for label in doc.get_page_labels():
            if hit(str(label.get("prefix", ""))):
                places.append("页码标签")
        for info in doc.get_ocgs().values():
            if hit(str(info.get("name", ""))):
                places.append("图层名称")
        for page in (doc.load_page(i) for i in range(doc.page_count)):
            if hit(page.get_text()):
                places.append(f"第 {page.number + 1} 页文字")
            if page.first_annot is not None:
                places.append(f"第 {page.number + 1} 页批注")
            if page.first_widget is not None:
                places.append(f"第 {page.number + 1} 页表单")
        for xref in range(1, doc.xref_length()):
            try:
                src = doc.xref_object(xref, compressed=False)
                skip = any(t in src for t in ("/Subtype /Image", "/Subtype/Image", "/FontFile", "/Length1"))
                data = src.encode("latin-1", "replace")
                if doc.xref_is_stream(xref) and not skip:
                    data += b"\n" + (doc.xref_stream(xref) or b"")
            except Exception:  # noqa: BLE001 - an object MuPDF cannot read cannot be shown either
                continue
            if any(hit(t) for t in _texts_in(data)):
                places.append(f"对象 {xref}")
    finally:
        doc.close()
    return list(dict.fromkeys(places))
