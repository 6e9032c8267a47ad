"""Token tool tests: the DTCG export built by the tools designers use.

Style Dictionary and Terrazzo are pinned in tests/tokentools and installed
there by ``make test`` when npm is available. Without them the tests marked
``tokentools`` are deselected locally and fail loudly in CI (``CI=true``),
where missing tools are a broken set-up, not a reason to skip.

The tools run on the Node 22 that tests/tokentools pins as an optional
package for Linux x64 (Style Dictionary 5 supports nothing older); on other
platforms, where npm leaves that package out, they run on the system's node.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.utils import deselect_without

TOKENTOOLS = Path(__file__).resolve().parents[2] / "tokentools"
NODE_MODULES = TOKENTOOLS / "node_modules"
TOOLS = ("style-dictionary", "tz")


def tokentools_available() -> bool:
    tools = (NODE_MODULES / ".bin" / tool for tool in TOOLS)
    path = os.pathsep.join([str(NODE_MODULES / ".bin"), os.environ.get("PATH", "")])
    return shutil.which("node", path=path) is not None and all(
        os.access(tool, os.X_OK) for tool in tools
    )


def pytest_collection_modifyitems(config, items):
    deselect_without(
        config,
        items,
        "tokentools",
        available=tokentools_available(),
        missing=f"token tool tests need Node and the npm packages of {TOKENTOOLS} "
        "(npm ci --prefix tests/tokentools; make test runs it when npm is there)",
    )


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """Return the node_modules folder holding the pinned token tools."""
    return NODE_MODULES
