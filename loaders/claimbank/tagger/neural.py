"""The neural tagger: a BiLSTM-CRF over SOURCE / CUE / CONTENT BIO tags, trained from scratch (torch, CPU).

Each token is its lower-cased word (an embedding learned on the training articles; rare words share one
``<unk>`` vector), its characters (a small CNN, max-pooled) and a few flags from the CRF's own lexicon
(capitalized, all caps, a verb of saying, of belief, cue-like, auxiliary, pronoun; inside a quotation; first of a
paragraph; first of a sentence; has a digit). A bidirectional LSTM reads groups of whole sentences up to
``chunk`` tokens (content often spans sentences), a linear layer gives each tag a score and a linear-chain CRF,
with the BIO constraints built in, is trained on the whole tag sequence and decodes it (Viterbi). A span's
confidence is the mean marginal probability of its tokens' tags (forward-backward), as for the crfsuite tagger.

Nothing is downloaded: there are no pretrained weights. The weights are one safetensors file (no pickle), the
vocabularies a JSON file; both are hashed in ``model.json``. torch and safetensors are the ``neural`` extra.
"""

from __future__ import annotations

import itertools
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from claimbank.tagger.data import Example
from claimbank.tagger.features import _AUXILIARIES, _PRONOUNS, Tokens, _inside_quotes, _lexicon_sets, _word
from claimbank.tagger.folder import ModelError
from claimbank.tagger.neural_settings import NeuralSettings
from claimbank.tagger.tags import LABELS, encode

WEIGHTS = "tagger.safetensors"
VOCABULARY = "vocabulary.json"
RATES = "rates.json"
# The lexicon flags of features._word that become inputs, in this order (changing them changes what a saved
# model means: bump FEATURE_VERSION).
_FLAGS = (b"T", b"U", b"say", b"bel", b"cue", b"aux", b"prn")
FLAG_COUNT = len(_FLAGS) + 4
# The lexicon flags _word_flags computes itself, in this order (the same as features._word's: tested).
_DIRECT_FLAGS = (b"T", b"U", b"say", b"bel", b"cue", b"aux", b"prn")
# 1: the flags only; 2: also the learned word rates (NeuralSettings.rates). A model says which it has; both load.
FEATURE_VERSION = 2
_FEATURE_VERSIONS = (1, 2)
_RATE_ROLES = ("CUE", "SOURCE")
MAX_CHARS = 16  # a word's first 16 characters feed the character CNN
PAD, UNK = 0, 1


def _torch() -> Any:
    try:
        import safetensors.torch  # noqa: F401 (checked here, used where weights are read or written)
        import torch
    except ImportError as error:
        raise ModelError(
            f"the neural tagger needs torch and safetensors (pip install 'claimbank[neural]'; or train with "
            f"--arch crf): {error}"
        ) from None
    return torch


def chunks(sentence: Sequence[int], size: int) -> list[tuple[int, int]]:
    """``[first, last)`` token ranges of consecutive whole sentences, each at most ``size`` tokens (a longer
    sentence is cut into pieces of ``size``)."""
    n = len(sentence)
    starts = [i for i in range(n) if i == 0 or sentence[i] != sentence[i - 1]] + [n]
    found, current = [], 0
    for start, end in itertools.pairwise(starts):
        if end - current > size and start > current:
            found.append((current, start))
            current = start
        while end - current > size:
            found.append((current, current + size))
            current += size
    if current < n:
        found.append((current, n))
    return found


@lru_cache(maxsize=200_000)
def _word_flags(word: str) -> tuple[float, ...]:
    """The flags that depend on the word alone: the lexicon's (those of ``features._word``, without its other
    features, which cost most of a new word's time; the tests check they agree), then 'has a digit'."""
    digit = any(c.isdigit() for c in word)
    if _FLAGS != _DIRECT_FLAGS:  # flags the shortcut below does not know: read them from features._word
        known = set(_word(word))
        return (*(1.0 if flag in known else 0.0 for flag in _FLAGS), 1.0 if digit else 0.0)
    saying, belief, cues = _lexicon_sets()
    lw = word.lower()
    found = (
        word[:1].isupper(),
        word.isupper() and len(word) > 1,
        lw in saying,
        lw in belief,
        lw in cues,
        lw in _AUXILIARIES,
        lw in _PRONOUNS,
        digit,
    )
    return tuple(1.0 if flag else 0.0 for flag in found)


