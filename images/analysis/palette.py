"""Extract the dominant colors of an image.

The palette aims at the lowest mean CIEDE2000 distance from each visible
pixel to its nearest palette color, so that every part of the image finds a
close color in it, small vivid details included. The steps:

1. Decode a bounded sample of the visible pixels (see sampling).
2. Count the pixels in a 32 x 32 x 32 RGB histogram, keeping the exact mean
   color of each occupied bin, so flat colors come out exactly.
3. Move every bin into a working space where Euclidean distance follows
   CIEDE2000 (see to_working_space).
4. Cluster the bins, weighted by pixel count: a deterministic k-means++
   start (the heaviest bin, then each time the bin with the largest weighted
   squared distance), Lloyd iterations, then k-medians iterations (weighted
   Weiszfeld steps, which minimise the mean distance rather than the mean
   squared one). Bins are merged into a 16 x 16 x 16 grid for these steps and
   the result is polished on the full 32-level bins.
5. Swap moves: drop the cluster whose loss costs least, seed a new one at the
   worst-served bin, and keep the change when the total distance falls.
6. Take each palette color from a last Weiszfeld step over its cluster's
   bins, computed in CIELAB.

Everything is deterministic: no random numbers, ties go to the first index.
"""

import math

import numpy as np

from . import color
from .sampling import load_sample

ALGORITHM_NAME = "histogram-kmedians-de2000"
ALGORITHM_VERSION = "1.0"
DEFAULT_COLORS = 8
# Pixels that enter the histogram, thinned evenly when more are passed in.
# color_histogram relies on this staying below 2**16.
MAX_PIXELS = 16384

_KMEANS_STEPS = 5
_KMEDIANS_STEPS = 8
_SWAP_ROUNDS = 2
_SWAP_STEPS = 4
_POLISH_STEPS = 3
# Stop iterating once no center moves further than this (working-space units,
# roughly CIEDE2000).
_TOLERANCE = 0.05
# Weiszfeld weights are 1 / (distance + this), which keeps a center that sits
# exactly on a bin from dominating the update.
_WEISZFELD_FLOOR = 0.5

# CIEDE2000 weights lightness differences by 1 / S_L(L). Tabulate the integral
# of that weight, so that differences of the integral follow the weighting.
_L_GRID = np.linspace(0.0, 100.0, 1001)
_S_L = 1.0 + 0.015 * (_L_GRID - 50.0) ** 2 / np.sqrt(20.0 + (_L_GRID - 50.0) ** 2)
_L_WORK = np.concatenate(([0.0], np.cumsum((1.0 / _S_L[1:] + 1.0 / _S_L[:-1]) * 0.05)))
_CHROMA_K = 0.045


def to_working_space(lab):
    """Return CIELAB values mapped to a space shaped after CIEDE2000.

    Lightness becomes the integral of 1 / S_L; a* is stretched by the factor
    1 + G that CIEDE2000 applies to near-neutral colors; chroma C becomes
    ln(1 + 0.045 C) / 0.045 (the integral of 1 / S_C) with the hue angle
    kept. Small Euclidean distances here track CIEDE2000 without its cost;
    its hue weighting and rotation term are left out.
    """
    lightness = lab[:, 0]
    b = lab[:, 2]
    c7 = np.hypot(lab[:, 1], b) ** 7
    a = lab[:, 1] * (1.5 - 0.5 * np.sqrt(c7 / (c7 + 25.0**7)))
    scaled = _CHROMA_K * np.hypot(a, b)
    factor = np.ones_like(scaled)
    nonzero = scaled > 1e-12
    factor[nonzero] = np.log1p(scaled[nonzero]) / scaled[nonzero]

    # Linear interpolation in the 0.1-step table, written out: np.interp is
    # several times slower on arrays of this size.
    position = np.clip(lightness, 0.0, 100.0) * 10.0
    index = np.minimum(position.astype(np.intp), 999)
    fraction = position - index

    out = np.empty_like(lab)
    out[:, 0] = _L_WORK[index] + fraction * (_L_WORK[index + 1] - _L_WORK[index])
    out[:, 1] = a * factor
    out[:, 2] = b * factor
    return out


def grid_sample(pixels, limit=MAX_PIXELS):
    """Return an evenly spaced subset of at most limit pixels."""
    step = max(1, math.ceil(len(pixels) / limit))
    return pixels[::step]


