"""The office lists at a real school's volume: 300 pupils, 80 placements, about 2,000 visits a
year and 60 providers (beside a small school in the same database). Each list pages 50 at a
time; walking every page in any order shows each row once and only this school's rows; each
filter narrows to exactly what it says; a page costs the same number of queries at either size;
and junk in the query string gives the default page, never an error."""
import re

import pytest
import sqlalchemy as sa

from server.dev.synthetic import PASSWORD
from server.extensions import db
from server.models import Membership, Placement, Provider, Pupil, SafeguardingConcern, User, Visit
from server.office.paging import PAGE_SIZE
from tests.conftest import OfficeClient, reads, statements_sent

UUID = r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
# Each list's link that appears exactly once per row, and the role that reads the list.
ROW_LINK = {
    "/office/pupils": (rf"/office/pupils/{UUID}/edit", "ap_leader"),
    "/office/placements": (rf"/office/placements/{UUID}/edit", "ap_leader"),
    "/office/providers": (rf"/office/providers/{UUID}/edit", "ap_leader"),
    "/office/review": (rf"/office/review/{UUID}\"", "ap_leader"),
    "/office/concerns": (rf"/office/concerns/{UUID}\"", "dsl"),
}


def _reader(app, school, role):
    email = db.session.execute(sa.select(User.email).join(Membership).where(
        Membership.school_id == school.id, Membership.role == role)).scalars().first()
    client = OfficeClient(app.test_client())
    assert client.sign_in(email, PASSWORD).status_code == 302
    return client


def _page(client, path, **args):
    response = client.get(path, query_string=args)
    assert response.status_code == 200, (path, args)
    html = response.get_data(as_text=True)
    if path == "/office/concerns":
        html = html.split("Recently closed")[0]  # the open view's preview of closed ones is not the list
    rows = list(dict.fromkeys(re.findall(ROW_LINK[path][0], html)))
    total = re.search(r"of (\d+) ", html)
    current = re.search(r'aria-current="page"><span class="visually-hidden">Page </span>(\d+)<', html)
    return rows, int(total.group(1)) if total else 0, int(current.group(1)) if current else 1


