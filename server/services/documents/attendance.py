"""Attendance sessions counted the way the DfE's school attendance statistics count them:
present (at school, late before the register closed, or at an approved educational activity off
site), authorised absence (leave granted and the other authorised reasons), unauthorised absence,
and sessions that are not possible sessions at all (dual registration: the other school counts
them; not of compulsory school age; unable to attend for an unavoidable cause, Q and Y1-Y7).
The codes are those of the 2024 regulations (shared_schemas/vocabulary.json "attendance_codes").
A code the list does not know counts as unauthorised, so nothing is ever flattered.
"""
from collections import Counter
from dataclasses import dataclass

from server.vocabulary import labels

GROUPS = {
    **dict.fromkeys(("/", "\\", "L", "K", "V", "P", "W", "B"), "present"),
    **dict.fromkeys(("C1", "M", "J1", "S", "C2", "C", "T", "R", "I", "E"), "authorised"),
    **dict.fromkeys(("G", "N", "O", "U"), "unauthorised"),
    **dict.fromkeys(("D", "X", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7"), "not_counted"),
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


def by_code(codes):
    """Each code used, with its label (the register's own, from the shared vocabulary) and how
    many sessions had it, most used first: "B Other approved educational activity off site: 12; …"."""
    meanings = labels("attendance_codes")
    counts = Counter(codes).most_common()
    return "; ".join(f"{code} {meanings.get(code, 'as recorded')}: {count}" for code, count in counts)