def flags(tokens: Tokens) -> Any:
    """The per-token flags (see the module docstring; order: the lexicon's, in a quotation, first of a
    paragraph, first of a sentence, has a digit), a float32 array ``(tokens, FLAG_COUNT)`` of 0 and 1.

    Computed for speed (prediction runs this on every article): the word flags once per distinct word, a
    paragraph start from the count of line breaks before each token's start and after the previous one's end."""
    import numpy as np

    n = len(tokens.words)
    rows = np.zeros((n, FLAG_COUNT), dtype=np.float32)
    if not n:
        return rows
    distinct: dict[str, int] = {}
    inverse = [distinct.setdefault(w, len(distinct)) for w in tokens.words]
    own = np.array([_word_flags(w) for w in distinct], dtype=np.float32)[inverse]
    lexicon = len(_FLAGS)
    rows[:, :lexicon] = own[:, :lexicon]
    rows[:, lexicon] = _inside_quotes(tokens.words)
    text = tokens.text
    # Code point indices of the line breaks (UTF-32 holds one code point in each 4 bytes).
    breaks = np.flatnonzero(
        np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32) == ord("\n")
    )
    if breaks.size:
        edges = np.fromiter(itertools.chain.from_iterable(tokens.offsets), np.int64, 2 * n).reshape(n, 2)
        # A line break between token i - 1's end and token i's start: more breaks before the one than the other.
        before_start = np.searchsorted(breaks, edges[1:, 0])
        before_end = np.searchsorted(breaks, edges[:-1, 1])
        rows[1:, lexicon + 1] = before_start > before_end
    starts = np.array(tokens.sentence)
    rows[0, lexicon + 2] = 1.0
    rows[1:, lexicon + 2] = starts[1:] != starts[:-1]
    rows[:, lexicon + 3] = own[:, lexicon]
    return rows


def rate_width(window: int) -> int:
    """How many input columns the word rates take: each role's rate for the token and its neighbours up to
    ``window`` away, and whether the token's word is in the table (none when ``window`` is -1)."""
    return 0 if window < 0 else len(_RATE_ROLES) * (2 * window + 1) + 1


RateTable = dict[str, tuple[float, ...]]


def rate_tables(
    corpus: Sequence[Tokens], examples: Sequence[Example], folds: int
) -> tuple[RateTable, list[RateTable]]:
    """The rate at which each word (lower-cased, seen at least twice) is inside a CUE and inside a SOURCE in
    ``examples``: over all of them, and for each of ``folds`` folds (article ``i`` is in fold ``i % folds``)
    over the other folds' articles, so that the articles trained on see rates they did not make."""
    parts: list[list[Counter[str]]] = [[Counter() for _ in range(1 + len(_RATE_ROLES))] for _ in range(folds)]
    for i, (tokens, example) in enumerate(zip(corpus, examples, strict=True)):
        counts = parts[i % folds]
        for word, tag in zip(tokens.lower, encode(tokens.offsets, example.spans)[0], strict=True):
            counts[0][word] += 1
            for k, role in enumerate(_RATE_ROLES, start=1):
                if tag[2:] == role:
                    counts[k][word] += 1
    total = [sum((p[k] for p in parts), Counter()) for k in range(1 + len(_RATE_ROLES))]

    def table(counts: list[Counter[str]]) -> RateTable:
        return {w: tuple(round(c[w] / n, 4) for c in counts[1:]) for w, n in counts[0].items() if n >= 2}

    return table(total), [table([total[k] - part[k] for k in range(len(total))]) for part in parts]


def rate_rows(tokens: Tokens, table: RateTable, window: int) -> Any:
    """The rate inputs (see ``rate_width``) of every token, a float32 array ``(tokens, rate_width(window))``."""
    import numpy as np

    n = len(tokens.lower)
    roles = len(_RATE_ROLES)
    # Looked up once per distinct word: each row is its rates and whether the table has it.
    distinct: dict[str, int] = {}
    inverse = np.fromiter((distinct.setdefault(w, len(distinct)) for w in tokens.lower), np.int64, n)
    absent = (0.0,) * roles
    rates = np.array([(*table.get(w, absent), w in table) for w in distinct], dtype=np.float32).reshape(
        len(distinct), roles + 1
    )[inverse]
    own = np.zeros((n + 2 * window, roles), dtype=np.float32)
    own[window : window + n] = rates[:, :roles]
    columns = [own[window + d : window + d + n] for d in range(-window, window + 1)]
    return np.concatenate([*columns, rates[:, roles:]], 1)


