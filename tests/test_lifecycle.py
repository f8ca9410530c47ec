"""The lifecycle of an assignment (docs/design.md), as a table: every (status, action) pair, allowed or not."""

from __future__ import annotations

import pytest

from models.entities import Status
from models.lifecycle import Action, NotAllowed, transition

P, EP, CD, R, O, C, A = (Status.PENDIENTE, Status.EN_PROCESO, Status.CON_DIFICULTADES, Status.REPORTADO,
                         Status.OBSERVADO, Status.CUMPLIDO, Status.ANULADO)
PROGRESS, DIFFICULTY, DONE, VERIFY, OBSERVE, CANCEL = (Action.PROGRESS, Action.DIFFICULTY, Action.REPORT_DONE,
                                                       Action.VERIFY, Action.OBSERVE, Action.CANCEL)
X = None  # not allowed

TABLE = {
    #        PROGRESS DIFFICULTY DONE VERIFY OBSERVE CANCEL
    P:  (EP, CD, R, X, X, A),
    EP: (EP, CD, R, X, X, A),
    CD: (EP, CD, R, X, X, A),
    O:  (EP, CD, R, X, X, A),
    R:  (X, X, X, C, O, A),
    C:  (X, X, X, X, X, X),
    A:  (X, X, X, X, X, X),
}
ACTIONS = (PROGRESS, DIFFICULTY, DONE, VERIFY, OBSERVE, CANCEL)
CASES = [(status, action, row[i]) for status, row in TABLE.items() for i, action in enumerate(ACTIONS)]


def test_the_table_covers_every_status():
    assert set(TABLE) == set(Status)


@pytest.mark.parametrize("current, action, expected", CASES, ids=[f"{c.value}-{a.value}" for c, a, _ in CASES])
def test_transition(current, action, expected):
    if expected is None:
        with pytest.raises(NotAllowed):
            transition(current, action)
    else:
        assert transition(current, action) == expected
