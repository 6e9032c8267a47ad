"""Demo data for ``manage.py seed``: images drawn with Pillow, plausible rows.

Everything here is reproducible from a ``random.Random`` seed.
"""

import io
import random
from datetime import timedelta

from PIL import Image, ImageDraw

DEMO_EMAIL_DOMAIN = "demo.janus.invalid"
DEMO_TOPIC_PREFIX = "demo."

# (Pillow format, mode, save options, extension); cycled through in order so
# that every demo set covers every format and colour type.
IMAGE_KINDS = [
    ("PNG", "RGB", {}, "png"),
    ("JPEG", "RGB", {"quality": 88}, "jpg"),
    ("PNG", "RGBA", {}, "png"),
    ("WEBP", "RGB", {"quality": 80}, "webp"),
    ("PNG", "P", {}, "png"),
    ("JPEG", "RGB", {"quality": 85, "progressive": True}, "jpg"),
    ("GIF", "P", {}, "gif"),
    ("PNG", "L", {}, "png"),
    ("WEBP", "RGBA", {"lossless": True}, "webp"),
    ("BMP", "RGB", {}, "bmp"),
    ("TIFF", "RGB", {"compression": "tiff_lzw"}, "tif"),
    ("PNG", "I;16", {}, "png"),
]
SIZES = [
    (320, 240),
    (640, 480),
    (800, 600),
    (1024, 768),
    (1280, 800),
    (390, 844),
    (512, 512),
    (1600, 900),
]
THEMES = [
    ["#0f172a", "#1e3a8a", "#3b82f6", "#f8fafc", "#f59e0b"],
    ["#fefce8", "#854d0e", "#ca8a04", "#1c1917", "#16a34a"],
    ["#111827", "#7c3aed", "#c4b5fd", "#f9fafb", "#ef4444"],
    ["#ecfeff", "#155e75", "#06b6d4", "#083344", "#f97316"],
    ["#fff1f2", "#9f1239", "#fb7185", "#1f2937", "#10b981"],
    ["#f5f5f4", "#44403c", "#a8a29e", "#0c0a09", "#2563eb"],
]


def demo_image(rng: random.Random, index: int) -> tuple[bytes, str]:
    """Draw demo image number ``index``; return its encoded bytes and name."""
    image_format, mode, options, extension = IMAGE_KINDS[index % len(IMAGE_KINDS)]
    width, height = SIZES[rng.randrange(len(SIZES))]
    theme = THEMES[rng.randrange(len(THEMES))]
    canvas = Image.new("RGB", (width, height), theme[0])
    draw = ImageDraw.Draw(canvas)

    # A sidebar, a header and cards: the shape of an interface screenshot.
    draw.rectangle([0, 0, width // 5, height], fill=theme[1])
    draw.rectangle([width // 5, 0, width, height // 8], fill=theme[3])
    for _card in range(rng.randint(3, 7)):
        x = rng.randint(width // 5 + 10, max(width // 5 + 11, width - 120))
        y = rng.randint(height // 8 + 10, max(height // 8 + 11, height - 80))
        w, h = rng.randint(60, 220), rng.randint(40, 160)
        draw.rounded_rectangle([x, y, x + w, y + h], radius=8, fill=theme[2])
        draw.ellipse([x + 8, y + 8, x + 28, y + 28], fill=theme[4])

    if mode == "RGBA":
        canvas = canvas.convert("RGBA")
        mask = Image.new("L", canvas.size, 0)
        ImageDraw.Draw(mask).ellipse([0, 0, width, height], fill=255)
        canvas.putalpha(mask)
    elif mode == "P":
        canvas = canvas.quantize(colors=32)
    elif mode == "L":
        canvas = canvas.convert("L")
    elif mode == "I;16":
        canvas = canvas.convert("L").point(lambda value: value * 257, "I")
        canvas = canvas.convert("I;16")

    buffer = io.BytesIO()
    canvas.save(buffer, format=image_format, **options)
    return buffer.getvalue(), f"demo-{index + 1:03d}.{extension}"


LOG_EVENTS = [
    ("images.ingest", "INFO", "image ingested"),
    ("images.ingest", "WARNING", "upload rejected"),
    ("images.tasks", "INFO", "analysis finished"),
    ("images.tasks", "ERROR", "analysis failed"),
    ("accounts.services", "INFO", "admin access synced"),
    ("janus.admin", "INFO", "object changed"),
    ("janus.admin", "INFO", "object added"),
    ("analytics.reports", "INFO", "report computed"),
    ("janus.seed", "DEBUG", "demo data step finished"),
]
USER_AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133",
    "curl/8.5.0",
]
# Addresses from the ranges reserved for documentation (RFC 5737).
IP_PREFIXES = ["192.0.2.", "198.51.100.", "203.0.113."]


def demo_ip(rng: random.Random) -> str:
    return f"{rng.choice(IP_PREFIXES)}{rng.randint(1, 254)}"


def demo_time(rng: random.Random, now, *, days: int = 60):
    return now - timedelta(seconds=rng.randint(0, days * 86400))
