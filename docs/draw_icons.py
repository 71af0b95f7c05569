"""Draws the site's PNG icons (static/img/icon-*.png) from static/img/favicon.svg in headless
Chromium: `.venv/bin/python docs/draw_icons.py` from the checkout, after changing the SVG."""

import pathlib

from playwright.sync_api import sync_playwright

svg = pathlib.Path("static/img/favicon.svg").read_text()
# Maskable: the launcher may cut the icon to a circle or squircle; the mark stays inside
# the central 80 % "safe zone", on a full-bleed background.
inner = (
    svg.split(">", 1)[1]
    .rsplit("</svg>", 1)[0]
    .replace('<rect width="32" height="32" rx="7" fill="#0b5394"/>', "")
)
maskable = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" fill="#0b5394"/>'
    f'<g transform="translate(16 16) scale(0.7) translate(-16 -16)">{inner}</g></svg>'
)
jobs = [
    ("icon-180.png", svg, 180),
    ("icon-192.png", svg, 192),
    ("icon-512.png", svg, 512),
    ("icon-maskable-512.png", maskable, 512),
]
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium")
    for name, source, size in jobs:
        page = browser.new_page(viewport={"width": size, "height": size})
        sized = source.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
        page.set_content(
            '<html><body style="margin:0;background:transparent">' + sized + "</body></html>"
        )
        page.screenshot(
            path=f"static/img/{name}",
            omit_background=True,
            clip={"x": 0, "y": 0, "width": size, "height": size},
        )
        page.close()
    browser.close()