class Vocabulary:
    """Word and character ids: index 0 pads, 1 is unknown."""

    def __init__(self, words: Sequence[str], chars: Sequence[str]) -> None:
        self.words = list(words)
        self.chars = list(chars)
        self._word = {w: i for i, w in enumerate(self.words)}
        self._char = {c: i for i, c in enumerate(self.chars)}
        self._rows: dict[str, list[int]] = {}

    @classmethod
    def build(cls, corpus: Sequence[Tokens], min_count: int) -> Vocabulary:
        """Words seen at least ``min_count`` times, characters at least 5 times, in ``corpus``."""
        words = Counter(w for tokens in corpus for w in tokens.lower)
        chars = Counter(c for tokens in corpus for w in tokens.words for c in w)
        return cls(
            ["<pad>", "<unk>", *sorted(w for w, n in words.items() if n >= min_count)],
            ["<pad>", "<unk>", *sorted(c for c, n in chars.items() if n >= 5)],
        )

    def encode(self, tokens: Tokens) -> tuple[list[int], list[list[int]]]:
        """Word ids and character ids of every token."""
        word, char = self._word, self._char
        return (
            [word.get(w, UNK) for w in tokens.lower],
            [[char.get(c, UNK) for c in w[:MAX_CHARS]] for w in tokens.words],
        )

    def char_row(self, word: str) -> list[int]:
        """The character ids of ``word``, padded to ``MAX_CHARS``."""
        row = self._rows.get(word)
        if row is None:
            char = self._char
            row = [char.get(c, UNK) for c in word[:MAX_CHARS]]
            row += [PAD] * (MAX_CHARS - len(row))
            if len(self._rows) < 200_000:
                self._rows[word] = row
        return row

    def to_json(self) -> dict[str, list[str]]:
        return {"words": self.words, "chars": self.chars}


