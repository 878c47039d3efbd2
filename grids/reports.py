"""Printable area reports: a standalone folium (Leaflet) map of an area — its boundary and
sub-areas with their counts, key sites, a residents' heat overlay — with a statistics
table, for officials to print or archive.

The file stands alone: Leaflet's script and stylesheet (from the npm package, as every
page's assets) are inlined, folium's CDN links are dropped, the heat overlay is an
embedded PNG and there are no basemap tiles unless the deployment configured some. Saved
to disk, it opens years later with no server and no internet.
"""
from __future__ import annotations

import json
import math

import folium
from branca.element import Element, MacroElement
from django.conf import settings
from django.db.models import F
from django.utils.html import escape
from django.utils.timezone import localtime, now
from django.utils.translation import gettext as _
from folium.features import GeoJsonTooltip
from jinja2 import Template

from assets.layers import KEY_SITE_COLORS
from assets.models import KeySite
from gis_core.models import Area
from gis_core.roles import role_allows
from gis_core.scoping import scope_queryset
from grids.area_stats import area_stats
from tiles.heat.binning import SIGMA_M, mercator_cell_km2
from tiles.heat.metrics import WEB_MERCATOR, HeatQuery, HeatWindow, metric_for
from tiles.heat.raster import RAMP, colourise, raster, scale
from tiles.tilemath import m3857_to_lonlat

HEAT_PIXEL_M = 25.0


def _vendor(name: str) -> str:
    return (settings.VENDOR_DIR / name).read_text(encoding="utf-8")


def _inline_leaflet(fmap: folium.Map) -> None:
    """Leaflet inside the file instead of folium's CDN links (jQuery, Bootstrap and
    Font Awesome are only needed by plugins this report does not use)."""
    fmap.default_js, fmap.default_css = [], []
    header = fmap.get_root().header
    header.add_child(Element(f"<style>{_vendor('leaflet/leaflet.css')}</style>"), name="leaflet_css")
    header.add_child(Element(f"<script>{_vendor('leaflet/leaflet.js')}</script>"), name="leaflet_js")


class MetricScale(MacroElement):
    """Leaflet's scale bar in metres only (folium's control_scale also draws feet and miles)."""

    _template = Template("""{% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
    {% endmacro %}""")


def _children_geojson(stats: dict) -> dict:
    boundaries = dict(Area.objects.filter(pk__in=[c["id"] for c in stats["children"]])
                      .values_list("pk", "boundary"))
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(boundaries[c["id"]].geojson),
         "properties": {"name": c["name"], "code": c["code"], "people": c["people"], "buildings": c["buildings"],
                        "key_sites": c["key_sites"]}}
        for c in stats["children"]]}


def _heat_overlay(fmap: folium.Map, area: Area, user) -> None:
    """Residents' density over the area as an embedded image, on the colour scale the
    console uses."""
    metric = metric_for("people")
    if metric is None or not role_allows(user, metric.permission):
        return
    query = HeatQuery(metric, user, {}, HeatWindow(area=area))
    extent = area.boundary.transform(WEB_MERCATOR, clone=True).extent
    west, south, east, north = area.boundary.extent
    pixel = HEAT_PIXEL_M / math.cos(math.radians((south + north) / 2))  # EPSG:3857 units for 25 m on the ground
    result = raster(query, srid=WEB_MERCATOR, pixel=pixel, sigma_px=SIGMA_M / HEAT_PIXEL_M, extent=extent,
                    max_cells=4_000_000)
    if result is None or not result.counts.any():
        return
    density = result.counts / mercator_cell_km2(result.row_centres(), pixel)[:, None]
    rgba = colourise(density, scale(query).maximum)
    height, width = density.shape
    west, north = m3857_to_lonlat(result.left, result.top)  # the raster's own corners
    east, south = m3857_to_lonlat(result.left + width * pixel, result.top - height * pixel)
    folium.raster_layers.ImageOverlay(image=rgba, bounds=[[south, west], [north, east]], opacity=0.85,
                                      name=_("Residents' density"), mercator_project=False).add_to(fmap)


def _key_sites(fmap: folium.Map, area: Area, user) -> None:
    sites = (scope_queryset(KeySite.objects.filter(area__code__startswith=area.prefix), user)
             .values("name", "geometry", "risk_level", category_name=F("category__name"), kind=F("category__kind")))
    layer = folium.FeatureGroup(name=_("Key sites and facilities"))
    for site in sites:
        point = site["geometry"].point_on_surface
        color = KEY_SITE_COLORS.get(site["kind"], "#999999")
        folium.CircleMarker(location=[point.y, point.x], radius=4, color="#ffffff", weight=1, fill=True,
                            fill_color=color, fill_opacity=0.9,
                            tooltip=f"{escape(site['name'])} · {escape(site['category_name'])}").add_to(layer)
    layer.add_to(fmap)


