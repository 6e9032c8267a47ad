"""HTML pieces that show analyses in the admin."""

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from janus.charts import bar_chart


def palette_strip(palette: list[dict] | None, *, width: int = 120, height: int = 14):
    """Return a strip of colour blocks sized by their share of the image."""
    if not palette:
        return "-"
    blocks = format_html_join(
        "",
        '<span title="{} ({}%)" style="display:inline-block;height:{}px;'
        'width:{}px;background:{}"></span>',
        (
            (
                colour["hex"],
                round(colour["share"] * 100, 1),
                height,
                max(round(colour["share"] * width, 1), 1),
                colour["hex"],
            )
            for colour in palette
        ),
    )
    return format_html(
        '<span class="janus-palette" role="img" aria-label="{}" '
        'style="display:inline-flex;border:1px solid var(--hairline-color)">{}'
        "</span>",
        _("Palette: %(colours)s") % {"colours": ", ".join(c["hex"] for c in palette)},
        blocks,
    )


def analysis_report(analysis) -> dict | None:
    """Return what the analysis page shows, or None for an empty analysis."""
    results = analysis.analysis_results or {}
    if not results.get("palette"):
        return None
    luminance = results.get("luminance") or {}
    histogram = luminance.get("histogram") or {}
    bins = histogram.get("bins") or []
    counts = histogram.get("counts") or []
    labels = [f"{low:.1f}" for low in bins[: len(counts)]]
    contrast = results.get("contrast") or {}
    tokens = results.get("tokens") or {}
    token_colours = tokens.get("colors") or {}
    layers = luminance.get("layers") or {}

    return {
        "palette": [
            {
                **colour,
                "percent": round(colour["share"] * 100, 1),
                "lab_text": ", ".join(f"{value:.1f}" for value in colour["lab"]),
            }
            for colour in results["palette"]
        ],
        "contrast": [
            {
                **row,
                "flags": [
                    row["aa_normal"],
                    row["aa_large"],
                    row["aaa_normal"],
                    row["aaa_large"],
                ],
            }
            for row in contrast.get("colors") or []
        ],
        "passing_pairs": contrast.get("aa_normal_pairs") or [],
        "luminance": luminance,
        "layers": {
            key: round(layers[key] * 100, 1)
            for key in ("dark", "mid", "light")
            if key in layers
        },
        "histogram": bar_chart(
            counts,
            labels,
            title=_("Relative luminance histogram"),
            description=_(
                "Pixels per relative-luminance bin, from 0 (black) to 1 (white): %s"
            )
            % "; ".join(
                f"{label}: {value}" for label, value in zip(labels, counts, strict=True)
            ),
        )
        if counts
        else "",
        "alpha": results.get("alpha") or {},
        "token_pairs": [
            {
                "name": pair["token"],
                "surface": token_colours.get(pair["token"]),
                "text": token_colours.get(pair["text"]),
                "ratio": pair["ratio"],
            }
            for pair in tokens.get("pairs") or []
        ],
        "adjusted": tokens.get("adjusted") or [],
        "min_contrast": tokens.get("min_contrast"),
        "dtcg_url": reverse("admin:images_imageanalysis_dtcg", args=[analysis.pk]),
        "css_url": reverse("admin:images_imageanalysis_css", args=[analysis.pk]),
    }