def _walk(client, path, **args):
    """Every row of the list, page by page, in the order shown."""
    rows, total, _ = _page(client, path, **args)
    seen, number = list(rows), 1
    while len(seen) < total:
        number += 1
        rows, _, current = _page(client, path, page=number, **args)
        assert current == number and rows, f"{path} page {number} is empty"
        seen += rows
    assert len(rows) == total - (-(-total // PAGE_SIZE) - 1) * PAGE_SIZE, "the last page holds the remainder"
    return seen


def _ids(query):
    return [str(value) for value in db.session.execute(query).scalars()]


def test_each_list_walks_every_row_once_in_every_order(app, schools):
    large = schools["large"]
    leader, dsl = _reader(app, large, "ap_leader"), _reader(app, large, "dsl")
    pupils = sa.select(Pupil.uuid).where(Pupil.school_id == large.id)
    placements = sa.select(Placement.uuid).where(Placement.school_id == large.id)
    providers = sa.select(Provider.uuid).where(Provider.school_id == large.id)
    awaiting = sa.select(Visit.uuid).where(Visit.school_id == large.id, Visit.review_status == "awaiting_review")
    closed = sa.select(SafeguardingConcern.uuid).where(SafeguardingConcern.school_id == large.id,
                                                       SafeguardingConcern.closed_at.is_not(None))
    cases = [
        (leader, "/office/pupils", {}, pupils.order_by(Pupil.last_name, Pupil.first_name, Pupil.id)),
        (leader, "/office/pupils", {"sort": "year"},
         pupils.order_by(Pupil.year_group, Pupil.last_name, Pupil.first_name, Pupil.id)),
        (leader, "/office/placements", {"status": "all", "sort": "start"},
         placements.order_by(Placement.start_date.desc(), Placement.id.desc())),
        (leader, "/office/providers", {"sort": "status"},
         providers.order_by(Provider.registration_status, Provider.name, Provider.id)),
        (leader, "/office/review", {}, awaiting.order_by(Visit.received_at, Visit.id)),
        (leader, "/office/review", {"sort": "visit_date"}, awaiting.order_by(Visit.visit_date, Visit.id)),
        (dsl, "/office/concerns", {"show": "closed"},
         closed.order_by(SafeguardingConcern.closed_at.desc(), SafeguardingConcern.id.desc())),
    ]
    for client, path, args, expected in cases:
        seen = _walk(client, path, **args)
        assert len(seen) == len(set(seen)), f"{path} {args}: a row shown twice"
        assert seen == _ids(expected), f"{path} {args}: rows missing, foreign or out of order"
    assert len(_ids(pupils)) == 300 and len(_ids(placements)) == 80
    assert len(_ids(awaiting)) > PAGE_SIZE and len(_ids(closed)) > PAGE_SIZE, "the queues span pages"
    # The sort columns themselves come out in order across pages.
    year_of = {str(u): year for u, year in db.session.execute(sa.select(Pupil.uuid, Pupil.year_group))}
    years = [year_of[u] for u in _walk(leader, "/office/pupils", sort="year")]
    assert years == sorted(years)
    first, _, _ = _page(leader, "/office/pupils")
    assert len(first) == PAGE_SIZE


def test_each_filter_narrows_to_what_it_says(app, schools):
    large = schools["large"]
    leader, dsl = _reader(app, large, "ap_leader"), _reader(app, large, "dsl")
    provider = db.session.execute(sa.select(Provider).join(Placement).where(Provider.school_id == large.id)
                                  .order_by(Provider.id)).scalars().first()
    has_concern = sa.exists().where(SafeguardingConcern.visit_id == Visit.id)
    in_school = {"pupils": Pupil.school_id == large.id, "placements": Placement.school_id == large.id}
    cases = [
        (leader, "/office/pupils", {"year": "9"}, sa.select(Pupil.uuid).where(in_school["pupils"],
                                                                                Pupil.year_group == 9)),
        (leader, "/office/pupils", {"flag": "ehcp"}, sa.select(Pupil.uuid).where(in_school["pupils"], Pupil.ehcp)),
        (leader, "/office/pupils", {"q": "extra01"}, sa.select(Pupil.uuid).where(
            in_school["pupils"], Pupil.first_name.like("Extra01%"))),
        (leader, "/office/pupils", {"q": "X0004"}, sa.select(Pupil.uuid).where(Pupil.mis_id == "X0004")),
        (leader, "/office/placements", {"status": "ended"}, sa.select(Placement.uuid).where(
            in_school["placements"], Placement.status == "ended")),
        (leader, "/office/placements", {"status": "all", "kind": "off_site_ap"}, sa.select(Placement.uuid).where(
            in_school["placements"], Placement.kind == "off_site_ap")),
        (leader, "/office/placements", {"status": "all", "provider": str(provider.uuid)},
         sa.select(Placement.uuid).where(Placement.provider_id == provider.id)),
        (leader, "/office/providers", {"status": "unregistered"}, sa.select(Provider.uuid).where(
            Provider.school_id == large.id, Provider.registration_status == "unregistered")),
        (leader, "/office/review", {"kind": "welfare_check"}, sa.select(Visit.uuid).where(
            Visit.school_id == large.id, Visit.review_status == "awaiting_review", Visit.kind == "welfare_check")),
        (leader, "/office/review", {"show": "sent_back", "concern": "no"}, sa.select(Visit.uuid).where(
            Visit.school_id == large.id, Visit.review_status == "sent_back", ~has_concern)),
        (leader, "/office/review", {"concern": "yes"}, sa.select(Visit.uuid).where(
            Visit.school_id == large.id, Visit.review_status == "awaiting_review", has_concern)),
        (dsl, "/office/concerns", {}, sa.select(SafeguardingConcern.uuid).where(
            SafeguardingConcern.school_id == large.id, SafeguardingConcern.closed_at.is_(None))),
    ]
    for client, path, args, expected in cases:
        wanted = set(_ids(expected))
        assert wanted, f"{path} {args}: the data should hold some of these"
        seen = _walk(client, path, **args)
        assert set(seen) == wanted and len(seen) == len(wanted), f"{path} {args}"


@pytest.mark.parametrize("path, args", [
    ("/office/pupils", {}), ("/office/pupils", {"sort": "mis_id", "flag": "send_support"}),
    ("/office/placements", {"status": "all"}), ("/office/providers", {}),
    ("/office/review", {}), ("/office/review", {"concern": "no", "sort": "kind"}),
    ("/office/concerns", {"show": "closed"}),
], ids=lambda value: value if isinstance(value, str) else "&".join(f"{k}={v}" for k, v in value.items()))
def test_a_list_page_costs_the_same_queries_at_a_small_and_a_large_school(app, schools, path, args):
    counts = {}
    for size, school in schools.items():
        client = _reader(app, school, ROW_LINK[path][1])
        rows, _, _ = _page(client, path, **args)  # also fills per-process caches
        assert rows, f"the {size} school's {path} should list something"
        counts[size] = _selects(client, path, args)
    assert counts["small"] == counts["large"], f"{path} {args}: {counts}"


def _selects(client, path, args):
    with statements_sent() as statements:
        assert client.get(path, query_string=args).status_code == 200
    return len(reads(statements))


JUNK = [{"page": "0"}, {"page": "-3"}, {"page": "abc"}, {"page": "2.5"}, {"page": "²"}, {"page": ""},
        {"sort": "password_hash"}, {"sort": "name; drop table pupil"}, {"year": "abc"}, {"year": "99"},
        {"flag": "password_hash"}, {"flag": "__class__"}, {"status": "zzz"}, {"kind": "zzz"},
        {"provider": "not-a-uuid"}, {"provider": "00000000-0000-0000-0000-000000000000"},
        {"show": "everything"}, {"concern": "maybe"}]


@pytest.mark.parametrize("path", list(ROW_LINK))
def test_junk_in_the_query_string_gives_the_default_page(app, schools, path):
    client = _reader(app, schools["large"], ROW_LINK[path][1])
    default, total, _ = _page(client, path)
    for args in JUNK:
        rows, shown_total, current = _page(client, path, **args)
        assert (rows, shown_total, current) == (default, total, 1), f"{path} {args}"
    # A page past the end, however far, shows the last page.
    last = -(-total // PAGE_SIZE)
    rows, _, current = _page(client, path, page="9" * 40)
    assert current == last and rows == _page(client, path, page=str(last))[0]
