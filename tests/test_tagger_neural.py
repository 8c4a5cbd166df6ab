"""The neural tagger (claimbank.tagger.neural, a BiLSTM-CRF trained from scratch with torch): trained on a built
generated dataset as users train it, it beats the rules on unseen generated articles; its folder holds safetensors
weights, the vocabularies and what the card says; `claimbank train --arch neural` and `preannotate --model` work;
a damaged folder is one line. torch is the `neural` extra: without it these tests skip, except in CI."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from claimbank.annotate.preannotate import annotation_set as rules
from claimbank.cli import main
from claimbank.tagger import Model, ModelError, Settings, load, neural, train
from claimbank.tagger.data import Example, Span
from claimbank.tagger.features import Tokens, _inside_quotes, _word
from claimbank.tagger.neural import (
    NeuralTagger,
    _tag_spans,
    _viterbi_marginals,
    chunks,
    flags,
    rate_rows,
    rate_tables,
    rate_width,
)
from claimbank.tagger.neural_settings import NeuralSettings
from claimbank.tagger.tags import LABELS, decode
from claimbank.tagger.training import score
from tests.strategies import problems_of_predicted_set, texts
from tests.test_tagger import STAMP, _f1, _unseen, synth_dataset

if importlib.util.find_spec("torch") is None and not os.environ.get("CI"):
    pytest.skip("torch is not installed (the neural extra)", allow_module_level=True)

# Small enough to train on 27 generated articles in seconds; the shipped defaults are for real news.
TINY = NeuralSettings(
    epochs=12, word_dim=32, char_dim=16, char_filters=16, hidden=32, chunk=100, batch=8, learning_rate=0.01
)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth_dataset(tmp_path_factory)


@pytest.fixture(scope="module")
def model_dir(dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("models") / "neural"
    train(dataset, out, settings=Settings(linker_iterations=100), neural=TINY)
    return out


def test_the_neural_model_beats_the_rules_on_unseen_generated_articles(model_dir: Path) -> None:
    model = load(model_dir)
    assert model.architecture == "neural"
    examples = _unseen()
    learned = score(lambda text: model.annotation_set(text, created_at=STAMP), examples)
    baseline = score(lambda text: rules(text, created_at=STAMP), examples)
    for item in ("CUE", "SOURCE", "CONTENT"):
        assert _f1(learned, "exact", item) > _f1(baseline, "exact", item) + 0.1, item
    assert _f1(learned, "overlap", "attribution") > _f1(baseline, "overlap", "attribution") + 0.1


def test_the_folder_holds_safetensors_weights_vocabulary_and_settings(model_dir: Path) -> None:
    manifest = json.loads((model_dir / "model.json").read_text("utf-8"))
    assert manifest["architecture"] == "neural"
    assert set(manifest["files"]) >= {"tagger.safetensors", "vocabulary.json", "linker.crfsuite"}
    assert "tagger.crfsuite" not in manifest["files"]
    assert manifest["neural"]["settings"]["hidden"] == TINY.hidden
    vocabulary = json.loads((model_dir / "vocabulary.json").read_text("utf-8"))
    assert vocabulary["words"][:2] == ["<pad>", "<unk>"]
    assert len(vocabulary["words"]) == manifest["neural"]["words"]
    # safetensors: an 8-byte little-endian header length, then a JSON header naming every tensor.
    raw = (model_dir / "tagger.safetensors").read_bytes()
    header = json.loads(raw[8 : 8 + int.from_bytes(raw[:8], "little")])
    assert "lstm.weight_ih_l0" in header
    # The word rates are inputs: their table is JSON in the folder, hashed like the weights.
    assert manifest["neural"]["rates"] == "rates.json"
    assert manifest["neural"]["feature_version"] == 2
    assert "rates.json" in manifest["files"]
    table = json.loads((model_dir / "rates.json").read_text("utf-8"))
    assert table["roles"] == ["CUE", "SOURCE"]
    assert len(table["words"]) == len(table["rates"]) > 0
    assert all(0.0 <= x <= 1.0 for row in table["rates"] for x in row)
    assert "crf.transitions" in header
    card = (model_dir / "README.md").read_text("utf-8")
    assert "BiLSTM-CRF" in card
    assert "safetensors" in card


@settings(max_examples=40, deadline=None)
@given(text=texts)
def test_predictions_validate_on_hostile_text(model_dir: Path, text: str) -> None:
    item = Model(model_dir).annotation_set(text, created_at=STAMP)
    assert problems_of_predicted_set(text, item) == []
    for record in item["spans"] + item["attributions"]:
        assert 0.0 <= record["confidence"] <= 1.0


def test_chunks_are_whole_sentences_up_to_the_size() -> None:
    sentence = [0] * 3 + [1] * 4 + [2] * 9 + [3] * 2
    # The rest of a cut sentence starts the next chunk, with the sentences after it.
    assert chunks(sentence, 8) == [(0, 7), (7, 15), (15, 18)]
    assert chunks([], 8) == []


def test_numpy_viterbi_and_marginals_agree_with_brute_force() -> None:
    import itertools

    import numpy as np

    rng = np.random.default_rng(0)
    labels, length = 3, 4
    transitions, start, end = (
        rng.normal(size=(labels, labels)),
        rng.normal(size=labels),
        rng.normal(size=labels),
    )
    # Two sequences, and 70 (many sequences take another way through the Viterbi steps).
    emissions = rng.normal(size=(70, length, labels))
    lengths = rng.integers(1, length + 1, size=70)
    lengths[:2] = [4, 3]
    path, confidence = _viterbi_marginals(emissions[:2], lengths[:2], (transitions, start, end))
    many = _viterbi_marginals(emissions, lengths, (transitions, start, end))
    assert (many[0][:2] == path).all()
    path, confidence = many
    for row, n in enumerate(lengths):
        scores = {}
        for tags in itertools.product(range(labels), repeat=int(n)):
            value = start[tags[0]] + end[tags[-1]] + sum(emissions[row, t, tags[t]] for t in range(n))
            scores[tags] = value + sum(transitions[a, b] for a, b in itertools.pairwise(tags))
        best = max(scores, key=lambda tags: scores[tags])
        assert tuple(path[row, :n]) == best
        z = np.logaddexp.reduce(list(scores.values()))
        for t in range(n):
            marginal = np.exp(
                np.logaddexp.reduce([v for tags, v in scores.items() if tags[t] == best[t]]) - z
            )
            assert confidence[row, t] == pytest.approx(marginal, rel=1e-6)


def _reference_spans(tagger: NeuralTagger, tokens: Tokens) -> list[tuple[str, int, int, float]]:
    """The tagger's spans the straightforward way: the article's chunks padded to its longest (a padding
    position is the PAD word, no spelling, no flags or rates), the whole network on them, the CRF's own Viterbi and
    forward-backward in torch."""
    import torch

    from claimbank.tagger.neural import _pad, _pieces

    if not tokens.words:
        return []
    rates = (tagger._rates, tagger.settings.rates) if tagger.settings.rates >= 0 else None
    pieces = _pieces(torch, tokens, tagger.vocabulary, tagger.settings.chunk, rates=rates)
    network = tagger.network
    with torch.inference_mode():
        words, chars, rows, mask = _pad(torch, [piece for _, piece in pieces])
        batch, width, _ = chars.shape
        spelled = network.spell(chars.view(batch * width, -1)).view(batch, width, -1) * mask.unsqueeze(2)
        emissions = network.emissions_spelled(words, spelled, rows).double()
        path, marginals = tagger.network.crf.decode(emissions, mask)
    tags, probability = [], []
    for row, (_, piece) in enumerate(pieces):
        for t in range(len(piece[0])):
            tags.append(LABELS[int(path[row, t])])
            probability.append(float(marginals[row, t, path[row, t]]))
    return [
        (label, first, last, sum(probability[first:last]) / (last - first))
        for label, first, last in decode(tags)
    ]


@pytest.mark.parametrize("chunk", [100, 9])
def test_articles_tagged_together_get_the_spans_of_the_straightforward_reference(
    model_dir: Path, chunk: int
) -> None:
    from dataclasses import replace

    tagger = NeuralTagger(model_dir, json.loads((model_dir / "model.json").read_text("utf-8")))
    # Short chunks: many per article, of many lengths, so that most are padded in their article.
    tagger.settings = replace(tagger.settings, chunk=chunk)
    texts = [e.text for e in _unseen(6)]
    texts += ["", "Said.", texts[0][:300], "“No,” he said.\n\nShe said: “Yes.”", " \n "]
    articles = [Tokens.of(text) for text in texts]
    together = tagger.spans_many(articles)
    assert len(together) == len(articles)
    assert sum(len(found) for found in together) > 20
    for tokens, found in zip(articles, together, strict=True):
        expected = _reference_spans(tagger, tokens)
        assert [s[:3] for s in found] == [s[:3] for s in expected]
        for got, want in zip(found, expected, strict=True):
            assert got[3] == pytest.approx(min(want[3], 1.0), abs=1e-6)
        # One article alone: the same spans as among the others.
        alone = tagger.spans(tokens)
        assert [s[:3] for s in alone] == [s[:3] for s in found]
        assert [s[3] for s in alone] == pytest.approx([s[3] for s in found], abs=1e-9)


def test_annotation_sets_of_many_texts_are_those_of_each_text(model_dir: Path) -> None:
    model = Model(model_dir)
    texts = [e.text for e in _unseen(4)] + ["", "x"]
    together = model.annotation_sets(texts, created_at=STAMP)
    assert [s["spans"] for s in together] == [
        model.annotation_set(text, created_at=STAMP)["spans"] for text in texts
    ]
    assert sum(len(s["attributions"]) for s in together) > 0


@settings(max_examples=300, deadline=None)
@given(tags=st.lists(st.integers(0, len(LABELS) - 1), max_size=30))
def test_vectorised_span_decoding_is_tags_decode(tags: list[int]) -> None:
    import numpy as np

    probability = np.linspace(0.1, 0.9, len(tags))
    found = _tag_spans(np.array(tags, dtype=np.int64), probability)
    expected = decode([LABELS[t] for t in tags])
    assert [s[:3] for s in found] == expected
    for _label, first, last, confidence in found:
        assert confidence == pytest.approx(probability[first:last].mean())


@settings(max_examples=60, deadline=None)
@given(text=texts)
@example(text="He has said “it was 42,” they believe.\n\nTHE IBM claim, according to who? ‘We’ do not know.")
def test_flags_are_each_tokens_flags_computed_one_by_one(text: str) -> None:
    tokens = Tokens.of(text)
    quoted = _inside_quotes(tokens.words)
    rows = flags(tokens)
    assert rows.shape == (len(tokens.words), neural.FLAG_COUNT)
    for i, word in enumerate(tokens.words):
        known = set(_word(word))
        expected = [1.0 if f in known else 0.0 for f in neural._FLAGS]
        gap = text[tokens.offsets[i - 1][1] : tokens.offsets[i][0]] if i else ""
        expected += [
            float(quoted[i]),
            float("\n" in gap),
            float(i == 0 or tokens.sentence[i] != tokens.sentence[i - 1]),
            float(any(c.isdigit() for c in word)),
        ]
        assert rows[i].tolist() == expected, (i, word)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claimbank", *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_train_arch_neural_and_preannotate_from_the_command_line(
    dataset: Path, model_dir: Path, tmp_path: Path
) -> None:
    model = tmp_path / "model"
    # neural is the command's default tagger
    assert main(["train", str(dataset), "--epochs", "1", "--out", str(model), "-q"]) == 0
    assert json.loads((model / "model.json").read_text("utf-8"))["architecture"] == "neural"
    seed = tmp_path / "seeds" / "article.txt"
    seed.parent.mkdir()
    seed.write_text("“The plan will fail,” the mayor said on Tuesday.", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["preannotate", "--model", str(model_dir), str(seed), "--out", str(out)]) == 0
    (predicted,) = json.loads((out / "article.json").read_text("utf-8"))["annotation_sets"]
    assert predicted["model_version"].startswith("claimbank-tagger-neural")
    assert predicted["origin"] == "prediction"
    assert main(["validate", str(out / "article.json"), "--seeds", str(seed.parent)]) == 0
    # Weights that are not this tagger's (their hash updated to match) are one line, exit 2.
    broken = tmp_path / "broken"
    broken.mkdir()
    for item in model_dir.iterdir():
        (broken / item.name).write_bytes(item.read_bytes())
    (broken / "tagger.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ")
    import hashlib

    manifest = json.loads((broken / "model.json").read_text("utf-8"))
    manifest["files"]["tagger.safetensors"] = hashlib.sha256(
        (broken / "tagger.safetensors").read_bytes()
    ).hexdigest()
    (broken / "model.json").write_text(json.dumps(manifest))
    result = _cli("preannotate", "--model", str(broken), str(seed), "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "tagger.safetensors" in result.stderr
    with pytest.raises(ModelError):
        Model(broken)


def test_word_rates_are_out_of_fold_for_the_articles_trained_on() -> None:
    texts = [
        "Ann said it twice. Ann said so.",
        "Bob argued it. Bob argued.",
        "Ann said it. Bob argued it. Cal said no.",
    ]
    examples = []
    for i, text in enumerate(texts):
        tokens = Tokens.of(text)
        cues = [
            (a, b) for (a, b), w in zip(tokens.offsets, tokens.lower, strict=True) if w in ("said", "argued")
        ]
        spans = tuple(Span(f"c{k}", "CUE", a, b, f"c{k}", None, None) for k, (a, b) in enumerate(cues))
        examples.append(Example(str(i), text, spans, ()))
    corpus = [Tokens.of(e.text) for e in examples]
    full, folds = rate_tables(corpus, examples, 3)
    assert full["said"] == (1.0, 0.0)
    assert full["it"] == (0.0, 0.0)
    # Fold 0 (the first article) sees only the others: "twice" is the first article's alone (and once), so it is
    # in no table; "ann" is seen once outside it, under the count of two; "said" twice, in the third.
    assert folds[0]["said"] == (1.0, 0.0)
    assert "ann" not in folds[0]
    assert folds[2]["argued"] == (1.0, 0.0)
    rows = rate_rows(corpus[2], full, 2)
    assert rows.shape == (len(corpus[2].lower), rate_width(2))
    said = corpus[2].lower.index("said")
    # columns: (cue, source) at offsets -2, -1, 0, +1, +2, then "known"; "said" is at offset 0 of itself and
    # at offset -1 of the token after it.
    assert rows[said, 4] == 1.0
    assert rows[said + 1, 2] == 1.0
    assert rows[said, -1] == 1.0
    # Every cell against the table, token by token (the rows are computed per distinct word).
    words = corpus[2].lower
    for i in range(len(words)):
        for k, d in enumerate(range(-2, 3)):
            inside = 0 <= i + d < len(words)
            expected = full.get(words[i + d], (0.0, 0.0)) if inside else (0.0, 0.0)
            assert tuple(rows[i, 2 * k : 2 * k + 2]) == expected
        assert rows[i, -1] == (words[i] in full)


def test_a_model_from_before_the_word_rates_still_loads_and_predicts(dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "old"
    train(
        dataset,
        out,
        settings=Settings(linker_iterations=20),
        neural=replace(TINY, epochs=1, rates=-1),
        eval_splits=[],
    )
    manifest = json.loads((out / "model.json").read_text("utf-8"))
    assert manifest["neural"]["feature_version"] == 1
    assert "rates.json" not in manifest["files"]
    # As written before the rates existed: no rates in the settings.
    del manifest["neural"]["settings"]["rates"]
    del manifest["neural"]["settings"]["rate_folds"]
    (out / "model.json").write_text(json.dumps(manifest))
    model = Model(out)
    item = model.annotation_set("“The plan will fail,” the mayor said.", created_at=STAMP)
    assert problems_of_predicted_set("“The plan will fail,” the mayor said.", item) == []
    manifest["neural"]["feature_version"] = 3
    (out / "model.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="feature version"):
        Model(out)