def _build_network(torch: Any, settings: NeuralSettings, words: int, chars: int) -> Any:
    """The network (a ``torch.nn.Module``), defined here so that torch is imported only when it is used."""
    nn = torch.nn
    labels = len(LABELS)
    # BIO constraints: I-X only after B-X or I-X. A large negative score, not -inf, keeps the forward
    # algorithm's sums finite. A chunk may start with I-X: a span that goes on from the chunk before (the tags of
    # consecutive chunks are joined before they are decoded).
    forbidden = torch.zeros(labels, labels)
    for i, before in enumerate(LABELS):
        for j, tag in enumerate(LABELS):
            if tag.startswith("I-") and before[2:] != tag[2:]:
                forbidden[i, j] = -1e4

    class CRF(nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.transitions = nn.Parameter(torch.zeros(labels, labels))
            self.start = nn.Parameter(torch.zeros(labels))
            self.end = nn.Parameter(torch.zeros(labels))
            self.register_buffer("forbidden", forbidden)

        def _scores(self) -> tuple[Any, Any]:
            return self.transitions + self.forbidden, self.start

        def nll(self, emissions: Any, tags: Any, mask: Any) -> Any:
            """Summed negative log-likelihood of the gold ``tags``."""
            transitions, start = self._scores()
            weight = mask.float()
            gold = start[tags[:, 0]] + (emissions.gather(2, tags.unsqueeze(2)).squeeze(2) * weight).sum(1)
            gold = gold + (transitions[tags[:, :-1], tags[:, 1:]] * weight[:, 1:]).sum(1)
            last = tags.gather(1, (mask.sum(1) - 1).unsqueeze(1)).squeeze(1)
            gold = gold + self.end[last]
            return (self._forward(emissions, mask)[-1] - gold).sum()

        def _forward(self, emissions: Any, mask: Any) -> list[Any]:
            """Log forward scores per step; the last item is log Z per sequence."""
            transitions, start = self._scores()
            alpha = start + emissions[:, 0]
            found = [alpha]
            step = transitions.unsqueeze(0)
            for t in range(1, emissions.shape[1]):
                following = torch.logsumexp(alpha.unsqueeze(2) + step, 1) + emissions[:, t]
                alpha = torch.where(mask[:, t].unsqueeze(1), following, alpha)
                found.append(alpha)
            found.append(torch.logsumexp(alpha + self.end, 1))
            return found

        def decode(self, emissions: Any, mask: Any) -> tuple[Any, Any]:
            """The best tag sequence (Viterbi) and every tag's marginal probability (forward-backward)."""
            transitions, start = self._scores()
            batch, length, _ = emissions.shape
            score = start + emissions[:, 0]
            back = []
            keep = torch.arange(labels).expand(batch, labels)
            for t in range(1, length):
                best, arg = (score.unsqueeze(2) + transitions.unsqueeze(0)).max(1)
                on = mask[:, t].unsqueeze(1)
                score = torch.where(on, best + emissions[:, t], score)
                back.append(torch.where(on, arg, keep))
            last = (score + self.end).argmax(1)
            path = [last]
            for arg in reversed(back):
                last = arg.gather(1, last.unsqueeze(1)).squeeze(1)
                path.append(last)
            best_path = torch.stack(path[::-1], 1)
            alphas = self._forward(emissions, mask)
            log_z = alphas.pop()
            beta = self.end.expand(batch, labels)
            betas = [beta]
            step = transitions.unsqueeze(0)
            for t in range(length - 1, 0, -1):
                previous = torch.logsumexp((beta + emissions[:, t]).unsqueeze(1) + step, 2)
                # Past the end of a shorter sequence, beta stays the end scores.
                beta = torch.where(mask[:, t].unsqueeze(1), previous, beta)
                betas.append(beta)
            betas.reverse()
            marginals = (torch.stack(alphas, 1) + torch.stack(betas, 1) - log_z.view(batch, 1, 1)).exp()
            return best_path, marginals

    class Network(nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.words = nn.Embedding(words, settings.word_dim, padding_idx=PAD)
            self.chars = nn.Embedding(chars, settings.char_dim, padding_idx=PAD)
            self.char_cnn = nn.Conv1d(settings.char_dim, settings.char_filters, 3, padding=1)
            self.dropout = nn.Dropout(settings.dropout)
            self.lstm = nn.LSTM(
                settings.word_dim + settings.char_filters + FLAG_COUNT + rate_width(settings.rates),
                settings.hidden,
                bidirectional=True,
                batch_first=True,
            )
            self.scores = nn.Linear(2 * settings.hidden, labels)
            self.crf = CRF()

        def spell(self, chars: Any) -> Any:
            """The character CNN's vector of each row of character ids ``(words, MAX_CHARS)``."""
            return self.char_cnn(self.chars(chars).transpose(1, 2)).max(2).values

        def emissions(self, words: Any, chars: Any, flags: Any) -> Any:
            batch, length, width = chars.shape
            return self.emissions_spelled(
                words, self.spell(chars.view(batch * length, width)).view(batch, length, -1), flags
            )

        def emissions_spelled(self, words: Any, spelled: Any, flags: Any) -> Any:
            inputs = torch.cat([self.words(words), spelled, flags], 2)
            hidden, _ = self.lstm(self.dropout(inputs))
            return self.scores(self.dropout(hidden))

    return Network()


def _tensors(
    torch: Any, words: list[int], chars: list[list[int]], rows: Any, tags: list[int] | None
) -> tuple[Any, ...]:
    n = len(words)
    spelled = torch.zeros(n, MAX_CHARS, dtype=torch.long)
    for j, ids in enumerate(chars):
        spelled[j, : len(ids)] = torch.tensor(ids, dtype=torch.long)
    found = (
        torch.tensor(words, dtype=torch.long),
        spelled,
        torch.from_numpy(rows).view(n, -1),
    )
    return found if tags is None else (*found, torch.tensor(tags, dtype=torch.long))


def _pad(torch: Any, items: Sequence[tuple[Any, ...]]) -> tuple[Any, ...]:
    pad = torch.nn.utils.rnn.pad_sequence
    columns = [pad([item[k] for item in items], batch_first=True) for k in range(len(items[0]))]
    mask = pad([torch.ones(len(item[0]), dtype=torch.bool) for item in items], batch_first=True)
    return (*columns, mask)


def _pieces(
    torch: Any,
    tokens: Tokens,
    vocabulary: Vocabulary,
    size: int,
    tags: list[int] | None = None,
    rates: tuple[RateTable, int] | None = None,
) -> list[tuple[int, tuple[Any, ...]]]:
    """The article's chunks as tensors, each with its first token; ``rates``: the rate table and window."""
    import numpy as np

    words, chars = vocabulary.encode(tokens)
    rows = flags(tokens)
    if rates is not None:
        rows = np.concatenate([rows, rate_rows(tokens, *rates)], 1)
    return [
        (
            first,
            _tensors(
                torch,
                words[first:last],
                chars[first:last],
                rows[first:last],
                None if tags is None else tags[first:last],
            ),
        )
        for first, last in chunks(tokens.sentence, size)
    ]


def train_tagger(
    examples: Sequence[Example],
    folder: Path,
    settings: NeuralSettings,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Train the BiLSTM-CRF on ``examples``, write its weights and vocabulary into ``folder``; returns what
    ``model.json`` records about it."""
    torch = _torch()
    from safetensors.torch import save_file

    threads = torch.get_num_threads()
    torch.set_num_threads(settings.threads)
    torch.manual_seed(settings.seed)
    shuffle = random.Random(settings.seed)
    try:
        corpus = [Tokens.of(e.text) for e in examples]
        vocabulary = Vocabulary.build(corpus, settings.min_count)
        index = {tag: i for i, tag in enumerate(LABELS)}
        full, folds = rate_tables(corpus, examples, settings.rate_folds) if settings.rates >= 0 else ({}, [])
        items = [
            piece
            for i, (tokens, example) in enumerate(zip(corpus, examples, strict=True))
            if tokens.offsets
            for _, piece in _pieces(
                torch,
                tokens,
                vocabulary,
                settings.chunk,
                [index[t] for t in encode(tokens.offsets, example.spans)[0]],
                (folds[i % settings.rate_folds], settings.rates) if folds else None,
            )
        ]
        network = _build_network(torch, settings, len(vocabulary.words), len(vocabulary.chars))
        optimizer = torch.optim.Adam(network.parameters(), lr=settings.learning_rate)
        network.train()
        started = time.monotonic()
        for epoch in range(settings.epochs):
            shuffle.shuffle(items)
            total = 0.0
            for k in range(0, len(items), settings.batch):
                words, chars, rows, tags, mask = _pad(torch, items[k : k + settings.batch])
                if settings.word_dropout:
                    dropped = (torch.rand(words.shape) < settings.word_dropout) & mask
                    words = words.masked_fill(dropped, UNK)
                emissions = network.emissions(words, chars, rows)
                loss = network.crf.nll(emissions, tags, mask) / mask.sum()
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(network.parameters(), 5.0)
                optimizer.step()
                total += float(loss.detach())
            batches = max((len(items) + settings.batch - 1) // settings.batch, 1)
            log(
                f"epoch {epoch + 1}/{settings.epochs}: loss {total / batches:.4f} "
                f"({time.monotonic() - started:.0f} s)"
            )
        state = {name: value.detach().contiguous() for name, value in network.state_dict().items()}
        save_file(state, str(folder / WEIGHTS))
    finally:
        torch.set_num_threads(threads)
    (folder / VOCABULARY).write_text(json.dumps(vocabulary.to_json(), ensure_ascii=False), "utf-8")
    rates: dict[str, Any] = {}
    if settings.rates >= 0:
        words = sorted(full)
        table = {"roles": list(_RATE_ROLES), "words": words, "rates": [list(full[w]) for w in words]}
        (folder / RATES).write_text(json.dumps(table, ensure_ascii=False), "utf-8")
        rates = {"rates": RATES}
    return {
        "weights": WEIGHTS,
        "vocabulary": VOCABULARY,
        **rates,
        "words": len(vocabulary.words),
        "chars": len(vocabulary.chars),
        "flags": [f.decode() for f in _FLAGS] + ["in_quotes", "paragraph_start", "sentence_start", "digit"],
        "feature_version": FEATURE_VERSION if settings.rates >= 0 else 1,
        "settings": asdict(settings),
    }


class NeuralTagger:
    """A trained BiLSTM-CRF opened from a model folder: token spans with confidences.

    Predicting one article is a handful of small matrix products; more than one thread only adds waiting,
    so prediction runs on one (torch's thread count is set while it runs and put back after).
    """

    def __init__(self, folder: Path, manifest: dict[str, Any]) -> None:
        torch = _torch()
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        described = manifest.get("neural")
        if not isinstance(described, dict) or not isinstance(described.get("settings"), dict):
            raise ModelError(f"{folder}: model.json does not describe the neural tagger")
        known = {f.name for f in fields(NeuralSettings)}
        version = described.get("feature_version")
        if version not in _FEATURE_VERSIONS:
            raise ModelError(f"{folder}: neural feature version differs from this claimbank's (retrain)")
        # A model from before the word rates (feature version 1) has none.
        stored = (
            {"rates": -1, **described["settings"]} if version == 2 else {**described["settings"], "rates": -1}
        )
        try:
            self.settings = NeuralSettings(**{k: v for k, v in stored.items() if k in known})
            vocabulary = json.loads((folder / VOCABULARY).read_text("utf-8"))
            self.vocabulary = Vocabulary(vocabulary["words"], vocabulary["chars"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ModelError(f"{folder}/{VOCABULARY}: not a vocabulary of this tagger ({error})") from None
        self._rates: RateTable = {}
        if self.settings.rates >= 0:
            try:
                table = json.loads((folder / RATES).read_text("utf-8"))
                roles = len(_RATE_ROLES)
                self._rates = {
                    str(w): tuple(float(x) for x in r)
                    for w, r in zip(table["words"], table["rates"], strict=True)
                    if len(r) == roles
                }
                if table["roles"] != list(_RATE_ROLES) or len(self._rates) != len(table["words"]):
                    raise ValueError("not the roles this tagger reads")
            except (OSError, ValueError, KeyError, TypeError) as error:
                raise ModelError(f"{folder}/{RATES}: not a rate table of this tagger ({error})") from None
        self._torch = torch
        self.network = _build_network(
            torch, self.settings, len(self.vocabulary.words), len(self.vocabulary.chars)
        )
        try:
            self.network.load_state_dict(load_file(str(folder / WEIGHTS)))
        except (OSError, SafetensorError, RuntimeError) as error:
            first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise ModelError(f"{folder}/{WEIGHTS}: not the weights of this tagger ({first_line})") from None
        self.network.train(
            False
        )  # inference mode (what `.eval()` does, spelt so no scanner mistakes it for eval)
        # The character CNN's vector of each word seen so far: a word's spelling is the same in every article.
        self._spelled: dict[str, Any] = {}
        crf = self.network.crf
        self._crf = tuple(
            x.detach().numpy().astype("float64")
            for x in (crf.transitions + crf.forbidden, crf.start, crf.end)
        )
        self._directions = _one_way_lstms(torch, self.network.lstm)
        self._padding_states: tuple[Any, Any] | None = None

    def _padding_input(self) -> Any:
        """The LSTM's input at a padding position: the ``PAD`` word's vector, no spelling, no flags or rates."""
        torch = self._torch
        settings = self.settings
        return torch.cat(
            [
                self.network.words.weight[PAD],
                torch.zeros(settings.char_filters),
                torch.zeros(FLAG_COUNT + rate_width(settings.rates)),
            ]
        )

    def _after_padding(self, steps: Any) -> tuple[Any, Any]:
        """The backward LSTM's state ``(h, c)``, each ``(1, chunks, hidden)``, after reading ``steps[i]``
        padding positions from a zero state: where the bidirectional LSTM over an article's chunks, padded to
        its longest, starts reading chunk ``i`` backwards."""
        torch = self._torch
        if self._padding_states is None:
            hidden = self.settings.hidden
            h, c = torch.zeros(1, 1, hidden), torch.zeros(1, 1, hidden)
            hs, cs = [h], [c]
            step = self._padding_input().view(1, 1, -1)
            for _ in range(self.settings.chunk):
                _, (h, c) = self._directions[1](step, (h, c))
                hs.append(h)
                cs.append(c)
            self._padding_states = torch.cat(hs, 1), torch.cat(cs, 1)
        index = torch.from_numpy(steps)
        h, c = self._padding_states
        return h[:, index].contiguous(), c[:, index].contiguous()

    def _inputs(self, tokens: Tokens) -> Any:
        """The per-token input rows: the flags, then the word rates where the model has them."""
        import numpy as np

        rows = flags(tokens)
        if self.settings.rates < 0:
            return rows
        return np.concatenate([rows, rate_rows(tokens, self._rates, self.settings.rates)], 1)

    def spans(self, tokens: Tokens) -> list[tuple[str, int, int, float]]:
        """``(label, first token, last token, confidence)`` of every span found in ``tokens``."""
        return self.spans_many([tokens])[0]

    def spans_many(self, articles: Sequence[Tokens]) -> list[list[tuple[str, int, int, float]]]:
        """:meth:`spans` of each of ``articles``, computed together (the same spans and confidences as one by
        one, to rounding).

        The network reads each article's chunks as if padded to the article's longest chunk, as in training
        and as one article at a time, but without reading the padding: the two directions of the LSTM run
        apart, the forward one over each chunk left-aligned (what follows a chunk does not change it), the
        backward one over each chunk reversed, from the state that reading the padding after the chunk would
        have left. So the chunks of every article can go through it together, sorted by length into a few
        batches of little padding. The character CNN sees each distinct word once; the CRF's Viterbi and
        forward-backward run in numpy over every chunk at once (a few small array operations per token
        position, where torch's per-call cost would dominate)."""
        import numpy as np

        torch = self._torch
        found: list[list[tuple[str, int, int, float]]] = [[] for _ in articles]
        present = [k for k, tokens in enumerate(articles) if tokens.words]
        if not present:
            return found
        words: list[str] = []
        rows = []
        starts, lengths, widths, article_first = [], [], [], []
        for k in present:
            tokens = articles[k]
            ranges = chunks(tokens.sentence, self.settings.chunk)
            width = max(last - first for first, last in ranges)
            offset = len(words)
            article_first.append(offset)
            for first, last in ranges:
                starts.append(offset + first)
                lengths.append(last - first)
                widths.append(width)
            words += tokens.words
            rows.append(self._inputs(tokens))
        n = len(words)
        first_token = np.array(starts, dtype=np.int64)
        length = np.array(lengths, dtype=np.int64)
        padding = np.array(widths, dtype=np.int64) - length
        distinct: dict[str, int] = {}
        inverse = np.array([distinct.setdefault(w, len(distinct)) for w in words], dtype=np.int64)
        lookup = self.vocabulary._word
        # A token's lower-cased word is its word's (Tokens.lower): looked up once per distinct word.
        word_ids = np.array([lookup.get(w.lower(), UNK) for w in distinct], dtype=np.int64)[inverse]
        cache = self._spelled
        if len(cache) + len(distinct) > 100_000:  # a bound on memory: start again
            cache.clear()
        unseen = [w for w in distinct if w not in cache]
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            with torch.inference_mode():
                network = self.network
                if unseen:
                    char_rows = np.array([self.vocabulary.char_row(w) for w in unseen], dtype=np.int64)
                    vectors = network.spell(torch.from_numpy(char_rows)).numpy()
                    cache.update(zip(unseen, vectors, strict=True))
                spelled = torch.from_numpy(np.stack([cache[w] for w in distinct]))
                # One input row per token, then the padding's, written in place (a copy less than joining them).
                inputs = torch.empty(n + 1, network.lstm.input_size)
                parts = [network.words(torch.from_numpy(word_ids)), spelled[torch.from_numpy(inverse)]]
                torch.cat([*parts, torch.from_numpy(np.concatenate(rows))], 1, out=inputs[:n])
                inputs[n] = self._padding_input()
                hidden = self._hidden(inputs, first_token, length, padding, n)
                emissions = network.scores(hidden).numpy()
        finally:
            torch.set_num_threads(threads)
        # Every chunk in article order, a row each: padding points at a row of zeros.
        emissions = np.concatenate([emissions, np.zeros((1, emissions.shape[1]), emissions.dtype)])
        where, inside = _layout(first_token, length, n)
        paths, confidence = _viterbi_marginals(emissions[where], length, self._crf)
        tags = np.empty(n, dtype=np.int64)
        probability = np.empty(n, dtype=np.float64)
        tags[where[inside]] = paths[inside]
        probability[where[inside]] = confidence[inside]
        for k, offset in zip(present, article_first, strict=True):
            size = len(articles[k].words)
            found[k] = _tag_spans(tags[offset : offset + size], probability[offset : offset + size])
        return found

    def _hidden(self, inputs: Any, first_token: Any, length: Any, padding: Any, n: int) -> Any:
        """The BiLSTM's output ``(n, 2 * hidden)`` at every token, from the input rows ``(n + 1, ...)`` (the
        last one padding) and each chunk's first token, length and padding in its article."""
        import numpy as np

        torch = self._torch
        width = inputs.shape[1]
        if len(set(length + padding)) == 1:
            # Chunks padded to one width (one article's, say): the bidirectional LSTM over them as they are, in
            # one call, is as fast as it gets (two calls per batch cost more than the padding does).
            where, inside = _layout(first_token, length, n)
            out, _ = self.network.lstm(
                inputs.index_select(0, torch.from_numpy(where.ravel())).view(*where.shape, width)
            )
            found = torch.empty(n, out.shape[2])
            real = torch.from_numpy(np.flatnonzero(inside))
            found.index_copy_(0, torch.from_numpy(where[inside]), out.reshape(-1, out.shape[2])[real])
            return found
        forward, backward = self._directions
        hidden = self.settings.hidden
        found = torch.empty(n, 2 * hidden)
        # Each direction writes its half of the output in place.
        ahead, behind = found[:, :hidden], found[:, hidden:]
        for group in _groups(length):
            where, inside = _layout(first_token[group], length[group], n)
            # The same positions read backwards: a chunk's last token first.
            reverse = np.where(
                inside, first_token[group, None] + length[group, None] - 1 - np.arange(where.shape[1]), n
            )
            # Index arithmetic on flat arrays (index_select, index_copy_): cheaper than masks in torch.
            real = torch.from_numpy(np.flatnonzero(inside))
            shape = (*where.shape, width)
            out, _ = forward(inputs.index_select(0, torch.from_numpy(where.ravel())).view(shape))
            ahead.index_copy_(0, torch.from_numpy(where[inside]), out.reshape(-1, out.shape[2])[real])
            out, _ = backward(
                inputs.index_select(0, torch.from_numpy(reverse.ravel())).view(shape),
                self._after_padding(padding[group]),
            )
            behind.index_copy_(0, torch.from_numpy(reverse[inside]), out.reshape(-1, out.shape[2])[real])
        return found


def _one_way_lstms(torch: Any, lstm: Any) -> tuple[Any, Any]:
    """The forward and the backward direction of the bidirectional ``lstm``, each its own one-way LSTM."""
    found = []
    for suffix in ("", "_reverse"):
        one = torch.nn.LSTM(lstm.input_size, lstm.hidden_size, batch_first=True)
        one.load_state_dict(
            {
                name: getattr(lstm, name + suffix).detach()
                for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
            }
        )
        one.train(False)
        found.append(one)
    return found[0], found[1]


def _layout(first_token: Any, length: Any, n: int) -> tuple[Any, Any]:
    """Each chunk's token indices, a row each padded to the longest with ``n``, and where they are real."""
    import numpy as np

    position = np.arange(int(length.max()))
    inside = position[None, :] < length[:, None]
    return np.where(inside, first_token[:, None] + position, n), inside


def _groups(length: Any) -> list[Any]:
    """The chunks' indices sorted by length, longest first, cut into batches that pad little: a batch ends
    where a chunk is shorter than nine tenths of the batch's first (and the batch has at least 8). On PolNeAR
    train in batches of 16 articles this pads 5% where three quarters padded 11%, and the LSTM takes 8% less
    CPU time (more, smaller calls cost less than the padding did)."""
    import numpy as np

    order = np.argsort(-length, kind="stable")
    found, current = [], [int(order[0])]
    for i in order[1:]:
        if len(current) >= 8 and length[i] < 0.9 * length[current[0]]:
            found.append(np.array(current))
            current = []
        current.append(int(i))
    found.append(np.array(current))
    return found


def _tag_spans(tags: Any, probability: Any) -> list[tuple[str, int, int, float]]:
    """``tags.decode`` over tag indices into ``LABELS``, with each span's mean probability (vectorised)."""
    import numpy as np

    roles = [label.partition("-")[2] for label in LABELS]
    names = sorted(set(roles) - {""})
    role = np.array([names.index(r) if r else -1 for r in roles])[tags]
    begins = np.array([label.startswith("B-") for label in LABELS])[tags]
    before = np.concatenate([[-1], role[:-1]])
    # A span starts at a B- tag, or at an I- tag not after its own label; it goes on over I- tags of its label.
    opens = (role >= 0) & (begins | (before != role))
    stops = np.append(np.flatnonzero(opens | (role < 0)), len(tags))
    first = np.flatnonzero(opens)
    last = stops[np.searchsorted(stops, first, side="right")]
    total = np.concatenate([[0.0], np.cumsum(probability)])
    mean = (total[last] - total[first]) / (last - first)
    return [
        # min: rounding may put a marginal a hair above 1, which the schema refuses.
        (names[role[f]], int(f), int(e), min(1.0, float(m)))
        for f, e, m in zip(first, last, mean, strict=True)
    ]


def _viterbi_marginals(emissions: Any, lengths: Any, crf: tuple[Any, Any, Any]) -> tuple[Any, Any]:
    """The best tag path of each sequence ``(batch, length, labels)`` and the marginal probability of each of its
    tags, from the CRF's ``(transitions, start, end)`` (numpy arrays).

    Written for few numpy calls per step, since an article is ~100 steps of tiny arrays: Viterbi runs unmasked
    (each sequence's end is read at its own last position afterwards, and padding's back-pointers are made the
    identity), and so does the forward pass (padding comes after what it computes); forward-backward runs in
    probability space, rescaled only every few steps (a marginal is normalized over the labels at the end, so the
    scale of each step's numbers does not matter)."""
    import numpy as np

    transitions, start, end = crf
    batch, length, labels = emissions.shape
    rows = np.arange(batch)
    last_position = lengths - 1
    live = np.arange(length)[None, :] < lengths[:, None]
    scores = np.empty_like(emissions)
    back = np.empty((batch, length, labels), dtype=np.int64)
    back[:, 0] = np.arange(labels)
    score = start + emissions[:, 0]
    scores[:, 0] = score
    if batch < 64:
        for t in range(1, length):
            options = score[:, :, None] + transitions
            back[:, t] = options.argmax(1)
            score = options.max(1) + emissions[:, t]
            scores[:, t] = score
    else:
        # Many sequences (articles tagged together): the steps in torch, where one call gives the best score
        # and where it came from and is faster on these larger arrays (numpy is, on small ones). The same
        # float64 sums, the first best on a tie, as argmax.
        torch = _torch()
        each = torch.from_numpy(emissions.astype(np.float64))
        moves = torch.from_numpy(transitions)
        current = torch.from_numpy(score)
        came = []
        for t in range(1, length):
            best, arg = (current.unsqueeze(2) + moves).max(1)
            current = best + each[:, t]
            scores[:, t] = current.numpy()
            came.append(arg)
        if came:
            back[:, 1:] = torch.stack(came, 1).numpy()
    back[~live] = np.arange(labels)
    current = (scores[rows, last_position] + end).argmax(1)
    path = np.zeros((batch, length), dtype=np.int64)
    for t in range(length - 1, -1, -1):
        path[:, t] = current
        current = back[rows, t, current]
    weights = np.exp(emissions - emissions.max(2, keepdims=True))
    steps = np.exp(transitions - transitions.max())
    alpha = np.empty_like(weights)
    alpha[:, 0] = np.exp(start - start.max()) * weights[:, 0]
    for t in range(1, length):
        following = (alpha[:, t - 1] @ steps) * weights[:, t]
        if t % 8 == 0:
            following /= following.sum(1, keepdims=True)
        alpha[:, t] = following
    closing = np.exp(end - end.max())
    beta = np.empty_like(weights)
    beta[:, length - 1] = closing
    steps_t = steps.T
    ended = ~live[:, 1:, None]
    for t in range(length - 2, -1, -1):
        previous = (weights[:, t + 1] * beta[:, t + 1]) @ steps_t
        if t % 8 == 0:
            previous /= previous.sum(1, keepdims=True)
        # A sequence's last tag is followed by the end, not by padding.
        beta[:, t] = np.where(ended[:, t], closing, previous)
    marginals = alpha * beta
    marginals /= marginals.sum(2, keepdims=True)
    return path, np.take_along_axis(marginals, path[:, :, None], 2)[:, :, 0]
