"""Issue 10's measure, computed from data kept in tests/data: the gold sections, the
question checker over every theme and packet, and the hand-judged samples.

Targets the issue sets and that do not hold yet are marked ``xfail(strict=True)``, so
the figure is visible in every run and a fix that reaches it turns the run red until
the mark is removed; floors at today's figures catch a regression.
"""

from __future__ import annotations

import pytest

from handouts.content import measure

# The seeds, issue 10's regression texts and the real-text benchmark, loaded as one corpus.
CORPORA = ("seeds", "issue10", "real")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return measure.gold_corpus(tmp_path_factory.mktemp("gold") / "corpus", CORPORA)


@pytest.fixture(scope="module")
def gold():
    entries = measure.load_gold()
    assert all(e.why.strip() for e in entries)  # one line of reason each
    return entries


@pytest.fixture(scope="module")
def judged(corpus):
    return measure.judged_figures(corpus)


def test_every_gold_anchor_names_one_section(corpus, gold):
    figures = measure.selection_figures(corpus, gold)
    assert figures["unresolved"] == []
    assert figures["sections"] == len([e for e in gold if e.corpus in CORPORA])
    assert {e.corpus for e in gold} == set(CORPORA)


def test_selection_holds_todays_figures_on_the_gold_set(corpus, gold):
    every = measure.selection_figures(corpus, gold)
    seeds = measure.selection_figures(corpus, gold, ["seeds"])
    assert every["precision"] >= 0.95 and every["recall"] >= 0.83, every["errors"]
    assert seeds["precision"] >= 0.94 and seeds["recall"] >= 0.92, seeds["errors"]


def test_a_blind_second_reading_agrees_with_the_gold(corpus, gold):
    """The gold is one reader's; a second, blind to it and to the scorer, read the same
    sections.  Kappa above 0.8 is agreement well beyond chance; the figures against the
    second reading and the sections read alike are printed by ``make bench``."""
    second = measure.load_gold(measure.SECOND_READING)
    assert all(e.why.strip() for e in second)
    both = measure.agreement(gold, second, [t.id for t in corpus.themes])
    assert both["missing"] == [] and both["sections"] == len(gold)
    assert both["kappa"] >= 0.8, both["kappa"]
    assert len(both["agreed"]) >= 80  # the issue's floor for a gold set
    agreed = measure.selection_figures(corpus, both["agreed"])
    assert agreed["unresolved"] == []
    assert agreed["precision"] >= 0.97 and agreed["recall"] >= 0.8, agreed["errors"]


def test_agreement_scores_the_second_reading_as_a_selector():
    """Precision: of the second reader's "fits", the share the first reader also gave;
    recall: of the first reader's, the share the second found."""
    G = measure.GoldSection
    first = [G("c", "a", ("x", "y"), "."), G("c", "b", ("x",), "."), G("c", "c", (), ".")]
    second = [G("c", "a", ("x",), "."), G("c", "b", ("x", "z"), "."), G("c", "c", ("y",), ".")]
    both = measure.agreement(first, second, ["x", "y", "z"])
    assert (both["precision"], both["recall"]) == (2 / 4, 2 / 3)
    assert [e.anchor for e in both["agreed"]] == []
    assert measure.agreement(first, first, ["x", "y", "z"])["precision"] == 1.0


def test_a_careful_reader_does_not_reach_the_issue_target_on_the_gold(corpus, gold):
    """The issue asks the selector for precision and recall of 0.9 each.  Scored the same
    way against the first reading, the blind second reading does not reach it: the gold
    is one reading of sections two readers argue about, and this is the ceiling the
    selector's figures are read against (printed by ``make bench``)."""
    second = measure.load_gold(measure.SECOND_READING)
    both = measure.agreement(gold, second, [t.id for t in corpus.themes])
    assert min(both["precision"], both["recall"]) < 0.9, both


def test_the_real_texts_are_selected_from(corpus, gold):
    """Before the IDF counted a document's sections with diminishing weight, almost
    nothing of the real texts was selected (recall 0.11): 反对本本主义 says 调查 in every
    chapter, which made the word look common."""
    real = measure.selection_figures(corpus, gold, ["real"])
    assert real["precision"] >= 0.8 and real["recall"] >= 0.5, real["errors"]
    missed = {e for e in real["errors"] if e.startswith("- grassroots essay_fandui_benben/")}
    assert not missed & {f"- grassroots essay_fandui_benben/{n}" for n in (2, 3, 5, 6)}


@pytest.mark.xfail(strict=True, reason="issue 10 target not met on the whole gold set: "
                                       "precision 0.960, recall 0.837")
def test_selection_meets_the_issue_target(corpus, gold):
    every = measure.selection_figures(corpus, gold)
    assert every["precision"] >= 0.9 and every["recall"] >= 0.9


def test_selection_meets_the_issue_target_on_the_seeds(corpus, gold):
    seeds = measure.selection_figures(corpus, gold, ["seeds"])
    assert seeds["precision"] >= 0.9 and seeds["recall"] >= 0.9


def test_printed_sections_are_on_theme(corpus, gold):
    assert measure.selection_figures(corpus, gold)["off_theme"] <= 0.05


@pytest.fixture(scope="module")
def real_alone(tmp_path_factory):
    return measure.gold_corpus(tmp_path_factory.mktemp("real-alone") / "corpus", ("real",))


def test_the_real_texts_alone_hold_todays_figures(real_alone, gold):
    """Standing alone (an organiser's own collection), the real texts' term statistics
    are their own: words rare in them (意义, 学习) weigh more than beside the seeds, and
    passages beyond the joint corpus's cap are printed."""
    f = measure.selection_figures(real_alone, gold, ["real"])
    assert f["precision"] >= 0.95 and f["recall"] >= 0.55, f["errors"]


def test_printed_sections_are_on_theme_on_the_real_texts_alone(real_alone, gold):
    assert measure.selection_figures(real_alone, gold, ["real"])["off_theme"] <= 0.05


def test_the_checker_finds_no_defect_in_any_theme_or_packet(corpus):
    figures = measure.question_figures(corpus)
    assert figures["questions"] > 100
    assert figures["defects"] == 0, figures["found"]


@pytest.mark.parametrize("alone", ["seeds", "real"])
def test_the_checker_finds_no_defect_on_each_corpus_alone(alone, tmp_path):
    """The seeds and the real texts each make their own handouts (a passage beyond the
    cap in the joint corpus is printed when its corpus stands alone)."""
    figures = measure.question_figures(measure.gold_corpus(tmp_path / alone, (alone,)))
    # The real texts alone print ten sections: most of them are on no theme.
    assert figures["questions"] > {"seeds": 150, "real": 30}[alone]
    assert figures["defects"] == 0, figures["found"]


def test_judged_questions_are_still_printed_and_usable(judged):
    q = judged["questions"]
    assert q["judged"] == 60
    assert q["missing"] == [], "a judged question is no longer printed verbatim: re-judge"
    assert q["bad"] == 0
    assert q["usable"] >= 0.9


def test_judged_key_points_are_still_printed(judged):
    k = judged["keypoints"]
    assert k["judged"] == 60
    assert k["missing"] == [], "a judged key point is no longer printed verbatim: re-judge"
    assert k["bad"] == 0
    assert k["good"] >= 0.95


def test_judged_key_points_meet_the_issue_target(judged):
    assert judged["keypoints"]["good"] >= 0.9
