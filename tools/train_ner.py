"""Train the Dutch press NER model (models/nl_press_ner) from the shared corpora.

The unlabelled press-bench text teaches the model what it cannot learn from the few labelled
sentences: static floret word vectors (names the NER data never shows), and a tok2vec pretrained
with spaCy's character objective (how Dutch news text is built).

The model must see running text as the pipeline produces it, so CoNLL-2002 and WikiNEuRal
sentences are detokenised into natural text, grouped into paragraphs and re-tokenised by the
model's own Dutch tokenizer (spaCy's rules plus splitting names out of hyphenated compounds); gold
entities are carried over by character offsets.

    OMP_NUM_THREADS=1 python tools/train_ner.py --shared ../shared --out models/nl_press_ner   # all
    python tools/train_ner.py convert --shared ../shared          # only build/ner/{train,dev}.spacy
    python tools/train_ner.py vectors --shared ../shared          # only build/ner/vectors (floret)
    python tools/train_ner.py pretrain --shared ../shared         # build/ner/pretrain/ (resumable; not in
                                                                  # `all`: train starts from 0.3.0's tok2vec)
    python tools/train_ner.py train --out DIR [--training.max_steps=2000 ...]   # train, ship best
    python tools/train_ner.py ship --from build/ner/output/model-best --out models/nl_press_ner

Scratch files (converted corpora, texts, vectors, pretrained weights, checkpoints) go to
build/ner/. Everything runs on one thread with fixed seeds (fastText's own for the vectors,
tools/ner.cfg's for pretraining and training), so a run reproduces the shipped model. The
`vectors` step needs `floret==0.10.5` (build time only: spaCy reads floret vectors itself).
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import spacy
from spacy.lang.char_classes import ALPHA, ALPHA_LOWER, ALPHA_UPPER
from spacy.language import Language
from spacy.tokens import DocBin
from spacy.util import compile_infix_regex, filter_spans

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / "build" / "ner"
CONFIG = REPO / "tools" / "ner.cfg"
CONLL_COPIES = 2  # ned.train is repeated in the training set (see `convert`)
CONLL_DIR = Path("data/ner/conll2002-nl")
PRESS_DIR = Path("data/press-annotated")
PRESS_V2_DIR = Path("data/press-annotated-v2")
PRESS_V2_TRAIN_ARTICLES = 3937  # lines 1-3,937 train; the last 100 are the v2 dev set, never trained on
PRESS_V2_VALIDATION_ARTICLES = 150  # the last 150 train articles pick the checkpoint, so no dev split is tuned on
NEAR_COPY_NGRAM = 5
NEAR_COPY_CONTAINMENT = 0.3  # the v2 README's rule: a text sharing >= 30% of its 5-grams with a dev article
PRESS_BENCH = Path("data/press-bench/articles.jsonl.gz")
WIKINEURAL = Path("data/ner/wikineural-nl/val.conllu")
WIKINEURAL_SENTENCES_PER_ARTICLE = 20  # its sentences stand alone; group them like CoNLL articles
VECTOR_TOKEN = re.compile(r"\w+|[^\w\s]")
FLORET_SETTINGS = {  # skipgram; 4-5 character subwords, hashed twice into 50,000 rows x 100 dims
    "model": "skipgram",
    "mode": "floret",
    "dim": 100,
    "minn": 4,
    "maxn": 5,
    "hashCount": 2,
    "bucket": 50000,
    "epoch": 5,
    "minCount": 3,
    "thread": 1,
}
PRESS_TRAIN_ARTICLES = 60  # the first 60 train; the last 40 are the press dev set, never trained on
SENTENCES_PER_PARAGRAPH = (2, 6)
SEED = 20261123
KEPT_FILES = ("MODEL_CARD.md",)
# The tok2vec of model 0.3.0 (pretrained 2 epochs on press-bench, then trained on CoNLL, WikiNEuRal
# and press 1-60) starts the training: read from git history, so the run needs no other download.
WARM_START_REVISION = "196460a"
WARM_START_FILE = "models/nl_press_ner/tok2vec/model"
MODEL_META = {
    "name": "nl_press_ner",
    "version": "0.5.0",
    "description": "Dutch press NER (PER, ORG, LOC, MISC), CPU CNN with floret vectors and a tok2vec "
    "pretrained on press-bench; trained on 3,847 press articles annotated by the team "
    "(press-annotated 1-60, press-annotated-v2 train), CoNLL-2002 ned.train and WikiNEuRal (nl, "
    "silver). See MODEL_CARD.md.",
    "license": "research use only (CoNLL-2002 terms; WikiNEuRal CC BY-NC-SA 4.0: no commercial use); "
    "internal use only (press texts)",
}

NO_SPACE_BEFORE = {",", ".", ":", ";", "?", "!", ")", "]", "}", "...", "..", "%"}
NO_SPACE_AFTER = {"(", "[", "{"}
QUOTES = {'"', "'"}
CLOSING_CONTEXT = {".", ",", "?", "!", "...", ":", ";"}
NAME_COMPOUND_INFIXES = (
    rf"(?<=[{ALPHA}0-9])[-–](?=[{ALPHA}])",  # KLM-vluchten, N-VA, Noord-Holland, A12-weg (not 2-1)
    rf"(?<=[{ALPHA_UPPER}])['’](?=[{ALPHA_LOWER}]{{2,}})",  # SP'ers
)


@dataclass(frozen=True)
class Sentence:
    """One CoNLL sentence: tokens and their IOB2 tags."""

    tokens: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Article:
    """A CoNLL article (a -DOCSTART- block)."""

    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class AnnotatedText:
    """Running text with gold entities as (start, end, label) character offsets."""

    text: str
    spans: tuple[tuple[int, int, str], ...]


def read_conll(path: Path, token_column: int = 0) -> list[Article]:
    """Parse a CoNLL-style file (`token POS tag`, IOB2) into articles of sentences.

    WikiNEuRal's `index token tag` lines need token_column=1; a file without -DOCSTART- lines is
    one article.
    """
    articles: list[list[Sentence]] = []
    tokens: list[str] = []
    tags: list[str] = []

    def close_sentence() -> None:
        if tokens:
            if not articles:
                articles.append([])
            articles[-1].append(Sentence(tuple(tokens), tuple(tags)))
            tokens.clear()
            tags.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            close_sentence()
        elif parts[0] == "-DOCSTART-":
            close_sentence()
            articles.append([])
        else:
            tokens.append(parts[token_column])
            tags.append(parts[-1])
    close_sentence()
    return [Article(tuple(sentences)) for sentences in articles if sentences]


def iob_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """IOB2 (tolerating IOB1) tags -> (first token, last token + 1, label)."""
    spans: list[tuple[int, int, str]] = []
    start, label = None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, tag_label = tag.partition("-")
        continues = prefix == "I" and tag_label == label
        if start is not None and not continues:
            spans.append((start, i, label))
            start, label = None, None
        if prefix in ("B", "I") and start is None:
            start, label = i, tag_label
    return spans


def quote_roles(tokens: Sequence[str]) -> list[bool]:
    """For each token: True if it is a quote that opens (so no space after it).

    Sentences are shuffled, so quotes need not pair up within one: a quote right after
    closing punctuation, or while a quote is open, closes; any other quote opens.
    """
    roles = []
    open_quote = False
    for i, token in enumerate(tokens):
        if token not in QUOTES:
            roles.append(False)
            continue
        previous = tokens[i - 1] if i else ""
        closes = open_quote or previous in CLOSING_CONTEXT or i == len(tokens) - 1
        roles.append(not closes)
        open_quote = not closes
    return roles


def detokenise(tokens: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join tokens into natural text; return the text and each token's character offsets."""
    opens = quote_roles(tokens)
    text = ""
    offsets = []
    glue_next = False
    for i, token in enumerate(tokens):
        closing_quote = token in QUOTES and not opens[i]
        if text and not glue_next and token not in NO_SPACE_BEFORE and not closing_quote:
            text += " "
        offsets.append((len(text), len(text) + len(token)))
        text += token
        glue_next = token in NO_SPACE_AFTER or opens[i]
    return text, offsets


