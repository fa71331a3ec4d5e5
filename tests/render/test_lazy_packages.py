"""``lemlist_inbox.lazy``: the api and render packages load their heavy parts on first use."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
import lemlist_inbox.api as api, lemlist_inbox.render as render
out = {"before": [m for m in ("pydantic", "httpx", "lemlist_inbox.render.html") if m in sys.modules]}
out["client"] = api.LemlistClient.__module__
out["models_is_module"] = api.models is sys.modules["lemlist_inbox.api.models"]
out["render_thread"] = render.render_thread.__module__
out["stored"] = "LemlistClient" in vars(api) and "render_thread" in vars(render)
try:
    api.no_such_name
except AttributeError as exc:
    out["missing"] = str(exc)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def probed() -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_nothing_heavy_loads_with_the_packages(probed: dict[str, object]) -> None:
    assert probed["before"] == []


def test_a_name_loads_its_module_and_then_stays(probed: dict[str, object]) -> None:
    assert probed["client"] == "lemlist_inbox.api.client"
    assert probed["render_thread"] == "lemlist_inbox.render.message"
    assert probed["models_is_module"] is True
    assert probed["stored"] is True


def test_an_unknown_name_is_an_attribute_error(probed: dict[str, object]) -> None:
    assert probed["missing"] == "module 'lemlist_inbox.api' has no attribute 'no_such_name'"