def color_histogram(pixels):
    """Return the occupied bins of a 32-level RGB histogram.

    Returns (keys, counts, means): the bin index (r << 10 | g << 5 | b, five
    bits a channel), the pixel count (as floats) and the exact mean sRGB
    color (0-255 floats) of every occupied bin, in key order.
    """
    quantised = pixels >> 3
    keys = quantised[:, 0].astype(np.intp)
    keys <<= 5
    keys |= quantised[:, 1]
    keys <<= 5
    keys |= quantised[:, 2]
    counts = np.bincount(keys, minlength=32768)
    occupied = np.flatnonzero(counts)

    # Red and green share one float64 sum: with at most 2**16 pixels a channel
    # sum stays below 2**24, so red * 2**24 + green adds up exactly.
    red_green = np.bincount(
        keys,
        weights=pixels[:, 0] * 16777216.0 + pixels[:, 1],
        minlength=32768,
    )[occupied]
    blue = np.bincount(keys, weights=pixels[:, 2], minlength=32768)[occupied]
    red = np.floor(red_green / 16777216.0)
    weights = counts[occupied].astype(np.float64)
    means = np.empty((len(occupied), 3))
    means[:, 0] = red / weights
    means[:, 1] = (red_green - red * 16777216.0) / weights
    means[:, 2] = blue / weights
    return occupied, weights, means


class _Points:
    """Weighted points and the distance and update steps of clustering."""

    def __init__(self, points, weights):
        self.points = points
        self.weights = weights
        # Homogeneous coordinates turn "x.x - 2 x.c + c.c" into one product.
        self.augmented = np.empty((len(points), 4))
        self.augmented[:, :3] = points
        self.augmented[:, 3] = 1.0
        self.norms = np.einsum("ij,ij->i", points, points)
        self.index = np.arange(len(points))

    def partial_distances(self, centers):
        """Return squared distances to every center, less each point's norm."""
        product = np.empty((4, len(centers)))
        product[:3] = centers.T
        product[:3] *= -2.0
        product[3] = np.einsum("ij,ij->i", centers, centers)
        return self.augmented @ product

    def distances(self, centers):
        partial = self.partial_distances(centers)
        partial += self.norms[:, None]
        return np.sqrt(np.maximum(partial, 0.0, out=partial), out=partial)

    def update(self, centers, median):
        partial = self.partial_distances(centers)
        labels = partial.argmin(axis=1)
        weights = self.weights
        if median:
            nearest = partial[self.index, labels]
            nearest += self.norms
            np.maximum(nearest, 0.0, out=nearest)
            weights = weights / (np.sqrt(nearest, out=nearest) + _WEISZFELD_FLOOR)
        membership = np.zeros((len(centers), len(self.points)))
        membership[labels, self.index] = weights
        sums = membership @ self.augmented
        # A center that lost all its points stays where it was.
        return np.divide(
            sums[:, :3], sums[:, 3:], out=centers.copy(), where=sums[:, 3:] > 0.0
        )

    def iterate(self, centers, steps, *, median):
        for _ in range(steps):
            moved = self.update(centers, median)
            centers, moved = moved, centers
            moved -= centers
            if np.abs(moved).max() < _TOLERANCE:
                break
        return centers

    def seed(self, count):
        """Return up to count starting centers, k-means++ without chance."""
        first = int(np.argmax(self.weights))
        chosen = [first]
        nearest = self._squared_distances_to(first)
        for _ in range(1, count):
            score = self.weights * nearest
            best = int(np.argmax(score))
            if score[best] <= 1e-9:
                break
            chosen.append(best)
            np.minimum(nearest, self._squared_distances_to(best), out=nearest)
        return self.points[chosen].copy()

    def _squared_distances_to(self, index):
        point = self.points[index]
        squared = self.points @ (-2.0 * point)
        squared += self.norms
        squared += self.norms[index]
        return squared

    def swap(self, centers, rounds):
        """Try to move the least useful center to the worst-served point."""
        if len(centers) < 2:
            # One center has nowhere better to go than the weighted mean.
            return centers
        distance = self.distances(centers)
        best_cost = float(self.weights @ distance.min(axis=1))
        for _ in range(rounds):
            two = np.partition(distance, 1, axis=1)[:, :2]
            labels = distance.argmin(axis=1)
            loss = np.bincount(
                labels,
                weights=self.weights * (two[:, 1] - two[:, 0]),
                minlength=len(centers),
            )
            dropped = int(np.argmin(loss))
            score = self.weights * two[:, 0] ** 2
            score[labels == dropped] = 0.0
            trial = centers.copy()
            trial[dropped] = self.points[int(np.argmax(score))]
            trial = self.iterate(trial, _SWAP_STEPS, median=True)
            trial_distance = self.distances(trial)
            cost = float(self.weights @ trial_distance.min(axis=1))
            if cost >= best_cost:
                break
            centers, distance, best_cost = trial, trial_distance, cost
        return centers


def _coarse_bins(keys, weights, points):
    """Merge 32-level bins into a 16-level grid; return points and weights."""
    parent = ((keys >> 11) << 8) | (((keys >> 6) & 15) << 4) | ((keys >> 1) & 15)
    parent_weights = np.bincount(parent, weights=weights, minlength=4096)
    occupied = np.flatnonzero(parent_weights)
    merged = np.empty((len(occupied), 3))
    for channel in range(3):
        merged[:, channel] = np.bincount(
            parent, weights=weights * points[:, channel], minlength=4096
        )[occupied]
    merged_weights = parent_weights[occupied]
    merged /= merged_weights[:, None]
    return merged, merged_weights


