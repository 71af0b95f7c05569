"""Draws the demo signatories' signatures (made-up scribbles, not anyone's
real signature): transparent PNGs of a few smooth pen strokes.

Run once; the PNGs are committed: .venv/bin/python certificates/demo/make_signatures.py
"""

import math
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SCALE = 4  # drawn large, then reduced: smooth edges without a vector renderer
WIDTH, HEIGHT = 480, 160
INK = (20, 40, 110, 255)


def _stroke(draw, points, width):
    scaled = [(x * SCALE, y * SCALE) for x, y in points]
    draw.line(scaled, fill=INK, width=width * SCALE, joint="curve")
    radius = width * SCALE / 2
    for x, y in (scaled[0], scaled[-1]):
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=INK)


def _loops(x0, x1, baseline, height, loops, slant, phase):
    """A run of cursive loops from x0 to x1."""
    points = []
    steps = 400
    for i in range(steps + 1):
        t = i / steps
        angle = t * loops * 2 * math.pi + phase
        x = x0 + (x1 - x0) * t + 14 * math.cos(angle) + slant * math.sin(angle)
        y = baseline - height * (0.5 + 0.5 * math.sin(angle)) * (0.6 + 0.4 * math.sin(t * math.pi))
        points.append((x, y))
    return points


def _flourish(x0, x1, y, dip):
    return [
        (x0 + (x1 - x0) * t / 100, y + dip * math.sin(t / 100 * math.pi) - 10 * t / 100)
        for t in range(101)
    ]


SIGNATURES = {
    "signature-1.png": [
        (_loops(40, 220, 110, 70, 4.5, 10, 0.3), 5),
        (_loops(230, 400, 112, 45, 5.5, 6, 1.2), 4),
        (_flourish(30, 440, 128, 18), 3),
    ],
    "signature-2.png": [
        (_loops(60, 170, 105, 80, 2.5, 18, 2.0), 5),
        (_loops(180, 420, 108, 40, 7, 5, 0.1), 4),
        (_flourish(150, 460, 95, -30), 3),
    ],
    "signature-3.png": [
        (_loops(50, 300, 112, 60, 6, 12, 1.0), 4),
        (_flourish(40, 330, 132, 10), 3),
        (_loops(320, 430, 100, 55, 2, 20, 2.6), 5),
    ],
}


def main():
    for filename, strokes in SIGNATURES.items():
        image = Image.new("RGBA", (WIDTH * SCALE, HEIGHT * SCALE), (255, 255, 255, 0))
        draw = ImageDraw.Draw(image)
        for points, width in strokes:
            _stroke(draw, points, width)
        image = image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
        image = image.quantize(colors=32, method=Image.Quantize.FASTOCTREE)
        image.save(HERE / filename, optimize=True)


if __name__ == "__main__":
    main()
