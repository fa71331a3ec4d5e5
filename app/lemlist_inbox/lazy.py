"""Package attributes that load their module on first use (PEP 562).

``api`` and ``render`` keep what the TUI's first frame needs importable cheaply and
load the rest (httpx, pydantic, the HTML pipeline) only when a name is first read
(benchmark row "1 start-up: heavy modules").
One loader serves both so the rule is written once.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_getattr(
    package: str, names: Mapping[str, str | None], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``names`` maps each lazy name to its submodule.

    ``None`` as the submodule means the name *is* a submodule. A loaded value is stored in
    ``namespace`` (the package's globals), so later reads are plain attribute lookups.
    """

    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        submodule = names[name]
        module = importlib.import_module(f"{package}.{submodule or name}")
        value = module if submodule is None else getattr(module, name)
        namespace[name] = value
        return value

    return __getattr__
