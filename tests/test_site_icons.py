"""The site's icons: PNG beside the SVG favicon, for home screens and the app manifest."""

import pytest
from django.contrib.staticfiles import finders
from PIL import Image


@pytest.mark.django_db
def test_pages_offer_png_icons_beside_the_svg(client):
    page = client.get("/").content.decode()
    for name, size in (("icon-192.png", 192), ("icon-180.png", 180)):
        assert f"img/{name}" in page
        with Image.open(finders.find(f"img/{name}")) as icon:
            assert icon.size == (size, size)
    with Image.open(finders.find("img/icon-maskable-512.png")) as icon:
        # Maskable: full bleed, so the corner is the background colour, not transparent.
        assert icon.size == (512, 512) and icon.convert("RGBA").getpixel((0, 0))[3] == 255
