"""The feature definitions without ``datasets`` (what a build uses) equal what ``datasets`` makes of them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from datasets import ClassLabel, Features, List, Value
from datasets.info import DatasetInfo

from claimbank.dataset import features
from claimbank.testing.synth import write_project

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("config", features.CONFIGS)
def test_the_light_forms_are_what_datasets_makes_of_the_definitions(config: str) -> None:
    hf = features.hf_features(config)
    assert isinstance(hf, Features)
    ours = features.arrow_schema(config)
    assert ours.equals(hf.arrow_schema, check_metadata=True)
    assert (
        ours.metadata == hf.arrow_schema.metadata
    )  # the JSON datasets reads the features from, byte for byte
    assert features.to_dict(features.DEFINITIONS[config]) == hf.to_dict()
    assert features.yaml_features(config) == DatasetInfo(features=hf)._to_yaml_dict()["features"]
    assert Features.from_dict(hf.to_dict()) == hf


def test_each_light_type_becomes_its_datasets_type() -> None:
    definition = {
        "a": features.Value("string"),
        "b": features.Label(("x", "y")),
        "c": features.ListOf({"d": features.Value("float64"), "e": features.ListOf(features.Label(("z",)))}),
    }
    expected = Features(
        {
            "a": Value("string"),
            "b": ClassLabel(names=["x", "y"]),
            "c": List({"d": Value("float64"), "e": List(ClassLabel(names=["z"]))}),
        }
    )
    assert Features(features.to_datasets(definition)) == expected
    assert features.to_dict(definition) == expected.to_dict()
    yaml = {"dataset_info": {"features": features._yaml(definition)["struct"]}}
    assert yaml["dataset_info"]["features"] == DatasetInfo(features=expected)._to_yaml_dict()["features"]
    assert features.arrow_type(definition) == expected.type


def test_the_datasets_names_are_made_on_first_use() -> None:
    assert features.FEATURES["tokens"] == features.TOKENS == features.hf_features("tokens")
    assert features.class_label(features.vocab.Factuality).names[0] == "CT+"
    with pytest.raises(AttributeError):
        _ = features.NO_SUCH_NAME


def test_a_build_imports_neither_datasets_nor_pydantic(tmp_path: Path) -> None:
    # (pandas still loads: pyarrow imports it on the first pa.array, to ask whether the values are pandas')
    write_project(tmp_path / "project", 3)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from claimbank.cli.main import main\n"
        f"status = main(['build', '{tmp_path / 'project' / 'annotations'}', '--seeds',"
        f" '{tmp_path / 'project' / 'seeds'}', '--out', '{tmp_path / 'out'}', '--no-progress'])\n"
        "assert status in (0, None), status\n"
        "heavy = sorted({'datasets', 'pydantic', 'jsonschema'} & set(sys.modules))\n"
        "print(heavy)\n"
    )
    env = {"PYTHONPATH": str(ROOT / "loaders"), "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "out" / "README.md").is_file()
