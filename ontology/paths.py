"""Where the vocabulary's files live inside the installed package."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ONTOLOGY_FILE = PACKAGE_DIR / "comity.ttl"
SHAPES_FILE = PACKAGE_DIR / "shapes.ttl"
REFERENCE_DIR = PACKAGE_DIR / "reference"
