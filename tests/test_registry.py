"""The format registry drives the CLI and names real converters, commands and doc pages."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from claimbank.cli.main import build_parser, command_modules
from claimbank.io.registry import BY_NAME, FORMATS, Format

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("entry", FORMATS, ids=lambda entry: entry.name)
def test_every_format_names_a_command_converters_and_a_doc_page(entry: Format) -> None:
    assert callable(importlib.import_module(entry.command).add_parser)
    assert callable(entry.function("to_format"))
    assert callable(entry.function("from_format"))
    page = (ROOT / entry.doc).read_text(encoding="utf-8")
    for field in entry.lossy:  # what the format cannot carry is said on its page
        assert field.split(".")[1] in page, (entry.name, field)
    assert entry.command in command_modules()
    assert BY_NAME[entry.name] is entry


def test_help_lists_the_formats_from_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    text = parser.format_help()
    for entry in FORMATS:
        assert f"  {entry.name}" in text
        assert entry.title in text
    with pytest.raises(SystemExit):
        parser.parse_args([FORMATS[0].name, "--help"])
    assert "usage: claimbank" in capsys.readouterr().out