def paragraphs_from_articles(articles: Iterable[Article], rng: random.Random) -> Iterator[AnnotatedText]:
    """Group each article's sentences into paragraphs of a few sentences of running text."""
    for article in articles:
        sentences = list(article.sentences)
        while sentences:
            size = rng.randint(*SENTENCES_PER_PARAGRAPH)
            group, sentences = sentences[:size], sentences[size:]
            yield join_sentences(group)


def join_sentences(sentences: Sequence[Sentence]) -> AnnotatedText:
    """Detokenise sentences and join them with single spaces, carrying entity offsets."""
    text = ""
    spans: list[tuple[int, int, str]] = []
    for sentence in sentences:
        sentence_text, offsets = detokenise(sentence.tokens)
        base = len(text) + (1 if text else 0)
        text = f"{text} {sentence_text}" if text else sentence_text
        for first, last, label in iob_spans(sentence.tags):
            spans.append((base + offsets[first][0], base + offsets[last - 1][1], label))
    return AnnotatedText(text, tuple(spans))


def conll_texts(path: Path, seed: int = SEED) -> list[AnnotatedText]:
    """A CoNLL file as paragraphs of running text (deterministic for a given seed)."""
    return list(paragraphs_from_articles(read_conll(path), random.Random(seed)))


def wikineural_texts(shared: Path, seed: int = SEED) -> list[AnnotatedText]:
    """WikiNEuRal (silver, Wikipedia) as running text; its PER/ORG/LOC/MISC follow CoNLL's scheme."""
    whole_file = read_conll(shared / WIKINEURAL, token_column=1)  # no -DOCSTART-: one article
    sentences = [sentence for article in whole_file for sentence in article.sentences]
    size = WIKINEURAL_SENTENCES_PER_ARTICLE
    articles = [Article(tuple(sentences[i:i + size])) for i in range(0, len(sentences), size)]
    return list(paragraphs_from_articles(articles, random.Random(seed)))


