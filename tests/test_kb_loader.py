"""`hipcheck kb check`: the real knowledge base is sound, and a broken one says exactly what is wrong."""
from __future__ import annotations

import json
import shutil

import pytest
import yaml

from hipcheck import knowledge
from hipcheck.knowledge.loader import DATA_DIR


@pytest.fixture
def kb_copy(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(DATA_DIR, dest)
    return dest


def _edit(path, fn):
    records = yaml.safe_load(path.read_text())
    fn(records)
    path.write_text(yaml.safe_dump(records, sort_keys=False, allow_unicode=True))


def test_shipped_knowledge_base_meets_the_foundation_counts(run_cli):
    r = run_cli("kb", "check", "--format", "json")
    assert r.code == 0, r.stdout
    doc = json.loads(r.stdout)
    assert doc["errors"] == [] and doc["conditions"] == 28 and doc["red_flags"] >= 15
    assert doc["exercises"] >= 35 and doc["self_tests"] >= 7 and doc["seed_items_unmapped"] == 0
    kb = knowledge.get_knowledge()
    assert all(kb.illustration_path(e).is_file() for e in kb.exercises)


def test_a_broken_reference_names_the_file_the_record_and_the_missing_id(kb_copy):
    def break_gtps(conditions):
        gtps = next(c for c in conditions if c["id"] == "gtps")
        gtps["exercises"] = [*gtps["exercises"], "moonwalk"]
    _edit(kb_copy / "conditions.yaml", break_gtps)
    _, errors = knowledge.load(kb_copy)
    assert errors == ["conditions.yaml: 'gtps' refers to unknown exercise 'moonwalk'"]


def test_a_red_flag_rule_on_an_unknown_intake_field_or_value_is_caught(kb_copy):
    def break_flags(flags):
        flags[0]["trigger"] = {"any": [{"field": "signs.third_leg", "equals": True},
                                       {"field": "pain.locations", "contains_any": ["elbow"]}]}
    _edit(kb_copy / "red_flags.yaml", break_flags)
    _, errors = knowledge.load(kb_copy)
    assert any("unknown intake field 'signs.third_leg'" in e for e in errors)
    assert any("'elbow' is not an allowed value of pain.locations" in e for e in errors)


def test_a_source_without_doi_or_url_and_a_syntax_error_are_reported(kb_copy, run_cli):
    def strip(sources):
        study = next(s for s in sources if s["kind"] != "article")
        study.pop("doi", None)
        study.pop("url", None)
    _edit(kb_copy / "sources.yaml", strip)
    _, errors = knowledge.load(kb_copy)
    assert any(e.startswith("sources.yaml: entry") and "needs a `doi` or a `url`" in e for e in errors)
    (kb_copy / "exercises.yaml").write_text("- id: [unclosed\n")
    _, errors = knowledge.load(kb_copy)
    assert any(e.startswith("exercises.yaml: not valid YAML") for e in errors)


def test_commands_that_need_the_knowledge_base_fail_with_one_line_when_it_is_broken(kb_copy, monkeypatch,
                                                                                     run_cli):
    from hipcheck.knowledge import loader

    (kb_copy / "conditions.yaml").write_text("{}\n")
    monkeypatch.setattr(loader, "DATA_DIR", kb_copy)
    loader._load_strict.cache_clear()
    try:
        r = run_cli("kb", "show", "gtps")
    finally:
        loader._load_strict.cache_clear()
    assert r.code == 2
    assert "conditions.yaml: must be a YAML list" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) <= 3  # one message, wrapped at most by the terminal


def test_kb_show_prints_a_record_and_rejects_an_unknown_id(run_cli):
    r = run_cli("kb", "show", "exercise:clamshell", "--format", "json")
    assert r.code == 0 and json.loads(r.stdout)["kind"] == "exercise"
    r = run_cli("kb", "show", "no_such_thing")
    assert r.code == 2 and "no knowledge-base record 'no_such_thing'" in r.stderr


def test_kb_list_lists_the_ids_of_one_kind(run_cli):
    r = run_cli("kb", "list", "condition", "--format", "json")
    assert r.code == 0
    ids = {row["id"] for row in json.loads(r.stdout)}
    assert {"gtps", "fnsf", "dvt"} <= ids and len(ids) == 28
    r = run_cli("kb", "list", "elbow")
    assert r.code == 2 and "unknown kind 'elbow'" in r.stderr