def _summary(stats: dict, user) -> str:
    """The panel over the map: the area's counts and those of its sub-areas."""
    totals = stats["totals"]
    rows = [(_("residents"), totals["people"]), (_("buildings"), totals["buildings"]),
            (_("houses"), totals["houses"]), (_("key sites"), totals["key_sites"])]
    rows += [(t["name"], totals["tags"].get(t["code"], 0)) for t in stats["tags"] if totals["tags"].get(t["code"])]
    printed = _("Printed %(when)s by %(who)s") % {"when": localtime(now()).strftime("%Y-%m-%d %H:%M"), "who": user}
    heading = [_("sub-area"), _("residents"), _("buildings"), _("key sites")]
    html = [f"<div class=\"report-panel\"><h1>{escape(stats['area']['name'])} <small>{escape(stats['area']['code'])}"
            f"</small></h1><p class=\"meta\">{escape(printed)}</p><table>"]
    html += [f"<tr><th>{escape(label)}</th><td>{value:,}</td></tr>" for label, value in rows]
    html.append("</table>")
    if stats["children"]:
        html.append("<table class=\"children\"><tr>" + "".join(f"<th>{escape(h)}</th>" for h in heading) + "</tr>")
        html += [f"<tr><td>{escape(c['name'])}</td><td>{c['people']:,}</td><td>{c['buildings']:,}</td>"
                 f"<td>{c['key_sites']:,}</td></tr>" for c in stats["children"]]
        html.append("</table>")
    ramp_legend = _("Residents’ density, low to high")  # not inside the f-string: makemessages would miss it
    html.append(f"<div class=\"ramp\"></div><small>{escape(ramp_legend)}</small></div>")
    return "".join(html)


_RAMP_GRADIENT = ", ".join(f"{colour} {int(fraction * 100)}%" for fraction, colour, _alpha in RAMP)
# In a <style> element: the Content-Security-Policy refuses style attributes.
REPORT_CSS = """
<style>
  html, body { font-family: system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }
  .report-panel { position: absolute; z-index: 1000; top: 10px; left: 50px; max-width: 320px; padding: 10px 14px;
                  background: rgba(255,255,255,.93); border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.3);
                  font-size: 13px; }
  .report-panel h1 { font-size: 17px; margin: 0 0 4px; }
  .report-panel h1 small { color: #666; font-weight: normal; font-size: 12px; }
  .report-panel .meta { color: #666; margin: 0 0 6px; }
  .report-panel table { border-collapse: collapse; margin-bottom: 6px; width: 100%; }
  .report-panel th { text-align: left; font-weight: normal; color: #555; padding: 1px 8px 1px 0; }
  .report-panel td { text-align: right; font-variant-numeric: tabular-nums; }
  .report-panel .ramp { height: 8px; border-radius: 3px; }
  @media print { .leaflet-control-container { display: none; } }
""" + f"  .report-panel .ramp {{ background: linear-gradient(to right, {_RAMP_GRADIENT}); }}\n</style>"


def area_report_html(*, area: Area, user) -> str:
    """The report of ``area`` (already checked to be within the user's scope)."""
    stats = area_stats(area=area, user=user)
    west, south, east, north = area.boundary.extent
    tiles = settings.BASEMAP_URL or None
    fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], tiles=tiles,
                      attr=settings.BASEMAP_ATTRIBUTION or None, zoom_control=True)
    _inline_leaflet(fmap)
    MetricScale().add_to(fmap)
    fmap.get_root().title = f"{area.name} ({area.code})"
    fmap.get_root().header.add_child(Element(REPORT_CSS), name="report_css")
    _heat_overlay(fmap, area, user)
    folium.GeoJson(json.loads(area.boundary.geojson), name=area.name,
                   style_function=lambda f: {"color": "#5b2c6f", "weight": 3, "fill": False}).add_to(fmap)
    if stats["children"]:
        folium.GeoJson(
            _children_geojson(stats), name=_("Sub-areas"),
            style_function=lambda f: {"color": "#3873b5", "weight": 1.5, "fillOpacity": 0.03},
            tooltip=GeoJsonTooltip(fields=["name", "code", "people", "buildings", "key_sites"],
                                   aliases=[_("name"), _("code"), _("residents"), _("buildings"), _("key sites")]),
        ).add_to(fmap)
    _key_sites(fmap, area, user)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    fmap.get_root().html.add_child(Element(_summary(stats, user)), name="summary")
    return fmap.get_root().render()
