"""Attendance sessions counted the way the DfE's school attendance statistics count them:
present (including approved education off site), authorised absence, unauthorised absence, and
sessions that are not possible sessions at all (dual registration: the other school counts them).
"""
from collections import Counter
from dataclasses import dataclass

GROUPS = {
    "/": "present", "\\": "present", "B": "present",
    "I": "authorised", "M": "authorised", "C": "authorised", "E": "authorised",
    "G": "unauthorised", "O": "unauthorised", "U": "unauthorised", "N": "unauthorised",
    "D": "not_counted",
}


@dataclass
class AttendanceSummary:
    present: int = 0
    authorised: int = 0
    unauthorised: int = 0
    not_counted: int = 0

    @property
    def possible(self):
        return self.present + self.authorised + self.unauthorised

    def share(self, group):
        """The percentage of possible sessions in `group`, one decimal place; None with none possible."""
        if not self.possible:
            return None
        return round(100 * getattr(self, group) / self.possible, 1)


def summarise(codes):
    """An AttendanceSummary of an iterable of register codes."""
    counts = Counter(GROUPS.get(code, "unauthorised") for code in codes)
    return AttendanceSummary(**{group: counts.get(group, 0) for group in
                                ("present", "authorised", "unauthorised", "not_counted")})