def cluster_colors(means, weights, keys, count):
    """Return (sRGB uint8 centers, share weights) for the histogram bins."""
    lab = color.srgb_to_lab(means / 255.0)
    work = to_working_space(lab)
    fine = _Points(work, weights)
    if len(work) > 4 * count:
        coarse = _Points(*_coarse_bins(keys, weights, work))
    else:
        coarse = fine

    centers = coarse.seed(count)
    centers = coarse.iterate(centers, _KMEANS_STEPS, median=False)
    centers = coarse.iterate(centers, _KMEDIANS_STEPS, median=True)
    centers = coarse.swap(centers, _SWAP_ROUNDS)
    if coarse is not fine:
        centers = fine.iterate(centers, _POLISH_STEPS, median=True)

    # The working space has no cheap inverse, so the colors come from one
    # last Weiszfeld step taken in CIELAB: each cluster's bins, weighted by
    # pixel count over working-space distance to the center.
    partial = fine.partial_distances(centers)
    labels = partial.argmin(axis=1)
    nearest = partial[fine.index, labels] + fine.norms
    pull = weights / (np.sqrt(np.maximum(nearest, 0.0)) + _WEISZFELD_FLOOR)
    membership = np.zeros((len(centers), len(work)))
    membership[labels, fine.index] = pull
    sums = membership @ np.column_stack((lab, np.ones(len(lab))))
    used = sums[:, 3] > 0.0
    totals = np.bincount(labels, weights=weights, minlength=len(centers))[used]
    return color.lab_to_srgb8(sums[used, :3] / sums[used, 3:]), totals


def _exact_colors(pixels, count):
    """Return (colors, counts) when pixels hold at most count colors."""
    packed = (
        (pixels[:, 0].astype(np.int32) << 16)
        | (pixels[:, 1].astype(np.int32) << 8)
        | pixels[:, 2]
    )
    values, counts = np.unique(packed, return_counts=True)
    if len(values) > count:
        return None
    rgb = np.stack([(values >> 16) & 255, (values >> 8) & 255, values & 255], axis=1)
    return rgb.astype(np.uint8), counts.astype(np.float64)


def round_shares(weights, decimals=4):
    """Return shares rounded to decimals that add up to exactly 1.

    Largest remainders: every share is rounded down, and the units still
    missing go one each to the shares that lost most, ties to the first.
    No share then moves by more than one unit, and equal weights keep
    shares in the order of the weights.
    """
    scale = 10**decimals
    total = float(np.sum(weights))
    exact = [float(w) / total * scale for w in weights]
    units = [math.floor(value) for value in exact]
    missing = scale - sum(units)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - units[i]), i))
    for index in by_remainder[:missing]:
        units[index] += 1
    return [u / scale for u in units]


def palette_from_pixels(pixels, *, colors=DEFAULT_COLORS):
    """Return the palette of (n, 3) uint8 sRGB pixels, largest share first.

    Each entry is {"hex", "srgb", "lab", "share"}; see extract_palette.
    """
    if colors < 1:
        raise ValueError("colors must be at least 1")
    pixels = grid_sample(np.ascontiguousarray(pixels, dtype=np.uint8).reshape(-1, 3))
    if len(pixels) == 0:
        return []

    keys, weights, means = color_histogram(pixels)
    exact = _exact_colors(pixels, colors) if len(keys) <= colors else None
    if exact is not None:
        rgb, totals = exact
    else:
        rgb, totals = cluster_colors(means, weights, keys, colors)

    # Centers that round to the same 8-bit color are one color.
    merged = {}
    for value, total in zip(map(tuple, rgb.tolist()), totals.tolist(), strict=True):
        if total > 0.0:
            merged[value] = merged.get(value, 0.0) + total
    ranked = sorted(merged.items(), key=lambda item: (-item[1], item[0]))
    srgb = np.array([value for value, _ in ranked], dtype=np.uint8)
    lab = np.round(color.srgb8_to_lab(srgb), 2)
    shares = round_shares([total for _, total in ranked])
    return [
        {
            "hex": color.to_hex(value),
            "srgb": [int(c) for c in value],
            # Adding 0.0 turns the -0.0 that rounding can leave into 0.0.
            "lab": [v + 0.0 for v in lab_row],
            "share": share,
        }
        for value, lab_row, share in zip(
            srgb.tolist(), lab.tolist(), shares, strict=True
        )
    ]


def extract_palette(source, *, colors=DEFAULT_COLORS):
    """Return the dominant colors of an image, largest share first.

    source is a path, a file object or a PIL image. Each entry holds "hex"
    ("#rrggbb"), "srgb" (three 0-255 ints), "lab" (CIELAB D65, two decimals)
    and "share", the fraction of visible pixels nearest to that color;
    shares are rounded to four decimals and add up to exactly 1. Pixels with
    alpha below 128 are ignored. An image with fewer distinct colors than
    asked for gets exactly those colors and shares.
    """
    return palette_from_pixels(load_sample(source).pixels, colors=colors)
