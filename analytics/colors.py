"""Merge the palettes of many images into the colours they share most.

Plain functions over plain data, like ``images.analysis``: no Django here,
so a report can be checked against hand-made palettes.

Two palette colours count as one when they lie within ``delta_e`` of each
other in CIELAB (CIE76, the Euclidean distance). Colours are visited from
the largest share down; each joins the nearest group whose first colour is
close enough, or starts a group of its own. A group's colour is the
share-weighted mean of its members, which stays within ``delta_e`` of the
first member. Visiting in a fixed order makes the result deterministic.
"""

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from itertools import product

import numpy as np

from images.analysis import color


@dataclass
class _Group:
    leader_hex: str
    lab_sum: np.ndarray
    weight: float = 0.0
    images: set = field(default_factory=set)

    def add(self, lab: np.ndarray, share: float, image: Hashable) -> None:
        # A zero share still marks the image, and still counts in the mean.
        weight = max(share, 1e-9)
        self.lab_sum = self.lab_sum + lab * weight
        self.weight += weight
        self.images.add(image)


class _LeaderGrid:
    """Find the nearest group leader within ``delta_e`` of a colour.

    Leaders are filed in cubes of side ``delta_e``, so a leader close enough
    lies in the colour's cube or one of its 26 neighbours and only those
    are searched: the cost per colour stays flat however many groups there
    are. Ties go to the group created first, as in a scan of all leaders.
    """

    def __init__(self, delta_e: float):
        self.limit_squared = delta_e**2
        self.side = delta_e if delta_e > 0 else None
        self.cells: dict[tuple, list[tuple[int, tuple]]] = {}

    def _cell(self, lab: tuple) -> tuple:
        if self.side is None:
            return lab
        return tuple(math.floor(value / self.side) for value in lab)

    def nearest(self, lab: np.ndarray) -> int | None:
        point = tuple(float(value) for value in lab)
        cell = self._cell(point)
        cells = (
            [cell]
            if self.side is None
            else product(*(range(c - 1, c + 2) for c in cell))
        )
        best = None
        for key in cells:
            for index, leader in self.cells.get(key, ()):
                squared = (
                    (leader[0] - point[0]) ** 2
                    + (leader[1] - point[1]) ** 2
                    + (leader[2] - point[2]) ** 2
                )
                if squared <= self.limit_squared and (
                    best is None or (squared, index) < best
                ):
                    best = (squared, index)
        return None if best is None else best[1]

    def add(self, lab: np.ndarray, index: int) -> None:
        point = tuple(float(value) for value in lab)
        self.cells.setdefault(self._cell(point), []).append((index, point))


def palette_lab(entry: dict) -> np.ndarray | None:
    """Return the CIELAB colour of one palette entry, or None if it has none.

    Entries written by the analysis carry "lab"; older or hand-made ones may
    carry only "hex".
    """
    lab = entry.get("lab")
    if isinstance(lab, list | tuple) and len(lab) == 3:
        return np.asarray(lab, dtype=np.float64)
    try:
        return color.srgb8_to_lab(np.asarray(color.from_hex(entry["hex"])))
    except (KeyError, TypeError, ValueError):
        return None


def merge_palettes(
    palettes: Iterable[tuple[Hashable, list[dict] | None]],
    *,
    delta_e: float,
    limit: int,
) -> tuple[list[dict], int]:
    """Return the ``limit`` most frequent colours and the number of palettes.

    ``palettes`` yields ``(image, palette)`` pairs, one per image; a palette
    is a list of entries with "hex" (or "lab") and "share". Each colour
    returned has "hex", "lab", "images" (how many palettes hold it),
    "image_share" (that count over all palettes) and "pixel_share" (its
    mean share of an image's pixels), most frequent first.
    """
    entries = []
    palette_count = 0
    for image, palette in palettes:
        found = False
        for entry in palette or []:
            lab = palette_lab(entry) if isinstance(entry, dict) else None
            if lab is None:
                continue
            share = float(entry.get("share") or 0.0)
            entries.append((share, str(entry.get("hex", "")), lab, image))
            found = True
        palette_count += found
    entries.sort(key=lambda item: (-item[0], item[1]))

    groups: list[_Group] = []
    finder = _LeaderGrid(delta_e)
    for share, hex_value, lab, image in entries:
        nearest = finder.nearest(lab)
        if nearest is not None:
            groups[nearest].add(lab, share, image)
            continue
        finder.add(lab, len(groups))
        group = _Group(leader_hex=hex_value, lab_sum=np.zeros(3))
        group.add(lab, share, image)
        groups.append(group)

    # Only the colours returned are fitted into sRGB, the costly step.
    groups.sort(key=lambda group: (-len(group.images), -group.weight, group.leader_hex))
    colors = []
    for group in groups[:limit]:
        lab = group.lab_sum / group.weight
        colors.append(
            {
                "hex": color.to_hex(color.fit_to_srgb8(lab)),
                "lab": [round(float(value), 2) for value in lab],
                "images": len(group.images),
                "image_share": round(len(group.images) / palette_count, 4),
                "pixel_share": round(group.weight / palette_count, 4),
            }
        )
    return colors, palette_count
