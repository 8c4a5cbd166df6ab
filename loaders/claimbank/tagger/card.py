"""The model card (README.md of a model folder), from the manifest: what it is, what it was trained on, how
well it does on held-out articles, and what limits it."""

from __future__ import annotations

from typing import Any


def _table(metrics: dict[str, Any]) -> list[str]:
    lines = [
        "| item | P exact | R exact | F1 exact | F1 overlap | F1 exact / overlap per fragment |",
        "|---|---|---|---|---|---|",
    ]
    pieces = metrics.get("per_fragment", {})
    for item in ("CUE", "SOURCE", "CONTENT", "attribution"):
        exact = metrics.get("exact", {}).get(item)
        overlap = metrics.get("overlap", {}).get(item)
        if exact is None or overlap is None:
            continue
        apart = [pieces.get(mode, {}).get(item) for mode in ("exact", "overlap")]
        per_fragment = " / ".join(f"{s['f1']:.3f}" for s in apart if s) or "—"
        lines.append(
            f"| {item} | {exact['precision']:.3f} | {exact['recall']:.3f} | {exact['f1']:.3f} | "
            f"{overlap['f1']:.3f} | {per_fragment} |"
        )
    return lines


def _tagger_line(manifest: dict[str, Any]) -> str:
    labels = ", ".join(manifest["labels"])
    neural = manifest.get("neural")
    if manifest.get("architecture") == "neural" and isinstance(neural, dict):
        knobs = neural["settings"]
        return (
            f"- `{neural['weights']}`: a BiLSTM-CRF trained from scratch (torch; no pretrained weights) over BIO "
            f"tags ({labels}): word embeddings ({neural['words']} words, dimension {knobs['word_dim']}), a "
            f"character CNN ({knobs['char_filters']} filters), lexicon and quotation flags, a bidirectional LSTM "
            f"({knobs['hidden']} per direction) over groups of whole sentences up to {knobs['chunk']} tokens, and "
            f"a CRF with the BIO constraints; {knobs['epochs']} epochs of Adam. Weights in safetensors, "
            f"vocabularies in `{neural['vocabulary']}`."
        )
    return (
        "- `tagger.crfsuite`: a linear-chain CRF (crfsuite, L-BFGS, elastic net) over BIO tags "
        f"({labels}), one token sequence per article."
    )


def _settings(manifest: dict[str, Any]) -> dict[str, Any]:
    """The settings that made this model: the neural tagger's and the linker's, or all of the CRF's."""
    settings: dict[str, Any] = manifest["training"]["settings"]
    neural = manifest.get("neural")
    if manifest.get("architecture") == "neural" and isinstance(neural, dict):
        linker = {k: v for k, v in settings.items() if k.startswith("linker_")}
        return {**neural["settings"], **linker}
    return settings


def render(manifest: dict[str, Any]) -> str:
    """Markdown for people; model.json holds the same facts for programs."""
    training = manifest["training"]
    tokenizer = manifest["tokenizer"]
    lines = [
        f"# {manifest['model_version']}",
        "",
        "An attribution tagger trained by `claimbank train`: it finds SOURCE, CUE and CONTENT spans in news text",
        "and assembles them into attributions (which source and content go with which cue), with a confidence",
        "per span and per attribution. Use it with `claimbank preannotate --model THIS_FOLDER FILES --out DIR`.",
        "",
        "## Model",
        "",
        _tagger_line(manifest),
        "- `linker.crfsuite`: a maximum-entropy scorer of (cue, source) and (cue, content) pairs.",
        "- Attribute classifiers where the training data had more than one value; otherwise the one value seen: "
        + (", ".join(f"{k} = {v}" for k, v in manifest.get("constant_attributes", {}).items()) or "none"),
        "- No pickle: crfsuite's own binary format and safetensors; every file's SHA-256 is in `model.json` and "
        "is checked when the model is opened.",
        "",
        "## Tokenizer and features",
        "",
        f"- Tokens: `{tokenizer['function']}`; sentences: `{tokenizer['sentences']}`.",
        (
            f"- Inputs (neural feature version {manifest['neural']['feature_version']}): word, characters, "
            f"flags {', '.join(manifest['neural']['flags'])}"
            + (
                f"; each word's learned rates of being in a CUE and in a SOURCE, and its neighbours' up to "
                f"{manifest['neural']['settings'].get('rates')} tokens away (`{manifest['neural']['rates']}`)."
                if manifest["neural"].get("rates")
                else "."
            )
            if manifest.get("architecture") == "neural" and isinstance(manifest.get("neural"), dict)
            else f"- Features (version {tokenizer['feature_version']}): word, shape, affixes, stem, lexicon "
            f"flags, neighbours up to {tokenizer['window']} tokens away, bigrams, position in the sentence, "
            "inside a quotation, distance to the nearest cue-like word."
        ),
        "",
        "## Training data",
        "",
        f"- Dataset folder `{training['dataset']}`, config `{training['config']}`, split `{training['split']}`: "
        f"{training['documents']} articles with a gold set.",
        f"- Fingerprint (SHA-256 of ids, texts, gold spans and attributions): `{training['fingerprint']}`.",
        f"- Training took {training['seconds']} s ({training.get('cpu_seconds', '?')} CPU s); settings: "
        + ", ".join(f"{k}={v}" for k, v in _settings(manifest).items())
        + ".",
        "",
        "## Held-out metrics",
        "",
        "`claimbank evaluate`'s scorer (claimbank.annotate.agreement.evaluate), micro-averaged over articles; "
        "the splits are the dataset's own, fixed by a hash of the article id. A span in fragments is one span "
        "(exact: the same fragments); the last column scores every fragment as a span of its own.",
    ]
    for split, metrics in manifest.get("metrics", {}).items():
        lines += ["", f"### {split} ({metrics['documents']} articles)", "", *_table(metrics)]
    lines += [
        "",
        "## Limits",
        "",
        "- Nested attributions are not predicted (BIO holds one span per token); a span in fragments is predicted "
        "where the linker links two or more CONTENT pieces to one cue (a quotation broken by 'he said').",
        "- Claims and factuality are not predicted.",
        "- It knows only what its training articles show: another genre or annotation scheme needs retraining.",
        "",
    ]
    return "\n".join(lines)
