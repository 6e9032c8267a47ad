"""Server-rendered SVG charts for admin pages.

Charts are plain inline SVG: no scripts, fonts or files from elsewhere. Each
carries a ``<title>`` and a ``<desc>`` that states the figures in words, and
takes its colours from the admin's CSS variables so that it reads in the light
and the dark theme alike: bars use the link colour, which keeps at least
3:1 contrast against the page in both themes (WCAG 1.4.11), where the
admin's ``--primary`` does not.

Given ``links``, each bar is a link to the rows it counts. The chart is then
a group, not a single image, so that assistive technology reaches the
links; each link is named by its bar's label and value.
"""

from collections.abc import Sequence
from itertools import count

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

_ids = count(1)


def bar_chart(
    values: Sequence[float],
    labels: Sequence[str],
    *,
    title: str,
    description: str | None = None,
    width: int = 640,
    height: int = 180,
    value_format: str = "{:g}",
    label_every: int = 1,
    links: Sequence[str] | None = None,
) -> SafeString:
    """Return an accessible SVG bar chart of ``values``.

    ``labels`` name the bars on the x axis; with many bars, ``label_every``
    shows only every n-th label. ``description`` defaults to a sentence
    listing every label and value, for screen readers. ``links``, one URL
    per bar, makes each bar a link.
    """
    if len(values) != len(labels):
        raise ValueError("values and labels must have the same length")
    if links is not None and len(links) != len(values):
        raise ValueError("links and values must have the same length")
    chart_id = f"janus-chart-{next(_ids)}"
    if description is None:
        description = "; ".join(
            f"{label}: {value_format.format(value)}"
            for label, value in zip(labels, values, strict=True)
        )

    top, bottom, left, right = 16, 28, 36, 8
    plot_width = width - left - right
    plot_height = height - top - bottom
    peak = max(values, default=0) or 1
    slot = plot_width / max(len(values), 1)
    bar_width = max(slot * 0.8, 1)

    bars = []
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        bar_height = plot_height * value / peak
        x = left + index * slot + (slot - bar_width) / 2
        y = top + plot_height - bar_height
        bars.append(
            (
                f"{x:.1f}",
                f"{y:.1f}",
                f"{bar_width:.1f}",
                f"{bar_height:.1f}",
                f"{label}: {value_format.format(value)}",
            )
        )
    if links is None:
        bar_html = format_html_join(
            "",
            '<rect class="bar" x="{}" y="{}" width="{}" height="{}">'
            "<title>{}</title></rect>",
            bars,
        )
    else:
        # The link spans the full height of its slot, so that a day with a
        # small count is still easy to hit.
        bar_html = format_html_join(
            "",
            '<a href="{}" aria-label="{}"><rect class="hit" x="{}" y="{}" '
            'width="{}" height="{}"/><rect class="bar" x="{}" y="{}" width="{}" '
            'height="{}"><title>{}</title></rect></a>',
            (
                (
                    link,
                    name,
                    f"{left + index * slot:.1f}",
                    top,
                    f"{slot:.1f}",
                    plot_height,
                    x,
                    y,
                    bar_w,
                    bar_h,
                    name,
                )
                for index, (link, (x, y, bar_w, bar_h, name)) in enumerate(
                    zip(links, bars, strict=True)
                )
            ),
        )
    axis_labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (f"{left + index * slot + slot / 2:.1f}", height - 10, label)
            for index, label in enumerate(labels)
            if index % max(label_every, 1) == 0
        ),
    )
    return format_html(
        '<svg class="janus-chart" role="{role}" viewBox="0 0 {width} {height}" '
        'width="100%" preserveAspectRatio="xMidYMid meet" '
        'aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title>'
        '<desc id="{id}-desc">{description}</desc>'
        "<style>"
        ".janus-chart .bar{{fill:var(--link-fg,#417893)}}"
        ".janus-chart .hit{{fill:transparent}}"
        ".janus-chart a:hover .bar,.janus-chart a:focus .bar"
        "{{fill:var(--link-hover-color,#036)}}"
        ".janus-chart a:focus .hit{{stroke:var(--link-fg,#417893);stroke-width:2}}"
        ".janus-chart text{{fill:var(--body-quiet-color,#666);font-size:11px;"
        "font-family:var(--font-family-primary,sans-serif)}}"
        ".janus-chart .axis{{stroke:var(--hairline-color,#ccc)}}"
        "</style>"
        '<line class="axis" x1="{left}" y1="{base}" x2="{right_edge}" y2="{base}"/>'
        '<text x="{label_x}" y="{top_label}" text-anchor="end">{peak}</text>'
        '<text x="{label_x}" y="{base}" text-anchor="end">0</text>'
        "{bars}{axis_labels}</svg>",
        role="img" if links is None else "group",
        width=width,
        height=height,
        id=chart_id,
        title=title,
        description=description,
        left=left,
        base=top + plot_height,
        right_edge=width - right,
        label_x=left - 4,
        top_label=top + 4,
        peak=value_format.format(peak),
        bars=bar_html,
        axis_labels=axis_labels,
    )
