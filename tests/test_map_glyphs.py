"""Map labels need no internet: the style's glyphs URL is our own static files, the glyph
ranges built at set-up answer as SDF protobufs (Latin letters and digits; Chinese is drawn
by the browser's fonts), and every layer's label fonts exist. The roads layer and the
labels of areas, cells, roads and buildings are in what map pages are given."""
from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory

from tiles.maps import map_page_config


def _fields(data: bytes):
    """(field number, value) of one protobuf message: varints and length-delimited only."""
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 2:
            length, i = _varint(data, i)
            value, i = data[i:i + length], i + length
        else:
            raise AssertionError(f"unexpected wire type {wire}")
        yield number, value


def _varint(data: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        byte = data[i]
        result |= (byte & 0x7F) << shift
        i, shift = i + 1, shift + 7
        if not byte & 0x80:
            return result, i


def _glyphs(pbf: bytes) -> tuple[str, dict[int, dict]]:
    """The font's name and the glyphs by code point of a glyphs.proto range (fontstack = 1,
    its name = 1, glyph = 3; a glyph's id = 1, bitmap = 2, width = 3, height = 4)."""
    (number, stack), = list(_fields(pbf))
    assert number == 1
    name, glyphs = "", {}
    for field, value in _fields(stack):
        if field == 1:
            name = value.decode()
        elif field == 3:
            glyph = dict(_fields(value))
            glyphs[glyph[1]] = glyph
    return name, glyphs


def _glyphs_url() -> str:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()  # the glyphs are the same for everyone
    return map_page_config(request)["basemap"]["glyphs"]


def test_glyphs_url_is_local():
    url = _glyphs_url()
    assert urlsplit(url).scheme == "" and urlsplit(url).netloc == ""
    assert url.startswith("/static/") and url.endswith("/{fontstack}/{range}.pbf")


def test_glyph_range_is_served(world):
    url = _glyphs_url().replace("{fontstack}", "DejaVuSans").replace("{range}", "0-255")
    response = Client().get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    name, glyphs = _glyphs(body)
    assert name.startswith("DejaVu Sans")
    assert max(glyphs) <= 255
    for char in "AZaz09-·":
        glyph = glyphs[ord(char)]
        # an SDF bitmap of the glyph with MapLibre's 3-pixel border
        assert len(glyph[2]) == (glyph[3] + 6) * (glyph[4] + 6) > 0, char


def test_road_and_label_layers_reach_map_pages(world):
    index = world.client("handler").get("/tiles/").json()
    layers = {layer["id"]: layer for layer in index["layers"]}
    roads = layers["roads"]
    assert [layer["id"] for layer in index["layers"]][0] == "roads"  # under every other layer
    assert {s["type"] for s in roads["style"]} == {"line"}
    (road_label,) = roads["labels"]
    assert road_label["layout"]["symbol-placement"] == "line"
    for name, zoom in {"districts": 6, "streets": 11, "communities": 13, "cells": 15, "buildings": 16}.items():
        (label,) = layers[name]["labels"]
        assert (label["type"], label["minzoom"], label["layout"]["text-field"]) == ("symbol", zoom, ["get", "name"])
    # Every font a label uses has its glyphs served.
    fonts = {font for layer in layers.values() for label in layer["labels"] for font in label["layout"]["text-font"]}
    assert fonts == {"DejaVuSans", "DejaVuSans-Bold"}
    for font in fonts:
        url = _glyphs_url().replace("{fontstack}", font).replace("{range}", "65280-65535")
        assert Client().get(url).status_code == 200, font
