"""Import the shared nasty-content corpus from tests/hostile without making tests a package."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

_PATH = Path(__file__).resolve().parent.parent / "hostile" / "corpus.py"


def corpus() -> ModuleType:
    """The ``tests/hostile/corpus.py`` module (loaded once)."""
    module = sys.modules.get("corpus")
    if module is None:
        spec = importlib.util.spec_from_file_location("corpus", _PATH)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["corpus"] = module
        spec.loader.exec_module(module)
    return module