def read_press(shared: Path, select: slice, folder: Path = PRESS_DIR) -> list[AnnotatedText]:
    """Annotated press articles (body text + gold char offsets) for the given slice of lines."""
    texts = []
    for article, gold in list(press_records(shared / folder))[select]:
        if gold.get("lang", "nl") != "nl":
            continue
        spans = tuple((e["start"], e["end"], e["label"]) for e in gold["entities"])
        texts.append(AnnotatedText(article["text"], spans))
    return texts


def press_records(folder: Path) -> Iterator[tuple[dict, dict]]:
    """(article, gold) pairs of an annotated press folder, checked to be in step."""
    with (folder / "articles.jsonl").open(encoding="utf-8") as articles, (folder / "gold.jsonl").open(encoding="utf-8") as golds:
        for article_line, gold_line in zip(articles, golds, strict=True):
            article, gold = json.loads(article_line), json.loads(gold_line)
            if article["id"] != gold["id"]:
                raise ValueError(f"{folder}: articles and gold out of step at {article['id']}")
            yield article, gold


def press_train(shared: Path) -> list[AnnotatedText]:
    """The first 60 press-annotated articles (training part)."""
    return read_press(shared, slice(0, PRESS_TRAIN_ARTICLES))


def press_dev(shared: Path) -> list[AnnotatedText]:
    """The last 40 press-annotated articles (development part; never trained on)."""
    return read_press(shared, slice(PRESS_TRAIN_ARTICLES, None))


def press_v2_train(shared: Path) -> list[AnnotatedText]:
    """press-annotated-v2 train lines, minus the validation slice that picks the checkpoint."""
    return read_press(shared, slice(0, PRESS_V2_TRAIN_ARTICLES - PRESS_V2_VALIDATION_ARTICLES), PRESS_V2_DIR)


def press_v2_validation(shared: Path) -> list[AnnotatedText]:
    """The last train articles of press-annotated-v2: checkpoint selection, not trained on."""
    return read_press(shared, slice(PRESS_V2_TRAIN_ARTICLES - PRESS_V2_VALIDATION_ARTICLES, PRESS_V2_TRAIN_ARTICLES), PRESS_V2_DIR)


def press_v2_dev(shared: Path) -> list[AnnotatedText]:
    """The last 100 press-annotated-v2 articles (development part; never trained on)."""
    return read_press(shared, slice(PRESS_V2_TRAIN_ARTICLES, None), PRESS_V2_DIR)


def word_ngrams(text: str, n: int = NEAR_COPY_NGRAM) -> set[tuple[str, ...]]:
    """Lower-cased word n-grams of a text: what near-copy detection compares."""
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


class NearCopyFilter:
    """Tells whether a text nearly copies one of the protected (development) texts.

    press-bench holds some stories under several ids, so ids alone cannot keep dev text out of
    training: a text is a near copy when it contains >= 30% of a protected text's 5-grams.
    """

    def __init__(self, protected: Iterable[str]) -> None:
        self.sizes: list[int] = []
        self.owners: dict[tuple[str, ...], list[int]] = {}
        for index, text in enumerate(protected):
            grams = word_ngrams(text)
            self.sizes.append(len(grams))
            for gram in grams:
                self.owners.setdefault(gram, []).append(index)

    def copies(self, text: str) -> bool:
        hits: Counter = Counter()
        for gram in word_ngrams(text):
            hits.update(self.owners.get(gram, ()))
        return any(count >= NEAR_COPY_CONTAINMENT * self.sizes[index] for index, count in hits.items())


