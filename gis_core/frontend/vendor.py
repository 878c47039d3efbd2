"""Copy the files pages use from node_modules to var/vendor/, served as static files.

Standard library only; run by `make setup` after `npm ci`. Only the listed files are
copied, so collectstatic does not walk whole packages.
"""
import shutil
import sys
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


if __name__ == "__main__":
    main()
