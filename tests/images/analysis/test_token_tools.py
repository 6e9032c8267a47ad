"""The DTCG export, built unchanged by Style Dictionary 5 and Terrazzo 2.

The file is the one the admin's "Download tokens (DTCG JSON)" serves for an
analysis of a real PNG. Each tool builds it with the smallest configuration
its documentation shows, and the CSS it writes must hold every token with
the color of the analysis, without a warning on the way.
"""

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse
from model_bakery import baker

from images.analysis import analyze_image, color
from images.analysis.contrast import AA_NORMAL
from images.models import Image, ImageAnalysis

from .helpers import stripes_image
from .test_tokens import MID_GREYS

pytestmark = [pytest.mark.tokentools, pytest.mark.django_db]

# A navy background with four clear accents, analysed for AA, where some
# text tokens are palette colors moved in lightness; and six mid greys
# analysed for 7:1, which no grey reaches with white or black text, so
# surface tokens are moved instead (both kinds are listed as "adjusted").
ACCENTS = ["#fbbf24", "#dc2626", "#10b981", "#f5f5f4"]
IMAGES = {
    "colorful": ([("#1e3a8a", 60), *[(accent, 15) for accent in ACCENTS]], AA_NORMAL),
    "low-contrast": ([(grey, 20) for grey in MID_GREYS], 7.0),
}

TERRAZZO_CONFIG = """\
import { defineConfig } from "@terrazzo/cli";
import css from "@terrazzo/plugin-css";

export default defineConfig({
  tokens: ["./janus.tokens.json"],
  outDir: "./terrazzo/",
  plugins: [css()],
});
"""

DECLARATION = re.compile(r"--([\w-]+)\s*:\s*([^;]+);")
PERCENT_RGB = re.compile(r"rgb\(([\d.]+)% ([\d.]+)% ([\d.]+)%\)")


@dataclass
class Export:
    folder: Path
    tokens_file: Path
    colors: dict[str, str]


def expected_colors(document) -> dict[str, str]:
    """Return the CSS variable name and hex color of every exported token."""
    colors = {
        f"color-{name}": value for name, value in document["tokens"]["colors"].items()
    }
    for number, entry in enumerate(document["palette"], start=1):
        colors[f"color-palette-{number}"] = entry["hex"]
    return colors


def css_hex(value: str) -> str:
    """Return "#rrggbb" for a CSS color as the tools write it."""
    value = value.strip()
    if re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        return value.lower()
    match = PERCENT_RGB.fullmatch(value)
    if match is None:
        raise AssertionError(f"unexpected CSS color {value!r}")
    return color.to_hex(round(float(p) * 255 / 100) for p in match.groups())


def declared_colors(css: str) -> dict[str, str]:
    """Return the custom properties of css as name -> "#rrggbb"."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    declarations = DECLARATION.findall(css)
    colors = {name: css_hex(value) for name, value in declarations}
    assert len(colors) == len(declarations), "a custom property is declared twice"
    return colors


def tool_env(node_modules: Path) -> dict[str, str]:
    """Return the environment the tools run in.

    The pinned Node in node_modules/.bin comes first on PATH, so the tools'
    "#!/usr/bin/env node" lines find it; picocolors (Terrazzo) colors its
    output whenever CI is set, which NO_COLOR turns off.
    """
    path = os.pathsep.join([str(node_modules / ".bin"), os.environ.get("PATH", "")])
    env = {**os.environ, "NO_COLOR": "1", "PATH": path}
    env.pop("FORCE_COLOR", None)
    return env


def run_tool(node_modules: Path, tool: str, args: list[str], cwd: Path):
    return subprocess.run(
        [str(node_modules / ".bin" / tool), *args],
        cwd=cwd,
        env=tool_env(node_modules),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_tools_run_on_a_node_style_dictionary_supports(node_modules):
    package = json.loads(
        (node_modules / "style-dictionary" / "package.json").read_text()
    )
    oldest = int(re.fullmatch(r">=(\d+)\.\d+\.\d+", package["engines"]["node"])[1])

    result = subprocess.run(
        ["node", "--version"],
        env=tool_env(node_modules),
        capture_output=True,
        text=True,
        check=True,
    )

    assert int(re.match(r"v(\d+)\.", result.stdout)[1]) >= oldest


def assert_clean(result, folder: Path):
    output = result.stdout.replace(str(folder), "<tmp>")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert "⚠" not in output
    assert "warn" not in output.lower()
    assert "error" not in output.lower()


@pytest.fixture(params=list(IMAGES))
def export(request, tmp_path, auditor_client):
    stripes, min_contrast = IMAGES[request.param]
    picture = tmp_path / "stripes.png"
    stripes_image(stripes).save(picture)
    document = analyze_image(picture, min_contrast=min_contrast)
    # Both analyses move text tokens in L*; only the 7:1 one, where no
    # grey reaches 7:1 with white or black, moves surface tokens too. The
    # exports therefore carry kept, moved text and moved surface colors.
    moved = {change["token"] for change in document["tokens"]["adjusted"]}
    assert moved, "the export must carry colors moved in lightness"
    surfaces_moved = any(not token.startswith("on-") for token in moved)
    assert surfaces_moved is (min_contrast > AA_NORMAL)

    image = baker.make(Image, file="images/stripes.png", sha256="0" * 64)
    analysis = baker.make(ImageAnalysis, image=image, analysis_results=document)
    response = auditor_client.get(
        reverse("admin:images_imageanalysis_dtcg", args=[analysis.pk])
    )
    assert response.status_code == 200
    tokens_file = tmp_path / "janus.tokens.json"
    tokens_file.write_bytes(response.content)
    return Export(tmp_path, tokens_file, expected_colors(document))


def test_style_dictionary_builds_every_token_color(export, node_modules):
    css_file = {"destination": "variables.css", "format": "css/variables"}
    platform = {
        "transformGroup": "css",
        "buildPath": f"{export.folder / 'style-dictionary'}/",
        "files": [css_file],
    }
    settings = {"source": [str(export.tokens_file)], "platforms": {"css": platform}}
    config = export.folder / "style-dictionary.json"
    config.write_text(json.dumps(settings))

    build = ["build", "--config", str(config)]
    result = run_tool(node_modules, "style-dictionary", build, export.folder)

    assert_clean(result, export.folder)
    css = (export.folder / "style-dictionary" / "variables.css").read_text()
    assert declared_colors(css) == export.colors


def test_terrazzo_builds_every_token_color(export, node_modules):
    config = export.folder / "terrazzo.config.mjs"
    config.write_text(TERRAZZO_CONFIG)
    # The config imports the tools by package name, as a designer's does.
    (export.folder / "node_modules").symlink_to(node_modules)

    build = ["build", "--config", str(config)]
    result = run_tool(node_modules, "tz", build, export.folder)

    assert_clean(result, export.folder)
    css = (export.folder / "terrazzo" / "index.css").read_text()
    assert declared_colors(css) == export.colors