def dev_texts(shared: Path) -> list[str]:
    """Bodies of both press dev splits: never trained on, not even as unlabelled text."""
    return [item.text for item in press_dev(shared) + press_v2_dev(shared)]


def without_near_copies(texts: Sequence[AnnotatedText], near_copy: NearCopyFilter, stats: Counter) -> list[AnnotatedText]:
    """Drop training texts that nearly copy a dev article (counted in stats)."""
    kept = [item for item in texts if not near_copy.copies(item.text)]
    stats["dropped_near_copy_of_dev"] += len(texts) - len(kept)
    return kept


@spacy.registry.callbacks("nl_press.split_name_compounds.v1")
def split_name_compounds_callback() -> Callable[[Language], Language]:
    """Config hook ([initialize.before_init]) that applies `split_name_compounds` before training."""

    def apply(nlp: Language) -> Language:
        split_name_compounds(nlp)
        return nlp

    return apply


def split_name_compounds(nlp: Language) -> None:
    """Let the tokenizer split names out of compounds: "KLM-vluchten" -> KLM - vluchten, "SP'ers".

    The press annotation marks the name inside such compounds; spaCy's Dutch tokenizer keeps them
    whole, which left 29 of 447 press-dev entities without token boundaries. The patterns are
    saved with the tokenizer, so the shipped model needs no code for them.
    """
    infixes = [*nlp.Defaults.infixes, *NAME_COMPOUND_INFIXES]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


def dutch_tokenizer_pipeline() -> Language:
    """The blank Dutch pipeline whose tokenizer the model is trained with."""
    nlp = spacy.blank("nl")
    split_name_compounds(nlp)
    return nlp


def to_docbin(texts: Iterable[AnnotatedText], stats: Counter) -> DocBin:
    """Tokenise with the model's Dutch tokenizer and set entities by character offsets."""
    nlp = dutch_tokenizer_pipeline()
    docbin = DocBin(store_user_data=False)
    for item in texts:
        doc = nlp.make_doc(item.text)
        ents = []
        for start, end, label in item.spans:
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            stats["spans"] += 1
            if span is None:
                stats["dropped_unalignable"] += 1
                continue
            if (span.start_char, span.end_char) != (start, end):
                added = doc.text[span.start_char:start] + doc.text[end:span.end_char]
                if any(char.isalnum() for char in added):  # part of a word ("EU" in "EU-ban"): no token for it
                    stats["dropped_part_of_word"] += 1
                    continue
                stats["expanded_over_punctuation"] += 1
            ents.append(span)
        kept = filter_spans(ents)
        stats["dropped_overlap"] += len(ents) - len(kept)
        doc.ents = kept
        stats["docs"] += 1
        docbin.add(doc)
    return docbin


