"""Unanswered questions: handed on through every step, shown once per cell, never mistaken for data."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import answers
from helpers.answers import Unanswered, is_answered, or_unanswered, say


def test_every_use_of_an_unanswered_gives_the_same_object():
    import helpers.evidence  # noqa: F401 - registers the evidence's questions

    gap = Unanswered("no figures for this pair")
    assert gap.exports("iranian") is gap
    assert gap["value"] is gap
    assert gap.round({"share": 3}).drop(columns=["x"]) is gap
    assert list(gap) == [] and len(gap) == 0 and not gap
    assert str(gap) == "no figures for this pair"
    with pytest.raises(AttributeError):
        gap.__array__  # noqa: B018 - dunders and IPython hooks are not answers
    with pytest.raises(AttributeError):
        gap._repr_html_  # noqa: B018


def test_a_decorated_step_hands_on_the_first_unanswered_argument():
    calls = []

    @or_unanswered
    def step(frame, factor=1):
        calls.append(frame)
        return frame * factor

    first, second = Unanswered("first"), Unanswered("second")
    assert step(first, factor=second) is first
    assert step(pd.Series([1]), factor=second) is second
    assert calls == []
    assert step(pd.Series([2]), factor=3).tolist() == [6]


def test_say_prints_reasons_once_per_cell_and_skips_none(capsys, monkeypatch):
    cell = {"n": "1", "run": "a"}
    monkeypatch.setattr(answers, "_cell", lambda: (cell["n"], cell["run"]))
    monkeypatch.setattr(answers, "_SAID", {})
    gap = Unanswered("why not")
    say("a line", gap, None, gap)
    gap.show()
    assert capsys.readouterr().out == "a line\nwhy not\n"
    cell["n"], cell["run"] = "2", "b"  # a later cell: the reason in short, once, whichever object carries it
    say(gap, Unanswered("why not"))
    assert capsys.readouterr().out == "Not answered here either: why not (see above).\n"
    cell["n"], cell["run"] = "1", "c"  # the first cell run again (JupyterLab sends its id): in full again
    gap.show()
    assert capsys.readouterr().out == "why not\n"


def test_a_later_cell_gives_the_reasons_first_clause():
    assert answers.again("No events file for Türkiye–Iraq: the shipped timeline is about Iran and Iraq.") == (
        "Not answered here either: no events file for Türkiye–Iraq (see above)."
    )
    assert answers.again("The figures are about Iran and Iraq; for TUR–IRQ only official ones.") == (
        "Not answered here either: the figures are about Iran and Iraq (see above)."
    )
    assert (
        answers.again("Iraq reports nothing. No share.")
        == "Not answered here either: Iraq reports nothing (see above)."
    )
    assert answers.again("No data/ v1.2 file.") == "Not answered here either: no data/ v1.2 file (see above)."
    assert answers.again("Two-way trade in 2021 is $0: no rate.") == (
        "Not answered here either: two-way trade in 2021 is $0 (see above)."
    )
    assert answers.again("Rows (est. 2018), e.g. these. More") == (
        "Not answered here either: Rows (est. 2018), e.g. these (see above)."
    )
    assert answers.again(": nothing before the colon") == ": nothing before the colon"  # no clause: in full


def test_the_cell_id_a_front_end_sends_names_the_cell(monkeypatch):
    class Kernel:
        parent = {"header": {"msg_id": "m-1"}, "metadata": {"cellId": "cell-a"}}

        def get_parent(self):
            return self.parent

    class Shell:
        kernel, execution_count = Kernel(), 7

    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    assert answers._cell() == ("cell-a", "m-1")
    Shell.kernel.parent = {"header": {"msg_id": "m-2"}, "metadata": {}}  # papermill and nbval send none
    assert answers._cell() == ("m-2", "m-2")
    Shell.kernel.parent = {"header": {"msg_id": "m-3"}, "content": {"code": "say(x)"}}  # the cell is its code
    first = answers._cell()
    Shell.kernel.parent = {"header": {"msg_id": "m-4"}, "content": {"code": "say(x)"}}
    assert answers._cell()[0] == first[0] and answers._cell()[1] == "m-4"


def test_a_notebook_run_again_in_the_same_kernel_says_each_reason_in_full_first(capsys, monkeypatch):
    cells = {"a": "show_table(x)", "b": "say(y)"}
    run = {"cell": "a", "n": 0}

    def where():
        return f"code:{hash(cells[run['cell']])}", f"run-{run['n']}"

    monkeypatch.setattr(answers, "_cell", where)
    monkeypatch.setattr(answers, "_SAID", {})
    gap = Unanswered("No download given: set data_path.")
    for _ in range(2):  # Run All, twice, without a restart (no cellId sent)
        for cell in ("a", "b"):
            run["cell"], run["n"] = cell, run["n"] + 1
            gap.show()
    short = "Not answered here either: no download given (see above)."
    assert capsys.readouterr().out.splitlines() == [gap.reason, short, gap.reason, short]


def test_a_finding_is_said_whole_even_after_its_reason_was_said_above(capsys, monkeypatch):
    monkeypatch.setattr(answers, "_cell", lambda: ("later", "run-9"))
    monkeypatch.setattr(answers, "_SAID", {"No events file: pass events_path.": ("earlier", {"run-1"})})
    answers.say_finding(Unanswered("No events file: pass events_path."))
    answers.say_finding("12 dated events.")
    assert capsys.readouterr().out == "No events file: pass events_path.\n12 dated events.\n"


def test_outside_ipython_every_show_prints(capsys, monkeypatch):
    monkeypatch.setattr(answers, "_cell", lambda: None)
    gap = Unanswered("again")
    gap.show()
    gap.show()
    assert capsys.readouterr().out == "again\nagain\n"


def test_is_answered_tells_frames_from_unanswered():
    assert is_answered(pd.DataFrame()) and is_answered(None) and not is_answered(Unanswered("x"))


def test_a_name_no_answer_has_is_a_slip_and_raises():
    gap = Unanswered("no figures")
    with pytest.raises(AttributeError, match="'exprots' is not a question"):
        gap.exprots("iranian")
    assert gap.round(2) is gap and gap.values() is gap  # frame and dict methods stand in
