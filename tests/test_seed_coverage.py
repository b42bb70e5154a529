"""Seed coverage: every item the five articles name is represented in the knowledge base."""
from __future__ import annotations

import re
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from hipcheck.knowledge import load
from hipcheck.knowledge.checks import summary
from hipcheck.knowledge.loader import ARTICLE_FILES, DATA_DIR
from hipcheck.knowledge.models import SeedItem

SEED_FILE = DATA_DIR / "seed_coverage.yaml"

# Kinds each article contains (from reading the articles; see seed_coverage.yaml's header).
# Only 001 describes a self-test (FADIR); 000 and 001 are the only ones that give healing times.
EXPECTED_KINDS = {
    "000_b93ff5f1a13fae20.txt": {"cause", "symptom", "risk_factor", "red_flag", "prevention",
                                 "treatment", "exercise", "recovery_time"},
    "001_4e4280fa22d1f9c4.txt": {"cause", "symptom", "risk_factor", "red_flag", "prevention",
                                 "treatment", "self_test", "exercise", "recovery_time"},
    "002_3567d06afa99a7f2.txt": {"cause", "symptom", "risk_factor", "red_flag", "prevention",
                                 "treatment", "exercise"},
    "003_643b3d9ba7cb5d44.txt": {"cause", "symptom", "risk_factor", "red_flag", "prevention",
                                 "treatment"},
    "004_17802ad461e58312.txt": {"cause", "symptom", "risk_factor", "prevention", "treatment",
                                 "exercise"},
}


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def _seed_items() -> list[SeedItem]:
    raw = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    return [SeedItem.model_validate(entry) for entry in raw]


# (a) the real knowledge base -------------------------------------------------------------------

def test_every_seed_item_resolves_in_the_real_knowledge_base():
    kb, errors = load()
    seed_errors = [e for e in errors if e.startswith("seed_coverage.yaml")]
    assert seed_errors == []
    assert summary(kb, errors)["seed_items_unmapped"] == 0
    assert len(kb.seed_items) >= 150


def test_every_item_maps_to_content_not_only_to_its_source():
    for i, item in enumerate(_seed_items()):
        kinds = {ref.partition(":")[0] for ref in item.maps_to}
        assert kinds - {"source"}, f"entry {i} ({item.quote!r}) maps only to sources"
        assert "source" in kinds, f"entry {i} ({item.quote!r}) names no article source"


def test_every_article_source_named_is_one_of_that_articles_sections():
    kb, _ = load()
    for i, item in enumerate(_seed_items()):
        for ref in item.maps_to:
            kind, _, rid = ref.partition(":")
            if kind == "source" and rid in kb.sources:
                assert kb.sources[rid].file == item.article, f"entry {i}: {rid} is another article"


# (b) quotes and headings come from the articles ------------------------------------------------

def test_every_quote_occurs_in_its_article(shared_dir: Path):
    texts = {name: _norm((shared_dir / "domain" / "articles" / name).read_text(encoding="utf-8"))
             for name in ARTICLE_FILES}
    missing = [f"entry {i} ({item.article}): {item.quote!r}"
               for i, item in enumerate(_seed_items()) if _norm(item.quote) not in texts[item.article]]
    assert missing == []


def test_every_named_heading_is_a_line_of_its_article(shared_dir: Path):
    lines = {name: {_norm(line) for line in
                    (shared_dir / "domain" / "articles" / name).read_text(encoding="utf-8").splitlines()}
             for name in ARTICLE_FILES}
    for i, item in enumerate(_seed_items()):
        for part in item.section.split(" > "):
            heading = re.sub(r"\s*\[[^\]]*\]$", "", part)  # [bracketed]: heading lost in our copy
            if heading:
                assert _norm(heading) in lines[item.article], f"entry {i}: heading {heading!r}"


def test_quotes_are_short():
    long = [item.quote for item in _seed_items() if len(item.quote) > 125]
    assert long == []


# (c) every article and every kind it contains is covered ----------------------------------------

def test_each_article_has_items_of_every_kind_it_contains():
    kinds = defaultdict(set)
    for item in _seed_items():
        kinds[item.article].add(item.kind)
    assert set(kinds) == set(ARTICLE_FILES)
    for article, expected in EXPECTED_KINDS.items():
        assert expected <= kinds[article], f"{article} lacks {sorted(expected - kinds[article])}"


def test_no_item_is_listed_twice():
    keys = Counter((i.article, i.kind, _norm(i.quote), tuple(sorted(i.maps_to))) for i in _seed_items())
    assert [k for k, n in keys.items() if n > 1] == []


# (d) a broken copy is reported precisely -------------------------------------------------------

@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def _rewrite_seed(data_dir: Path, change) -> list[dict]:
    path = data_dir / "seed_coverage.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return raw


def test_unknown_id_is_reported_naming_entry_and_id(data_copy: Path):
    _, base_errors = load(data_copy)

    def break_one(raw):
        raw[3]["maps_to"] = ["condition:no_such_condition", *raw[3]["maps_to"][1:]]

    raw = _rewrite_seed(data_copy, break_one)
    kb, errors = load(data_copy)
    new = [e for e in errors if e not in base_errors]
    assert len(new) == 1
    assert new[0].startswith("seed_coverage.yaml: entry 3 ")
    assert raw[3]["quote"][:40] in new[0]
    assert "'condition:no_such_condition' does not exist" in new[0]
    assert summary(kb, errors)["seed_items_unmapped"] >= 1


def test_empty_maps_to_is_reported_as_mapping_to_nothing(data_copy: Path):
    _, base_errors = load(data_copy)
    raw = _rewrite_seed(data_copy, lambda raw: raw.append(
        {**raw[0], "quote": "muscle strain and tendonitis", "maps_to": []}))
    kb, errors = load(data_copy)
    new = [e for e in errors if e not in base_errors]
    last = len(raw) - 1
    assert new == [f"seed_coverage.yaml: entry {last} ({raw[0]['kind']} 'muscle strain and tendonitis'): "
                   "maps to nothing; add the ids that represent it"]
    unmapped_before = summary(*load(DATA_DIR))["seed_items_unmapped"]
    assert summary(kb, errors)["seed_items_unmapped"] == unmapped_before + 1


def test_reference_of_unknown_kind_is_reported(data_copy: Path):
    _, base_errors = load(data_copy)
    _rewrite_seed(data_copy, lambda raw: raw[0]["maps_to"].append("diagnosis:gtps"))
    _, errors = load(data_copy)
    new = [e for e in errors if e not in base_errors]
    assert len(new) == 1 and "entry 0 " in new[0] and "'diagnosis:gtps' must be kind:id" in new[0]
