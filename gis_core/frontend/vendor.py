"""Copy the files pages use from node_modules to var/vendor/, served as static files,
and build the maps' label glyphs.

Standard library only; run by `make setup` after `npm ci`. Only the listed files are
copied, so collectstatic does not walk whole packages.

Glyphs: MapLibre draws text from signed-distance-field glyph ranges, 256 characters a
file, fetched from the style's `glyphs` URL. fontnik (npm; its package ships the native
binary, so `npm ci --ignore-scripts` suffices) renders them from Debian's DejaVu fonts
(fonts-dejavu-core) into var/vendor/glyphs/<font>/<first>-<last>.pbf. Chinese is not
built: map pages draw CJK with the browser's own fonts (localIdeographFontFamily).
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODULES = HERE / "node_modules"
TARGET = HERE.parents[1] / "var" / "vendor"

# package -> files (relative to the package) that pages load
FILES = {
    "maplibre-gl": ["dist/maplibre-gl.js", "dist/maplibre-gl.css"],
    "chart.js": ["dist/chart.umd.min.js"],
    "leaflet": ["dist/leaflet.js", "dist/leaflet.css"],
    "ol": ["dist/ol.js", "ol.css"],
    "swagger-ui-dist": [
        "swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
        "favicon-32x32.png", "favicon-16x16.png",
    ],
}
# swagger-ui-dist is served under the name drf-spectacular's template expects
DEST = {"swagger-ui-dist": "swagger-ui"}


FONTS_DIR = Path("/usr/share/fonts/truetype/dejavu")
# fontstack name (the maps' "text-font", tiles/layers.py) -> font file
GLYPH_FONTS = {"DejaVuSans": "DejaVuSans.ttf", "DejaVuSans-Bold": "DejaVuSans-Bold.ttf"}


def glyphs_build() -> None:
    """Every range 0–65535 of each font (uncovered ranges are small empty files, which
    MapLibre expects rather than a 404). Rebuilt only when the font or fontnik is newer."""
    builder = MODULES / "fontnik" / "bin" / "build-glyphs"
    if not builder.exists():
        sys.exit(f"{builder} missing: run `npm ci` in {HERE}")
    for fontstack, file in GLYPH_FONTS.items():
        font = FONTS_DIR / file
        if not font.exists():
            sys.exit(f"{font} missing: install the Debian package fonts-dejavu-core (devstack/system_packages.sh)")
        dst = TARGET / "glyphs" / fontstack
        last = dst / "65280-65535.pbf"
        if last.exists() and last.stat().st_mtime >= max(font.stat().st_mtime, builder.stat().st_mtime):
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        # Built aside and moved in whole: a page never sees half a font.
        with tempfile.TemporaryDirectory(dir=dst.parent) as tmp:
            subprocess.run(["node", str(builder), str(font), tmp], check=True, stdout=subprocess.DEVNULL)
            if dst.exists():
                shutil.rmtree(dst)
            Path(tmp).rename(dst)
            dst.chmod(0o755)


def main() -> None:
    for package, files in FILES.items():
        for rel in files:
            src = MODULES / package / rel
            if not src.exists():
                sys.exit(f"{src} missing: run `npm ci` in {HERE}")
            dst = TARGET / DEST.get(package, package) / Path(rel).name
            dst.parent.mkdir(parents=True, exist_ok=True)
            if not dst.exists() or dst.stat().st_mtime < src.stat().st_mtime:
                shutil.copy2(src, dst)
    glyphs_build()


if __name__ == "__main__":
    main()
