"""Progress bars for management commands."""

import sys

from tqdm import tqdm


def progress(iterable=None, *, command, total=None, desc=""):
    """Wrap ``iterable`` in a progress bar on the command's stderr.

    The bar is hidden at verbosity 0 and when stderr is not a terminal, so
    logs and CI output stay clean.
    """
    stream = getattr(command.stderr, "_out", sys.stderr)
    disable = command.verbosity == 0 or not stream.isatty()
    return tqdm(
        iterable,
        total=total,
        desc=desc,
        file=stream,
        disable=disable,
        unit="",
        dynamic_ncols=True,
        leave=False,
    )
