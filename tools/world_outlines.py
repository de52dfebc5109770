"""Make `server/geography/world-110m.json`, the country outlines the parties map draws, from
Natural Earth's 1:110m Admin 0 Countries GeoJSON (public domain).

Each country becomes one SVG path in an equirectangular projection cropped to the inhabited
latitudes, keyed by ISO 3166-1 alpha-3, with coordinates rounded to a tenth of a unit: the map
is a small picture, and the file stays near 100 KB.

    python -m tools.world_outlines ne_110m_admin_0_countries.geojson
"""

import json
import sys
from pathlib import Path

OUTPUT = Path(__file__).parent.parent / "server" / "geography" / "world-110m.json"
SCALE = 2.5
NORTH, SOUTH = 84.0, -56.0
# Natural Earth gives these no ISO code of their own (-99) though ISO has one.
ISO_BY_ADM0 = {"FRA": "FRA", "NOR": "NOR"}


def project(longitude: float, latitude: float) -> tuple[float, float]:
    latitude = max(SOUTH, min(NORTH, latitude))
    return round((longitude + 180) * SCALE, 1), round((NORTH - latitude) * SCALE, 1)


def ring_path(ring: list[list[float]]) -> str:
    points = [project(longitude, latitude) for longitude, latitude in ring]
    kept = [point for index, point in enumerate(points) if index == 0 or point != points[index - 1]]
    return "M" + "L".join(f"{x:g} {y:g}" for x, y in kept) + "Z"


def main(source: str) -> None:
    features = json.loads(Path(source).read_text(encoding="utf-8"))["features"]
    outlines = {}
    for feature in features:
        properties = feature["properties"]
        code = properties.get("ISO_A3")
        if code in (None, "-99"):
            code = ISO_BY_ADM0.get(properties.get("ADM0_A3"))
        if code is None or code == "ATA":
            continue
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        outlines[code] = {
            "name": properties["NAME"],
            "path": "".join(ring_path(ring) for polygon in polygons for ring in polygon),
        }
    document = {
        "source": "Natural Earth 1:110m Cultural Vectors, Admin 0 - Countries (public domain)",
        "width": round(360 * SCALE),
        "height": round((NORTH - SOUTH) * SCALE),
        "countries": dict(sorted(outlines.items())),
    }
    OUTPUT.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(outlines)} countries, {OUTPUT.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
