"""Loading a built dataset as an ML engineer would: a fresh Python process in which only ``datasets`` (and what the
caller names) can be imported, never ``claimbank``. Shared by the dataset tests."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

NO_CLAIMBANK = textwrap.dedent(
    """
    import importlib.abc, json, sys

    class NoClaimBank(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name == "claimbank" or name.startswith("claimbank."):
                raise ImportError("loading must not need claimbank")

    sys.meta_path.insert(0, NoClaimBank())
    """
)

LOADER = NO_CLAIMBANK + textwrap.dedent(
    """
    import datasets

    folder, cache = sys.argv[1], sys.argv[2]
    out = {}
    for config in datasets.get_dataset_config_names(folder):
        loaded = datasets.load_dataset(folder, config, cache_dir=cache)
        first = next(iter(loaded.values()))
        out[config] = {
            "splits": {name: part.num_rows for name, part in loaded.items()},
            "num_bytes": {name: part.info.splits[name].num_bytes for name, part in loaded.items()},
            "features": first.features.to_dict(),
            "rows": {name: part.to_list() for name, part in loaded.items()},
            "description": first.info.description,
            "license": first.info.license,
            "citation": first.info.citation,
        }
        streamed = datasets.load_dataset(folder, config, streaming=True)
        out[config]["streamed"] = {name: sum(1 for _ in part) for name, part in streamed.items()}
    print(json.dumps(out))
    """
)


def run_script(script: str, *args: str, cwd: Path) -> str:
    """Run ``script`` in a fresh interpreter (claimbank not importable); its stdout, or the test fails."""
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=cwd,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout


def load_every_config(folder: Path, tmp_path: Path) -> dict[str, Any]:
    """Every config ``datasets`` finds declared in ``folder``: splits, sizes, features, rows, info and streaming."""
    output = run_script(LOADER, str(folder), str(tmp_path / "cache"), cwd=tmp_path)
    loaded: dict[str, Any] = json.loads(output.splitlines()[-1])
    return loaded
