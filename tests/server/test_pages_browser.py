"""Resource pages in a real headless Chromium, against a real server over the sample texts:
what a reader sees (highlights, pictures) is drawn, counted, and photographed.

The screenshots are decoded by the browser itself (an image drawn onto a canvas), so the test
needs nothing to read PNG files; they are also kept in pytest's temporary directory.
"""

import base64
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests

import graph
from ontology import COMITY, document_iri
from tests.server.chromium import CHROMIUM, DevTools

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")

DOCUMENT_KEY = "coe-2006-01-10-france-ratifies-cybercrime"
HIGHLIGHT = (0xFF, 0xF1, 0xB8)  # mark.evidence in comity.css
SVG = "{http://www.w3.org/2000/svg}"


def screenshot(browser: DevTools, selector: str, path: Path) -> dict[str, object]:
    """Photograph one element; what the picture holds, as the browser decodes it: its size, how
    many pixels differ from its first one, whether the highlight colour is in it."""
    box = browser.wait_for(
        f"""(() => {{
          const element = document.querySelector({json.dumps(selector)});
          if (!element) return null;
          const rect = element.getBoundingClientRect();
          return {{x: rect.left + scrollX, y: rect.top + scrollY,
                   width: rect.width, height: rect.height}};
        }})()"""
    )
    shot = browser.call(
        "Page.captureScreenshot",
        format="png",
        captureBeyondViewport=True,
        clip={**box, "scale": 1},
    )["data"]
    path.write_bytes(base64.b64decode(shot))
    return browser.evaluate(
        f"""new Promise(resolve => {{
          const image = new Image();
          image.onload = () => {{
            const canvas = document.createElement('canvas');
            canvas.width = image.width;
            canvas.height = image.height;
            const context = canvas.getContext('2d');
            context.drawImage(image, 0, 0);
            const pixels = context.getImageData(0, 0, image.width, image.height).data;
            let differing = 0, highlight = 0;
            for (let i = 0; i < pixels.length; i += 4) {{
              if (pixels[i] !== pixels[0] || pixels[i + 1] !== pixels[1]
                  || pixels[i + 2] !== pixels[2]) differing++;
              if (Math.abs(pixels[i] - {HIGHLIGHT[0]}) < 4
                  && Math.abs(pixels[i + 1] - {HIGHLIGHT[1]}) < 4
                  && Math.abs(pixels[i + 2] - {HIGHLIGHT[2]}) < 4) highlight++;
            }}
            resolve({{width: image.width, height: image.height, differing, highlight}});
          }};
          image.src = 'data:image/png;base64,{shot}';
        }})"""
    )


def assert_not_blank(picture: dict[str, object]) -> None:
    width, height, differing = picture["width"], picture["height"], picture["differing"]
    assert width > 100 and height > 20, picture
    # Text and marks: far more than a stray border's worth of pixels differ from the background.
    assert differing > 0.01 * width * height, picture


def test_document_page_highlights_its_evidence(
    browser: DevTools, sample_server: tuple[str, graph.KnowledgeGraph], tmp_path: Path
) -> None:
    url, counting = sample_server
    spans = {
        (row["start"].value, row["end"].value)
        for row in counting.query(
            f"""SELECT ?start ?end WHERE {{
              ?span <{COMITY.inDocument}> <{document_iri(DOCUMENT_KEY)}> ;
                    <{COMITY.start}> ?start ; <{COMITY.end}> ?end .
              ?fact <{COMITY.evidence}> ?span }}"""
        )
    }
    browser.navigate(f"{url}/id/document/{DOCUMENT_KEY}")
    # The spans of this text do not overlap: one highlight each.
    marks = browser.evaluate("document.querySelectorAll('.full-text mark').length")
    assert marks == len(spans) > 0
    targets = browser.evaluate(
        "[...document.querySelectorAll('.full-text mark a')].map(a => a.getAttribute('href'))"
    )
    assert all(target.startswith("/id/") for target in targets)
    assert "/id/ratification/" in " ".join(targets)
    picture = screenshot(browser, ".full-text", tmp_path / "document.png")
    assert_not_blank(picture)
    assert picture["highlight"] > 500, "the highlight colour should show"


@pytest.mark.parametrize(
    ("path", "picture", "mark"),
    [
        ("/id/treaty/cets-224", "timeline", "a.mark"),
        ("/id/treaty/cets-224", "steps", "a.mark.step"),
        ("/id/treaty/cets-224", "map", "a.mark.party"),
        ("/id/org/council-of-europe", "members", "a.mark.membership"),
    ],
)
def test_pictures_are_drawn(
    browser: DevTools,
    sample_server: tuple[str, graph.KnowledgeGraph],
    tmp_path: Path,
    path: str,
    picture: str,
    mark: str,
) -> None:
    """Each picture renders with as many marks as the server's SVG holds, each mark has a box
    on the screen, and its screenshot is not blank."""
    url, _ = sample_server
    browser.navigate(url + path)
    selector = f"svg.picture.{picture}"
    served = len(marks_in_served_svg(url + path, picture, mark))
    drawn = browser.evaluate(
        f"""[...document.querySelectorAll({json.dumps(f"{selector} {mark}")})]
             .filter(m => {{ const r = m.getBoundingClientRect();
                             return r.width > 0 && r.height > 0; }}).length"""
    )
    assert drawn == served > 0
    assert browser.evaluate(f"document.querySelector('{selector} > title').textContent")
    assert_not_blank(screenshot(browser, selector, tmp_path / f"{picture}.png"))


def marks_in_served_svg(url: str, picture: str, mark: str) -> list[ET.Element]:
    """The marks of one picture as the server sends it, read as XML."""
    body = requests.get(url, timeout=30).text
    svg = next(
        ET.fromstring(text)
        for text in re.findall(r"<svg .*?</svg>", body, re.S)
        if f'class="picture {picture}"' in text
    )
    wanted = set(mark.split(".")[1:])
    return [a for a in svg.iter(f"{SVG}a") if wanted <= set((a.get("class") or "").split())]
