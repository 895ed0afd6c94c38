"""Pages without faces whose texture fooled the Haar cascades: negatives for eye bands.

Each page is drawn in code (no files): a train ticket with its red serial
number on a guilloche background, a lab report table of values, a blank card
corner with security-print curves, and a halftone photo of a building. A face
detector must find nothing on any of them. Nothing here detects faces.
"""

from __future__ import annotations

import cv2
import numpy as np

from zcsynth._pages import SynthPage


def _guilloche(img: np.ndarray, color: tuple[int, int, int], seed: int, n: int = 60) -> None:
    h, w = img.shape[:2]
    rng = np.random.default_rng(seed)
    xs = np.arange(0, w, 2, dtype=np.float64)
    for k in range(n):
        a = rng.uniform(4, 18)
        f = rng.uniform(0.01, 0.05)
        ph = rng.uniform(0, 6.28)
        y0 = k * h / n
        ys = y0 + a * np.sin(f * xs + ph) + 0.5 * a * np.sin(2.7 * f * xs)
        pts = np.stack([xs, ys], 1).astype(np.int32)
        cv2.polylines(img, [pts], False, color, 1, cv2.LINE_AA)


def _page(img: np.ndarray, template: str) -> SynthPage:
    return SynthPage(image=img, dpi=200, truths=[], lines=[], template=template)


def ticket_page(seed: int = 1) -> SynthPage:
    """A train-ticket-like card: pale blue guilloche, a red serial and digit rows."""
    img = np.full((640, 1000, 3), (222, 238, 248), np.uint8)
    _guilloche(img, (170, 200, 230), seed)
    cv2.putText(img, "Z15K048213", (40, 90), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (200, 30, 30), 4, cv2.LINE_AA)
    cv2.putText(img, "G1234  08:15", (300, 220), cv2.FONT_HERSHEY_DUPLEX, 2.0, (20, 20, 20), 3, cv2.LINE_AA)
    cv2.putText(img, "03 car 08B  Y553.0", (300, 330), cv2.FONT_HERSHEY_DUPLEX, 1.4, (20, 20, 20), 2, cv2.LINE_AA)
    cv2.putText(img, "6501021234****0000", (80, 450), cv2.FONT_HERSHEY_SIMPLEX, 1.3, (30, 30, 30), 2, cv2.LINE_AA)
    cv2.putText(img, "10010301110725Z048213", (60, 590), cv2.FONT_HERSHEY_PLAIN, 2.6, (40, 40, 40), 3, cv2.LINE_AA)
    return _page(img, "ticket")


def lab_table_page(seed: int = 2) -> SynthPage:
    """A lab report table: a grid of short values, units and flags."""
    rng = np.random.default_rng(seed)
    img = np.full((1400, 1000, 3), 250, np.uint8)
    for r in range(26):
        y = 80 + r * 48
        cv2.line(img, (40, y), (960, y), (120, 120, 120), 1)
        for c, x in enumerate((60, 360, 560, 760)):
            v = f"{rng.uniform(0.1, 300):.2f}" if c else f"ITEM-{r:02d}"
            if c == 3:
                v = rng.choice(["H", "L", "", "0.0-5.5", "3.9-6.1"])
            cv2.putText(img, v, (x, y + 34), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (25, 25, 25), 2, cv2.LINE_AA)
    return _page(img, "lab_table")


def blank_card_page(seed: int = 3) -> SynthPage:
    """The corner of a blank card: security-print curves and a rosette, no photo."""
    img = np.full((700, 1000, 3), (236, 232, 240), np.uint8)
    _guilloche(img, (200, 170, 200), seed, n=90)
    c = (760, 420)
    for k in range(48):
        ang = k * np.pi / 24
        axes = (150, 60)
        cv2.ellipse(img, c, axes, float(np.degrees(ang)), 0, 360, (180, 150, 190), 1, cv2.LINE_AA)
    return _page(img, "blank_card")


def halftone_page(seed: int = 4) -> SynthPage:
    """A halftone print of windows on a facade: dot patterns in pairs, like eyes."""
    rng = np.random.default_rng(seed)
    img = np.full((900, 900, 3), 235, np.uint8)
    for y in range(60, 860, 110):
        for x in range(60, 860, 140):
            cv2.rectangle(img, (x, y), (x + 40, y + 60), (70, 70, 70), -1)
            cv2.rectangle(img, (x + 60, y), (x + 100, y + 60), (70, 70, 70), -1)
    dots = rng.random(img.shape[:2]) < 0.15
    img[dots] = (img[dots] * 0.6).astype(np.uint8)
    return _page(img, "halftone")


NEGATIVES = {"ticket": ticket_page, "lab_table": lab_table_page, "blank_card": blank_card_page,
             "halftone": halftone_page}
