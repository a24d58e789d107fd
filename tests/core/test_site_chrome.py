"""What every page carries: the skip link, the landmarks and our own favicon."""

import re
from xml.etree import ElementTree

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image


def test_it_starts_every_page_with_a_skip_link_to_main(client, team):
    client.force_login(team["ada"])

    page = client.get(reverse("decisions:log")).content.decode()

    body = page.split("<body", 1)[1]
    first_link = re.search(r"<a [^>]*>", body).group(0)
    assert 'class="skip-link"' in first_link and 'href="#main"' in first_link
    assert '<main id="main" tabindex="-1">' in page
    assert '<nav aria-label="Site">' in page


def test_it_links_our_own_favicon(client, db):
    page = client.get(reverse("login")).content.decode()

    icons = re.findall(r'<link rel="(?:icon|apple-touch-icon)" href="([^"]+)"', page)
    assert icons == [
        f"{settings.STATIC_URL}favicon.svg",
        f"{settings.STATIC_URL}favicon.png",
        f"{settings.STATIC_URL}apple-touch-icon.png",
    ]
    for href in icons:
        assert finders.find(href.removeprefix(settings.STATIC_URL)), href


def test_it_ships_icons_that_open():
    svg = ElementTree.parse(finders.find("favicon.svg")).getroot()  # noqa: S314 (our own file)
    assert svg.tag.endswith("svg") and svg.get("viewBox") == "0 0 32 32"
    assert Image.open(finders.find("favicon.png")).size == (32, 32)
    assert Image.open(finders.find("apple-touch-icon.png")).size == (180, 180)
    assert (48, 48) in Image.open(finders.find("favicon.ico")).info["sizes"]
