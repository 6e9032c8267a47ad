"""Time metadata extraction and thumbnails against Pillow's own decode.

Run from the project root:

    .venv/bin/python benchmarks/ingest_bench.py [--repeat 7] [--only GLOB]

For every image in ``../shared/corpora/photos`` and for two generated JPEGs
(12 and 24 megapixels, noise over gradients, written once to ``var/bench``)
it prints the median time of

- ``decode``: ``Image.open(path)`` then ``load()``, the floor any validation
  that decodes the pixels must pay;
- ``inspect``: :func:`images.metadata.inspect_image`;
- ``thumbnail``: :func:`images.thumbnails.make_thumbnail`;

and the ratio inspect/decode (the target is at most 1.2), of the medians and
of the best runs, which a busy machine disturbs less. It then measures
peak memory for the 24-megapixel JPEGs: each operation runs in a fresh
interpreter that reports its own maximum resident set size, and the figure
shown is that minus the maximum of an interpreter that imported the same
modules and did nothing else. No Django is needed.
"""

import argparse
import fnmatch
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The project modules import after ROOT is on sys.path.
from images.metadata import inspect_image  # noqa: E402
from images.thumbnails import make_thumbnail  # noqa: E402

PHOTOS = ROOT.parent / "shared" / "corpora" / "photos"
GENERATED = {
    "generated_12mp.jpg": (4000, 3000, 12),
    "generated_24mp.jpg": (6000, 4000, 24),
}
TARGET_RATIO = 1.2


def decode(path: Path) -> None:
    with Image.open(path) as im:
        im.load()


OPERATIONS = {
    "decode": decode,
    "inspect": inspect_image,
    "thumbnail": make_thumbnail,
}


def synthetic_photo(width: int, height: int, seed: int) -> Image.Image:
    """Return a deterministic photo-like image: soft blobs, gradients, noise.

    Pure noise would make an unrealistically large JPEG and a flat image an
    unrealistically small one; this lands near a camera file's size.
    """
    rng = np.random.default_rng(seed)
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    bands = []
    for channel in range(3):
        blobs = rng.normal(0.0, 1.0, (height // 96 + 2, width // 96 + 2))
        blobs = Image.fromarray(blobs.astype(np.float32), mode="F").resize(
            (width, height), Image.Resampling.BICUBIC
        )
        band = np.asarray(blobs, dtype=np.float32) * 38.0
        band += 70.0 + 90.0 * (x * (channel + 1) / 3.0 + y * (3 - channel) / 3.0) / 1.4
        band += 12.0 * np.sin(2 * np.pi * (x * (3 + channel) + y * 2))
        band += rng.normal(0.0, 5.0, (height, width)).astype(np.float32)
        bands.append(Image.fromarray(np.clip(band, 0, 255).astype(np.uint8), "L"))
        del blobs, band
    return Image.merge("RGB", bands)


def ensure_generated(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed, (name, (width, height, _)) in enumerate(GENERATED.items(), start=1):
        path = out_dir / name
        if not path.exists():
            print(f"generating {path} ({width}x{height})", file=sys.stderr)
            synthetic_photo(width, height, seed).save(path, "JPEG", quality=90)
        paths.append(path)
    return paths


def median_times(path: Path, repeat: int, min_seconds: float) -> dict[str, float]:
    """Return the median and best seconds per operation, run interleaved.

    Small files get more rounds, until ``min_seconds`` have passed, because
    a millisecond-long decode is at the mercy of everything else running.
    """
    names = list(OPERATIONS)
    samples = {name: [] for name in names}
    for name in names:  # warm the page cache and Pillow's plugin registry
        OPERATIONS[name](path)
    deadline = time.perf_counter() + min_seconds
    round_number = 0
    while round_number < repeat or time.perf_counter() < deadline:
        round_number += 1
        # Rotate the order so that no operation always runs first.
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            OPERATIONS[name](path)
            samples[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    bests = {f"{name}_best": min(values) for name, values in samples.items()}
    return medians | bests


def child_peak_kb(operation: str, path: Path | None) -> int:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", operation]
    if path is not None:
        command.append(str(path))
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)["maxrss_kb"]


def peak_rss_kb() -> int:
    """Return this process's peak resident set size in KB.

    Linux carries ``ru_maxrss`` over from the parent across fork and exec, so
    a child of a large parent would report the parent's peak; VmHWM belongs
    to the new address space and starts afresh.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux


def run_child(operation: str, path: str | None) -> None:
    """Run one operation and print this process's peak RSS as JSON."""
    if operation != "baseline":
        OPERATIONS[operation](Path(path))
    print(json.dumps({"maxrss_kb": peak_rss_kb()}))


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=7, help="timed runs per operation (default 7)"
    )
    parser.add_argument(
        "--min-seconds",
        type=float,
        default=2.0,
        help="keep adding rounds until this long per image (default 2.0)",
    )
    parser.add_argument(
        "--only", default="*", help="glob on file names to include (default all)"
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=ROOT / "var" / "bench",
        help="where generated images go (default var/bench)",
    )
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the peak memory runs"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        run_child(args.child[0], args.child[1] if len(args.child) > 1 else None)
        return

    paths = sorted(p for p in PHOTOS.iterdir() if p.suffix in (".jpg", ".png", ".mpo"))
    paths += ensure_generated(args.out_dir)
    paths = [p for p in paths if fnmatch.fnmatch(p.name, args.only)]

    print(
        "| image | MP | MB | decode ms | inspect ms | ratio | ratio of bests "
        "| thumbnail ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    ratios = []
    for path in paths:
        with Image.open(path) as im:
            megapixels = im.width * im.height / 1e6
        times = median_times(path, args.repeat, args.min_seconds)
        ratio = times["inspect"] / times["decode"]
        best_ratio = times["inspect_best"] / times["decode_best"]
        ratios.append(ratio)
        print(
            f"| {path.name} | {megapixels:.2f} | {path.stat().st_size / 1e6:.2f} "
            f"| {times['decode'] * 1000:.1f} | {times['inspect'] * 1000:.1f} "
            f"| {ratio:.2f} | {best_ratio:.2f} | {times['thumbnail'] * 1000:.1f} |"
        )
    if ratios:
        print(
            f"\nratio inspect/decode of medians: median "
            f"{statistics.median(ratios):.2f}, max {max(ratios):.2f} "
            f"(target {TARGET_RATIO})"
        )

    if args.no_memory:
        return
    big = [p for p in paths if "24mp" in p.name]
    if not big:
        return
    baseline = child_peak_kb("baseline", None)
    print(f"\nPeak memory above an idle interpreter ({baseline / 1024:.0f} MB):\n")
    print("| image | decode MB | inspect MB | thumbnail MB |")
    print("|---|---:|---:|---:|")
    for path in big:
        peaks = {name: child_peak_kb(name, path) - baseline for name in OPERATIONS}
        print(
            f"| {path.name} | {peaks['decode'] / 1024:.0f} "
            f"| {peaks['inspect'] / 1024:.0f} | {peaks['thumbnail'] / 1024:.0f} |"
        )


if __name__ == "__main__":
    main()
