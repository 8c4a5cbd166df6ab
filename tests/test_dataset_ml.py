"""The built dataset from the other side: Croissant readers (mlcroissant, offline) and a token-classification
training loop (torch, a small model trained from scratch on the sentences config; nothing downloaded)."""

from __future__ import annotations

import copy
import json
import re
import textwrap
from pathlib import Path
from typing import Any

import mlcroissant
import pytest

from claimbank.dataset import card
from claimbank.dataset.build import build
from tests.datasets_only import NO_CLAIMBANK, load_every_config, run_script

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = build([ROOT / "annotations"], tmp_path_factory.mktemp("seed") / "ds")
    assert result.ok, result.report.format_text()
    return result.out


@pytest.fixture(scope="module")
def mini_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini case: a claim with modality, nested attributions, a non-attribution, emoji offsets."""
    result = build([ROOT / "tests" / "cases" / "valid"], tmp_path_factory.mktemp("mini") / "ds")
    assert result.ok, result.report.format_text()
    return result.out


def _plain(value: Any) -> Any:
    """A Croissant record's value as datasets gives it: text decoded, field ids reduced to column names."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, dict):
        return {key.rsplit("/", 1)[1]: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _without(row: dict[str, Any], paths: list[list[str]]) -> dict[str, Any]:
    """``row`` without the nested fields at ``paths`` (each a list of keys)."""
    row = copy.deepcopy(row)
    for *parents, name in paths:
        holder: Any = row
        for key in parents:
            holder = holder.get(key) if isinstance(holder, dict) else None
        if isinstance(holder, dict):
            holder.pop(name, None)
    return row


@pytest.mark.parametrize("which", ["seed", "mini"])
def test_croissant_validates_and_its_records_are_the_rows(
    which: str, seed_build: Path, mini_build: Path, tmp_path: Path
) -> None:
    folder = seed_build if which == "seed" else mini_build
    dataset = mlcroissant.Dataset(jsonld=folder / "croissant.json")  # raises on any validation error
    assert dataset.metadata.issues.errors == set()
    loaded = load_every_config(folder, tmp_path)
    record_sets = [record_set.name for record_set in dataset.metadata.record_sets]
    assert record_sets == list(loaded)
    described = {
        r["name"]: r["description"] for r in json.loads((folder / "croissant.json").read_text())["recordSet"]
    }
    for config in ("claims", "attributions", "tokens", "sentences"):
        records = [_plain(record) for record in dataset.records(record_set=config)]
        # what the description names as left out ("attributions/source/fragments", …) is not in the records
        left_out = re.findall(rf"\b{config}(?:/\w+)+", described[config].split("not described here", 1)[-1])
        expected = [
            _without(row, [path.split("/")[1:] for path in left_out])
            for part in loaded[config]["rows"].values()
            for row in part
        ]
        assert sorted(records, key=json.dumps) == sorted(expected, key=json.dumps)
    (document,) = [_plain(r) for r in dataset.records(record_set="documents")][:1]
    first = next(iter(loaded["documents"]["rows"].values()))[0]
    assert document["text"] == first["text"]
    assert [s["annotator"] for s in document["annotation_sets"]] == [
        s["annotator"] for s in first["annotation_sets"]
    ]


def test_croissant_comes_from_the_same_features(seed_build: Path) -> None:
    metadata = json.loads((seed_build / "croissant.json").read_text(encoding="utf-8"))
    assert metadata["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    assert metadata["citeAs"] == card.CITATION
    claims = next(r for r in metadata["recordSet"] if r["name"] == "claims")
    factuality = next(f for f in claims["field"] if f["name"] == "claims/factuality")
    assert factuality["dataType"] == "sc:Integer"
    assert factuality["description"].endswith("CT+, PR+, PS+, CT-, PR-, PS-, CTu, Uu")
    documents = next(r for r in metadata["recordSet"] if r["name"] == "documents")
    assert "documents/annotation_sets/spans" in documents["description"]


def test_the_croissant_example_in_the_docs_runs(seed_build: Path) -> None:
    blocks = re.findall(
        r"```python\n(.*?)\n```", (ROOT / "docs" / "dataset.md").read_text(encoding="utf-8"), re.S
    )
    (example,) = [block for block in blocks if "mlcroissant" in block]
    script = example.replace('"build/dataset/croissant.json"', repr(str(seed_build / "croissant.json")))
    output = run_script(script, cwd=seed_build)
    assert len(output.splitlines()) == 21  # the seed's 21 claims
    assert output.splitlines()[0].startswith("b'c1' ")


TRAIN = NO_CLAIMBANK + textwrap.dedent(
    """
    import datasets, torch

    torch.manual_seed(0)
    loaded = datasets.load_dataset(sys.argv[1], "sentences", cache_dir=sys.argv[2])
    train = loaded["train"]
    names = train.features["attribution_tags"].feature.names
    vocab = {"<pad>": 0, "<unk>": 1}
    for row in train:
        for token in row["tokens"]:
            vocab.setdefault(token.lower(), len(vocab))

    def collate(rows):
        width = max(len(row["tokens"]) for row in rows)
        ids = torch.zeros(len(rows), width, dtype=torch.long)
        labels = torch.full((len(rows), width), -100, dtype=torch.long)
        for i, row in enumerate(rows):
            ids[i, : len(row["tokens"])] = torch.tensor([vocab.get(t.lower(), 1) for t in row["tokens"]])
            labels[i, : len(row["tokens"])] = torch.tensor(row["attribution_tags"])
        return ids, labels

    class Tagger(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(len(vocab), 32, padding_idx=0)
            self.lstm = torch.nn.LSTM(32, 32, batch_first=True, bidirectional=True)
            self.out = torch.nn.Linear(64, len(names))

        def forward(self, ids):
            return self.out(self.lstm(self.embed(ids))[0])

    model = Tagger()
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.02)
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
    batches = torch.utils.data.DataLoader(train, batch_size=8, shuffle=True, collate_fn=collate)
    losses = []
    for epoch in range(15):
        for ids, labels in batches:
            optimizer.zero_grad()
            loss = loss_fn(model(ids).reshape(-1, len(names)), labels.reshape(-1))
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for ids, labels in torch.utils.data.DataLoader(train, batch_size=8, collate_fn=collate):
            predicted = model(ids).argmax(-1)
            tagged = labels > 0
            correct += int((predicted[tagged] == labels[tagged]).sum())
            total += int(tagged.sum())
    print(json.dumps({"first": losses[0], "last": losses[-1], "steps": len(losses), "tagged_accuracy": correct / total}))
    """
)


def test_a_token_classification_loop_trains_on_the_sentences_config(seed_build: Path, tmp_path: Path) -> None:
    pytest.importorskip("torch")  # installed by the test extra (torch==2.13.0, the CPU build)
    output = run_script(TRAIN, str(seed_build), str(tmp_path / "cache"), cwd=tmp_path)
    result = json.loads(output.splitlines()[-1])
    assert result["steps"] == 45  # 20 sentences in batches of 8, 15 epochs
    assert result["last"] < result["first"] / 4
    assert result["tagged_accuracy"] > 0.5  # it learnt the SOURCE/CUE/CONTENT tags, not only O
