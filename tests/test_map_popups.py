"""Every map layer declares its popup (tiles/popups.py, in the app's layers.py): a title
and rows of fields the layer's features carry, with labels — so no map shows raw keys."""
from __future__ import annotations

from django.utils import translation

from tiles.layers import all_layers
from tiles.maps import map_page_config
from tiles.popups import overlay_popups


def test_every_tile_layer_has_a_popup_of_fields_its_tiles_carry():
    for layer in all_layers():
        assert layer.popup is not None, f"{layer.name} has no popup"
        carried = set(layer.fields())
        assert layer.popup.fields() <= carried, (layer.name, layer.popup.fields() - carried)


def test_every_overlay_popup_reads_fields_its_api_features_carry():
    overlays = overlay_popups()
    assert {"terminals", "my-terminals", "heat-hex"} <= set(overlays)
    for layer_id, overlay in overlays.items():
        assert overlay.popup.fields() <= set(overlay.properties), (layer_id, overlay.popup.fields())


def test_the_map_config_carries_translated_labels_and_choice_labels(world, rf):
    request = rf.get("/")
    request.user = world.users["dispatcher"]
    with translation.override("zh-hans"):
        config = map_page_config(request)
    popups = config["popups"]
    assert {"cases", "terminals"} <= set(popups)
    cases = {row["field"]: row for row in popups["cases"]["rows"]}
    assert cases["time_state"]["label"] == "时限状态"
    assert cases["time_state"]["choices"]["late"] == "已超期"
    assert cases["urgency"]["choices"]["urgent"] != "urgent"
    terminals = {row["field"]: row for row in popups["terminals"]["rows"]}
    assert terminals["last_seen_at"]["kind"] == "age" and terminals["last_seen_at"]["label"] != "last_seen_at"
    assert terminals["zone_state"]["choices"]["outside"] == "在安全区外"
    assert config["popupWords"]["yes"] == "是" and config["popupWords"]["no"] == "否"
    assert config["maplibreLocale"]["NavigationControl.ZoomIn"] == "放大"


def test_a_role_gets_only_the_popups_of_layers_it_may_see(world, rf):
    request = rf.get("/")
    request.user = world.users["handler"]
    popups = map_page_config(request)["popups"]
    assert "terminals" not in popups and "cases" in popups