def convert(shared: Path, out_dir: Path = BUILD, with_press: bool = True,
            conll_copies: int = CONLL_COPIES) -> dict[str, dict[str, int]]:
    """Write train.spacy and dev.spacy (the checkpoint-selection set).

    train: CoNLL ned.train (`conll_copies` times) + WikiNEuRal [+ press-annotated 1-60 +
    press-annotated-v2 train lines except its last 150]; dev: CoNLL ned.testa [+ those 150 v2
    train articles]. Neither press dev split is used, and press texts that nearly copy a dev
    article are dropped. CoNLL is repeated because the press articles, four times its size, would
    otherwise pull the model away from the edited-newspaper conventions CoNLL is scored on.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    train_texts = conll_texts(shared / CONLL_DIR / "ned.train") * conll_copies + wikineural_texts(shared)
    selection_texts = conll_texts(shared / CONLL_DIR / "ned.testa")
    filtered: Counter = Counter()
    if with_press:
        near_copy = NearCopyFilter(dev_texts(shared))
        train_texts += without_near_copies(press_train(shared) + press_v2_train(shared), near_copy, filtered)
        selection_texts += without_near_copies(press_v2_validation(shared), near_copy, filtered)
    report = {}
    for name, texts in {"train": train_texts, "dev": selection_texts}.items():
        stats: Counter = Counter(filtered if name == "train" else {})
        to_docbin(texts, stats).to_disk(out_dir / f"{name}.spacy")
        report[name] = dict(stats)
        print(f"{name}: {dict(stats)}", flush=True)
    return report


def write_vector_text(shared: Path, path: Path) -> None:
    """press-bench body text as floret input: one paragraph a line, words and punctuation apart."""
    with gzip.open(shared / PRESS_BENCH, "rt", encoding="utf-8") as lines, path.open("w", encoding="utf-8") as out:
        for line in lines:
            for paragraph in json.loads(line)["text"].split("\n"):
                tokens = VECTOR_TOKEN.findall(paragraph)
                if tokens:
                    out.write(" ".join(tokens) + "\n")


def annotated_ids(shared: Path) -> set[str]:
    """Ids of the press-annotated articles and of the v2 dev split (they are drawn from press-bench)."""
    ids = {article["id"] for article, _ in press_records(shared / PRESS_DIR)}
    return ids | {article["id"] for article, _ in list(press_records(shared / PRESS_V2_DIR))[PRESS_V2_TRAIN_ARTICLES:]}


def write_pretrain_text(shared: Path, path: Path) -> None:
    """press-bench paragraphs as spaCy pretraining JSONL ({"text": ...}), without any dev text.

    Left out: the press-annotated articles and the v2 dev articles by id, and every article that
    nearly copies a dev article (press-bench repeats stories under other ids).
    """
    skipped = annotated_ids(shared)
    near_copy = NearCopyFilter(dev_texts(shared))
    partial = path.with_name(path.name + ".partial")  # renamed when complete: a cut-off file is never used
    with gzip.open(shared / PRESS_BENCH, "rt", encoding="utf-8") as lines, partial.open("w", encoding="utf-8") as out:
        for line in lines:
            article = json.loads(line)
            if article["id"] in skipped or near_copy.copies(article["text"]):
                continue
            for paragraph in article["text"].split("\n"):
                if paragraph.strip():
                    out.write(json.dumps({"text": paragraph.strip()}, ensure_ascii=False) + "\n")
    partial.replace(path)


def train_vectors(shared: Path, out_dir: Path = BUILD) -> Path:
    """Train floret vectors on press-bench and save them as a spaCy vectors folder (out_dir/vectors).

    One training thread: fastText then draws from its fixed seed alone, so the run is deterministic.
    """
    import floret
    from spacy.training.initialize import convert_vectors

    out_dir.mkdir(parents=True, exist_ok=True)
    text_path, floret_path, vectors_dir = out_dir / "press_bench.txt", out_dir / "vectors.floret", out_dir / "vectors"
    write_vector_text(shared, text_path)
    floret.train_unsupervised(str(text_path), **FLORET_SETTINGS).save_floret_vectors(str(floret_path))
    nlp = spacy.blank("nl")
    convert_vectors(nlp, floret_path, truncate=0, prune=-1, mode="floret")
    nlp.to_disk(vectors_dir)
    print(f"vectors: {floret_path} -> {vectors_dir}", flush=True)
    return vectors_dir


def pretrain(shared: Path, config: Path = CONFIG, out_dir: Path = BUILD) -> Path:
    """Pretrain the tok2vec on press-bench (spaCy's character objective); return the final weights.

    Teaches the CNN what Dutch news text looks like before it sees the few labelled sentences.
    Weights go to out_dir/pretrain/model{epoch}.bin after each epoch; an interrupted run resumes
    after the last finished epoch.
    """
    from spacy.training.pretrain import pretrain as spacy_pretrain
    from spacy.util import load_config

    text_path, final = out_dir / "pretrain.jsonl", pretrain_weights_path(config, out_dir)
    weights_dir = final.parent
    if final.is_file():
        print(f"pretrain: {final} exists", flush=True)
        return final
    if not text_path.is_file():
        write_pretrain_text(shared, text_path)
    settings = {"paths.raw_text": str(text_path), "paths.vectors": str(out_dir / "vectors")}
    loaded = load_config(config, overrides=settings, interpolate=False)
    done = sorted(int(path.stem[5:]) for path in weights_dir.glob("model*.bin") if path.stem[5:].isdigit())
    resume = {"resume_path": weights_dir / f"model{done[-1]}.bin", "epoch_resume": done[-1] + 1} if done else {}
    weights_dir.mkdir(parents=True, exist_ok=True)
    spacy_pretrain(loaded.interpolate(), weights_dir, use_gpu=-1, silent=False, **resume)
    return final


def train(
    out: Path, config: Path = CONFIG, data_dir: Path = BUILD, output: Path | None = None, overrides: Sequence[str] = ()
) -> None:
    """Train in this process (so the tokenizer hook is registered) into `output`; ship model-best.

    Reads data_dir/{train,dev}.spacy and the vectors in data_dir/vectors (see `train_vectors`).
    `output` defaults to data_dir/output; `overrides` are spaCy config overrides such as
    ["--training.max_steps=2000"] (on the command line give them as --section.key=value).
    """
    from spacy.cli._util import parse_config_overrides
    from spacy.cli.train import train as spacy_train

    from pipeline.ner import use_numpy_matrix_products

    use_numpy_matrix_products()  # the blis 'generic' fallback made training 1.7x slower too
    output = output or data_dir / "output"
    settings = {
        "paths.train": str(data_dir / "train.spacy"),
        "paths.dev": str(data_dir / "dev.spacy"),
        "paths.vectors": str(data_dir / "vectors"),
        **parse_config_overrides(list(overrides)),
    }
    if "paths.init_tok2vec" not in settings:
        settings["paths.init_tok2vec"] = str(warm_start_weights(data_dir))
    print(f"spacy train {config} -> {output} with {settings}", flush=True)
    spacy_train(config, output, use_gpu=-1, overrides=settings)
    ship(output / "model-best", out)


def warm_start_weights(data_dir: Path = BUILD) -> Path:
    """Write the tok2vec weights of model 0.3.0 (from git) where `paths.init_tok2vec` reads them.

    That tok2vec was pretrained on press-bench (the `pretrain` step) and then trained on NER data;
    starting from it saves the 32-minute-an-epoch pretraining on every retrain.
    """
    target = data_dir / "init" / "tok2vec-0.3.0.bin"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        weights = subprocess.run(["git", "show", f"{WARM_START_REVISION}:{WARM_START_FILE}"], cwd=REPO,
                                 check=True, capture_output=True).stdout
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(weights)
        partial.replace(target)
    return target


def pretrain_weights_path(config: Path, data_dir: Path) -> Path:
    """Where the `pretrain` step leaves its final weights: data_dir/pretrain/model{last epoch}.bin."""
    from spacy.util import load_config

    epochs = load_config(config, interpolate=False)["pretraining"]["max_epochs"]
    return data_dir / "pretrain" / f"model{epochs - 1}.bin"


def ship(model: Path, out: Path) -> None:
    """Replace the model files in `out` with `model`, keeping the hand-written model card."""
    out.mkdir(parents=True, exist_ok=True)
    for child in out.iterdir():
        if child.name in KEPT_FILES:
            continue
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    for child in model.iterdir():
        target = out / child.name
        shutil.copytree(child, target) if child.is_dir() else shutil.copy2(child, target)
    meta_path = out / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(MODEL_META)
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"shipped {model} -> {out}", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", nargs="?", choices=["all", "convert", "vectors", "pretrain", "train", "ship"], default="all")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared data folder")
    parser.add_argument("--out", type=Path, default=REPO / "models" / "nl_press_ner")
    parser.add_argument("--config", type=Path, default=CONFIG)
    parser.add_argument("--build", type=Path, default=BUILD, help="scratch folder for corpora, vectors, checkpoints")
    parser.add_argument("--output", type=Path, help="train: checkpoint folder (default: BUILD/output)")
    parser.add_argument("--no-press", action="store_true", help="leave out the press-annotated articles")
    parser.add_argument("--conll-copies", type=int, default=CONLL_COPIES, help="convert: times ned.train is repeated")
    parser.add_argument("--from", dest="model", type=Path, help="ship: the trained model folder to copy")
    args, overrides = parser.parse_known_args(argv)
    if args.step in ("all", "convert"):
        convert(args.shared, args.build, with_press=not args.no_press, conll_copies=args.conll_copies)
    if args.step in ("all", "vectors"):
        train_vectors(args.shared, args.build)
    if args.step == "pretrain":  # how the tok2vec of 0.3.0, which `train` starts from, was made
        pretrain(args.shared, args.config, args.build)
    if args.step in ("all", "train"):
        train(args.out, args.config, args.build, args.output, overrides)
    if args.step == "ship":
        ship(args.model or args.build / "output" / "model-best", args.out)


if __name__ == "__main__":
    main()
