"""The model folder: written whole or not at all, read back only when every file is what was written.

```
MODEL/
├── model.json          format, label set, tokenizer and feature settings, training data fingerprint, metrics,
│                       and the SHA-256 of every weight file
├── README.md           the model card (the same facts, for people)
├── tagger.crfsuite     BIO tagger of SOURCE / CUE / CONTENT (crfsuite's own binary format: no pickle)
├── linker.crfsuite     scorer of (cue, source) and (cue, content) pairs
└── <attribute>.crfsuite  optional one-item classifiers: kind, source_type, cue_type
```
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

FORMAT = "claimbank-tagger"
FORMAT_VERSION = 1
MANIFEST = "model.json"


class ModelError(Exception):
    """A model folder that cannot be used or written (one line for the user)."""


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_model_folder(path: Path) -> bool:
    """Whether ``path`` is a folder this package wrote (its manifest names the format)."""
    try:
        manifest = json.loads((path / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("format") == FORMAT


def write_folder(
    out: Path, fill: Callable[[Path], dict[str, Any]], card: Callable[[dict[str, Any]], str]
) -> None:
    """Make the model folder ``out``: ``fill(tmp)`` writes the weight files into a staging folder and returns the
    manifest (without ``files``), which gets every file's SHA-256; then the card; then one rename puts it in place.

    ``out`` must not exist, or be a model folder written here (it is then replaced); anything else is refused,
    so a typo cannot delete a folder of other files.
    """
    if out.exists() and not is_model_folder(out):
        raise ModelError(f"{out}: exists and is not a claimbank model folder; refusing to overwrite it")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-{os.getpid()}-", dir=out.parent))
    try:
        manifest = fill(staging)
        manifest["files"] = {
            p.name: sha256_file(p) for p in sorted(staging.iterdir()) if p.is_file() and p.name != MANIFEST
        }
        (staging / "README.md").write_text(card(manifest), encoding="utf-8")
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a model folder is as readable as any output
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, old)
        os.replace(staging, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a model folder, after checking the format and every listed file's SHA-256."""
    if not folder.is_dir():
        raise ModelError(f"{folder}: no such model folder (make one with `claimbank train`)")
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except OSError:
        raise ModelError(f"{folder}: not a model folder (no {MANIFEST})") from None
    except ValueError as error:
        raise ModelError(f"{folder}/{MANIFEST}: not valid JSON ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelError(f"{folder}: {MANIFEST} is not a {FORMAT} manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"{folder}: model format version {manifest.get('format_version')!r}, this claimbank reads "
            f"{FORMAT_VERSION} (retrain with `claimbank train`)"
        )
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise ModelError(f"{folder}/{MANIFEST}: no file list")
    for name, expected in files.items():
        path = folder / name
        if not isinstance(name, str) or "/" in name or name.startswith("."):
            raise ModelError(f"{folder}/{MANIFEST}: bad file name {name!r}")
        try:
            actual = sha256_file(path)
        except OSError:
            raise ModelError(f"{folder}: {name} is missing or unreadable") from None
        if actual != expected:
            raise ModelError(f"{folder}: {name} is not the file that was trained (SHA-256 differs)")
    return manifest
