"""The lifecycle of one assignment (docs/design.md): which action takes which status where, and who may do it."""

from __future__ import annotations

from enum import StrEnum

from models.entities import Status


class Action(StrEnum):
    PROGRESS = "progress"          # implementer: en proceso, with an optional note and percent
    DIFFICULTY = "difficulty"      # implementer: con dificultades, saying what blocks it
    REPORT_DONE = "report_done"    # implementer: says it is done, with evidence → reportado
    VERIFY = "verify"              # secretary: the reported completion is accepted → cumplido
    OBSERVE = "observe"            # secretary: the reported completion is rejected, with a reason → observado
    CANCEL = "cancel"              # secretary: the agreement is cancelled, with a reason → anulado


# An observado assignment is back in the implementer's hands: it behaves as en proceso. These are the statuses
# where the institution owes an answer (reminded, and counted as silent when it gives none).
WORKING = frozenset({Status.PENDIENTE, Status.EN_PROCESO, Status.CON_DIFICULTADES, Status.OBSERVADO})

TRANSITIONS: dict[tuple[Status, Action], Status] = {
    **{(s, Action.PROGRESS): Status.EN_PROCESO for s in WORKING},
    **{(s, Action.DIFFICULTY): Status.CON_DIFICULTADES for s in WORKING},
    **{(s, Action.REPORT_DONE): Status.REPORTADO for s in WORKING},
    (Status.REPORTADO, Action.VERIFY): Status.CUMPLIDO,
    (Status.REPORTADO, Action.OBSERVE): Status.OBSERVADO,
    **{(s, Action.CANCEL): Status.ANULADO for s in (*WORKING, Status.REPORTADO)},
}

CLOSED = frozenset({Status.CUMPLIDO, Status.ANULADO})


class NotAllowed(Exception):
    """The action does not apply to the assignment's current status."""

    def __init__(self, current: Status, action: Action):
        super().__init__(f"{action.value} is not allowed from {current.value}")
        self.current = current
        self.action = action


def transition(current: Status, action: Action) -> Status:
    """The status an action leads to, or NotAllowed."""
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise NotAllowed(current, action) from None
