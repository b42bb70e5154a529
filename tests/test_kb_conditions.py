"""Conditions and sources of the knowledge base: complete, safe and traceable to a real source."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from hipcheck.knowledge import load
from hipcheck.knowledge.loader import ARTICLE_FILES, CONTRACT_CONDITIONS, DATA_DIR
from hipcheck.knowledge.models import Condition, Source

# Conditions a runner must never be coached through alone (reference/clinical.md section 3):
# bone stress injuries, emergencies and conditions only imaging can separate from cancer.
MUST_NOT_MISS = {
    "fnsf", "femoral_shaft_sf", "pubic_ramus_sf", "sacral_sf", "cauda_equina", "scfe",
    "apophyseal_avulsion", "avn", "septic_arthritis", "bone_tumour_benign", "bone_tumour_malignant",
    "dvt",
}
BONE_STRESS = {"fnsf", "femoral_shaft_sf", "pubic_ramus_sf", "sacral_sf"}

# Article sections with no heading in our copy of the article; their `section` field describes them.
UNHEADED_SECTIONS = {"art000_faq", "art001_anatomy", "art001_strain_tendinopathy", "art003_osteoarthritis"}


def _records(fname: str, model):
    raw = yaml.safe_load((DATA_DIR / fname).read_text(encoding="utf-8"))
    return {r["id"]: model.model_validate(r) for r in raw}


@pytest.fixture(scope="module")
def conditions() -> dict[str, Condition]:
    return _records("conditions.yaml", Condition)


@pytest.fixture(scope="module")
def sources() -> dict[str, Source]:
    return _records("sources.yaml", Source)


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def test_files_load_without_errors_of_their_own():
    _, errors = load()
    missing = {f for f in ("risk_factors.yaml", "exercises.yaml")
               if not (DATA_DIR / f).exists()}
    own = []
    for e in errors:
        if not (e.startswith("conditions.yaml") or e.startswith("sources.yaml")):
            continue
        # References to files another helper has not written yet cannot resolve until then.
        if "risk_factors.yaml" in missing and "unknown risk factor" in e:
            continue
        if "exercises.yaml" in missing and "unknown exercise" in e:
            continue
        own.append(e)
    assert own == []


def test_all_contract_conditions_present_and_filled(conditions):
    assert set(CONTRACT_CONDITIONS) <= set(conditions)
    for cid in CONTRACT_CONDITIONS:
        c = conditions[cid]
        for field in ("lay_name", "clinical_name", "summary", "onset_and_timing", "typical_population"):
            assert getattr(c, field).strip(), f"{cid}.{field} is empty"
        for field in ("locations", "features", "self_care", "treatment", "prevention", "avoid", "sources"):
            assert getattr(c, field), f"{cid}.{field} is empty"
        sentences = [s for s in re.split(r"[.!?](?:\s|$)", c.summary.strip()) if s.strip()]
        assert 2 <= len(sentences) <= 4, f"{cid}: summary should be 2-4 sentences, has {len(sentences)}"


def test_must_not_miss_flags_match_clinical_red_flags(conditions):
    flagged = {cid for cid, c in conditions.items() if c.must_not_miss}
    assert flagged == MUST_NOT_MISS


def test_must_not_miss_conditions_prescribe_no_exercise_and_send_to_a_clinician(conditions):
    for cid in MUST_NOT_MISS:
        c = conditions[cid]
        assert c.exercises == [], f"{cid} must not self-prescribe exercises"
        advice = _norm(" ".join(c.self_care))
        assert re.search(r"doctor|emergency|medical|clinician", advice), \
            f"{cid}: self-care must tell the runner to get seen"


def test_bone_stress_conditions_forbid_running_and_hopping(conditions):
    for cid in BONE_STRESS:
        c = conditions[cid]
        text = _norm(" ".join(c.self_care + c.avoid))
        assert "running" in text and re.search(r"hop", text), cid
        assert {"low_energy_availability", "previous_stress_fracture"} <= set(c.risk_factors), cid


def test_self_managed_conditions_have_a_rehab_protocol(conditions):
    # Meralgia paraesthetica is a pressure problem on a skin nerve: loosening clothing, not exercise.
    for cid, c in conditions.items():
        if not c.must_not_miss and cid != "meralgia_paresthetica":
            assert len(c.exercises) >= 3, f"{cid} needs an exercise progression"
            assert len(set(c.exercises)) == len(c.exercises), f"{cid} repeats an exercise"


def test_gtps_and_pht_avoid_tendon_compression(conditions):
    gtps = _norm(" ".join(conditions["gtps"].avoid))
    assert "crossing the legs" in gtps and "lying on the painful side" in gtps and "hanging on one hip" in gtps
    pht = _norm(" ".join(conditions["pht"].avoid))
    assert "deep hip bending" in pht and "sitting on hard surfaces" in pht


def test_no_drug_doses_anywhere(conditions):
    dose = re.compile(r"\d+(\.\d+)?\s*(mg|mcg|µg|g|ml|milligrams?|tablets?|units?)\b", re.I)
    for cid, c in conditions.items():
        text = " ".join(c.self_care + c.treatment + c.prevention + [c.summary])
        assert not dose.search(text), f"{cid} mentions a dose"


def test_recovery_ranges_are_ordered_and_sourced(conditions, sources):
    with_recovery = [c for c in conditions.values() if c.recovery]
    assert {"muscle_strain", "fnsf", "gtps"} <= {c.id for c in with_recovery}
    for c in with_recovery:
        r = c.recovery
        if r.max_weeks is not None:
            assert r.min_weeks <= r.max_weeks, c.id
        assert r.source in sources, f"{c.id}: recovery source {r.source} unknown"
    # Article 001: mild strains heal in 3 to 6 weeks.
    strain = conditions["muscle_strain"].recovery
    assert (strain.min_weeks, strain.max_weeks) == (3, 6)


def test_condition_references_resolve(conditions, sources):
    for cid, c in conditions.items():
        unknown = [s for s in c.sources if s not in sources]
        assert unknown == [], f"{cid} cites unknown sources {unknown}"
    kb, _ = load()
    if kb.exercises:
        for cid, c in conditions.items():
            assert set(c.exercises) <= set(kb.exercises), cid
    if kb.risk_factors:
        for cid, c in conditions.items():
            assert set(c.risk_factors) <= set(kb.risk_factors), cid


def test_every_article_is_cited_by_some_condition(conditions, sources):
    cited_files = {sources[s].file for c in conditions.values() for s in c.sources
                   if sources[s].kind == "article"}
    assert cited_files == set(ARTICLE_FILES)


def test_every_source_is_locatable(sources):
    assert len([s for s in sources.values() if s.kind != "article"]) >= 40
    for sid, s in sources.items():
        if s.kind == "article":
            assert s.file in ARTICLE_FILES and s.section, sid
            continue
        assert s.doi or s.url, sid
        if s.doi:
            assert re.fullmatch(r"10\.\d{4,9}/\S+", s.doi), f"{sid}: malformed DOI {s.doi}"
        if s.url:
            assert re.match(r"https?://\S+$", s.url), f"{sid}: malformed URL {s.url}"
        assert len(s.evidence.split()) >= 8, f"{sid}: evidence note too thin"


def test_each_article_has_a_whole_article_source(sources):
    whole = {s.file: sid for sid, s in sources.items()
             if s.kind == "article" and s.section == "whole article"}
    assert set(whole) == set(ARTICLE_FILES)
    assert sorted(whole.values()) == ["art000", "art001", "art002", "art003", "art004"]
    for sid, s in sources.items():
        if s.kind == "article" and sid not in whole.values():
            prefix = whole[s.file]
            assert sid.startswith(prefix + "_"), f"{sid} should be named {prefix}_<slug>"


def test_article_files_and_sections_exist(sources, shared_dir: Path):
    articles = shared_dir / "domain" / "articles"
    for sid, s in sources.items():
        if s.kind != "article":
            continue
        path = articles / s.file
        assert path.is_file(), f"{sid}: {path} missing"
        if s.section == "whole article" or sid in UNHEADED_SECTIONS:
            continue
        heading = _norm(s.section.split(" (")[0])
        assert heading in _norm(path.read_text(encoding="utf-8")), f"{sid}: heading not in article"
