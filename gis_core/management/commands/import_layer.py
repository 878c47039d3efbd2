"""manage.py import_layer: a GIS file or spreadsheet into buildings, areas, key sites or
organizations (gis_core.importing)."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from gis_core.importing.cli import PhaseBars, command_actor, import_run
from gis_core.importing.layers import import_layers
from gis_core.importing.offsets import OFFSETS


class Command(BaseCommand):
    help = ("Import a GIS file or spreadsheet — GeoJSON, zipped Shapefile, GeoPackage, CSV or XLSX with lon/lat "
            "or WKT columns — into " + ", ".join(layer.name for layer in import_layers()) + ". Re-importing "
            "updates the records by their source key and creates no duplicates. Rows that cannot be imported "
            "are reported and written to <file>.import-issues.csv next to the input.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("layer", choices=[layer.name for layer in import_layers()])
        parser.add_argument("file", type=Path)
        parser.add_argument("--crs", help="coordinate system of the file, overriding its own (e.g. EPSG:4543)")
        parser.add_argument("--offset", choices=OFFSETS, help="coordinates are GCJ-02 or BD-09 web-map coordinates")
        parser.add_argument("--dry-run", action="store_true", help="do everything, then roll back")
        parser.add_argument("--as", dest="username", help="import as this user, within their areas")
        parser.add_argument("--source", help="namespace of the source keys (default: the file name)")
        parser.add_argument("--key", help="the column holding each feature's key (default: id, 编号, code, …)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, layer: str, file: Path, crs, offset, dry_run: bool, username, source, key,
               no_progress: bool, verbosity: int, **options) -> None:
        from gis_core.importing.services import layer_import

        import_run(self, file, lambda: layer_import(
            actor=command_actor(username), layer=layer, path=file, crs=crs, offset=offset, dry_run=dry_run,
            source=source, key_column=key, url=f"manage.py import_layer {layer} {file.name}",
            progress=PhaseBars(verbosity > 0 and not no_progress)))
