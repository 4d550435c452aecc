"""Statutory partners (§7.5, §7.6, §8.8): who must be consulted, by the pupil's flags, recorded
with who and when before the start."""
from datetime import date

import pytest

from rollup.factories import make_placement
from server.services import partners


@pytest.mark.parametrize("flags, owed", [
    ({}, []),
    ({"ehcp": True}, ["local_authority"]),
    ({"looked_after": True}, ["virtual_school", "social_worker"]),
    ({"has_social_worker": True}, ["social_worker"]),
    ({"ehcp": True, "looked_after": True}, ["local_authority", "virtual_school", "social_worker"]),
])
def test_who_is_owed_follows_the_pupils_flags(school, flags, owed):
    placement = make_placement(school, kind="flexi_schooling", status="planned")
    for name, value in flags.items():
        setattr(placement.pupil, name, value)
    assert partners.owed(placement.pupil) == owed
    assert len(partners.start_blockers(placement)) == len(owed)


def test_both_who_and_when_are_needed(school):
    placement = make_placement(school, kind="flexi_schooling", status="planned")
    placement.pupil.ehcp = True
    placement.local_authority_consulted_name = "Dana Whitfield"
    assert partners.start_blockers(placement) == [
        "Consult the local authority (SEN team) and record who and when (§7.5)."]
    placement.local_authority_consulted_on = date(2026, 9, 1)
    assert partners.start_blockers(placement) == []
    placement.local_authority_consulted_name = "  "
    assert partners.start_blockers(placement)
