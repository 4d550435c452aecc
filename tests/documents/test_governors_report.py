"""The governors' report: aggregate numbers only. No page, PDF or chart a governor can open
carries a pupil's name, date of birth or id; counts from 1 to 4 read "<5" and draw no bar; and
the numbers follow the product's own rules for reviews, attendance and destinations."""
import base64
import re
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from rollup.factories import make_placement, make_provider, make_school, make_user, make_visit
from server.extensions import db
from server.models import AttendanceRecord, Placement, Pupil
from server.services.documents import charts, governors_report
from server.services.documents.model import Chart
from server.services.documents.periods import Period
from tests.documents.conftest import add_pupils_at, pdf_text, render_pages


def end_placement(placement, destination, on):
    placement.status, placement.end_date, placement.destination = "ended", on, destination
    placement.outcome = "Completed the course."


@pytest.fixture
def riverside_with_endings(riverside_record, demo):
    """Riverside's demo placements and five more pupils at Oakfield (enough to draw bars), two
    placements ended: one destination names a pupil."""
    placements = demo.placements()
    add_pupils_at(demo.school(), placements[0].provider, 5)
    end_placement(placements[2], "Back in Kai Doyle's old tutor group", date.today() - timedelta(days=3))
    end_placement(placements[3], "College", date.today() - timedelta(days=2))
    db.session.commit()
    return riverside_record


def identifying_strings():
    """Every pupil's names, dates of birth (as the product writes them) and ids, and every placement id."""
    needles = []
    for pupil in db.session.execute(sa.select(Pupil)).scalars():
        born = pupil.date_of_birth
        needles += [pupil.first_name, pupil.last_name, *pupil.last_name.split("-"), str(pupil.uuid), born.isoformat(),
                    f"{born.day} {born:%B %Y}", f"{born.day} {born:%b %Y}", f"{born:%d/%m/%Y}"]
    needles += [str(uuid) for uuid in db.session.execute(sa.select(Placement.uuid)).scalars()]
    return needles


def svg_images(html):
    """The text of every SVG chart embedded in the page as a data: URI."""
    return [base64.b64decode(data).decode("utf-8")
            for data in re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)]


def assert_names_no_pupil(text, where):
    for needle in identifying_strings():
        assert not re.search(r"(?<![\w-])" + re.escape(needle) + r"(?![\w-])", text, re.IGNORECASE), (needle, where)


def test_nothing_a_governor_opens_names_a_pupil(riverside_with_endings, office_as):
    governor = office_as("governor")
    page = governor.get("/office/reports/governors")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Pupils by kind of placement" in html
    charts_svg = svg_images(html)
    assert len(charts_svg) == 3
    pdf = governor.get("/office/reports/governors.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    index = governor.get("/office/reports").get_data(as_text=True)
    figures = governor.get("/office/reports/governors.csv", buffered=True)
    assert figures.status_code == 200 and figures.mimetype == "text/csv"
    figures = figures.get_data().decode("utf-8-sig")
    assert figures.startswith("Section,Item,Value\r\n")
    assert "Pupils by provider,Oakfield Independent School,7" in figures
    for where, text in [("page", html), ("pdf", pdf_text(pdf.data)), ("reports", index), ("csv", figures)] + [
            (f"chart {n}", svg) for n, svg in enumerate(charts_svg)]:
        assert_names_no_pupil(text, where)
    render_pages(pdf.data, "governors-report")


def test_a_destination_naming_a_pupil_is_folded_into_other(riverside_with_endings, demo):
    report = governors_report.build(demo.school(), Period(date.today() - timedelta(days=30), date.today()),
                                    date.today())
    assert [(row.label, row.text) for row in report.destinations] == [(governors_report.OTHER_DESTINATIONS, "<5")]


def test_small_counts_read_less_than_five_and_draw_no_bar(riverside_record, office_as):
    html = office_as("ap_leader").get("/office/reports/governors").get_data(as_text=True)
    assert svg_images(html) == []    # every count is under 5: no chart could say anything
    assert "No chart: every count here is under 5" in html
    # Riverside has six pupils in AP, two of them in off-site AP.
    assert re.search(r"Pupils in alternative provision</dt><dd[^>]*>6<", html)
    assert re.search(r"Off-site alternative provision</td><td[^>]*>&lt;5<", html)
    drawing = charts.drawing(Chart("t", [("Two pupils", governors_report.drawn(2), "<5"),
                                         ("Seven pupils", governors_report.drawn(7), "7"),
                                         ("None", governors_report.drawn(0), "0")]), 400)
    bars = [shape for shape in drawing.contents if type(shape).__name__ == "Rect"]
    assert len(bars) == 1
    words = [shape.text for shape in drawing.contents if type(shape).__name__ == "String"]
    assert "<5" in words and "7" in words and "0" in words


@pytest.mark.parametrize("count, shown", [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (12, "12")])
def test_counts_from_one_to_four_are_suppressed(count, shown):
    assert governors_report.shown(count) == shown


def test_five_pupils_in_one_kind_are_counted_exactly(riverside_record, demo, office_as):
    add_pupils_at(demo.school(), demo.placements()[0].provider, 5)
    db.session.commit()
    html = office_as("governor").get("/office/reports/governors").get_data(as_text=True)
    assert re.search(r"Off-site alternative provision</td><td[^>]*>7<", html)
    assert re.search(r"Oakfield Independent School</td><td[^>]*>\d+<", html)
    assert "Learner" not in html and "Extra0" not in html


def test_reviews_attendance_and_destinations_follow_the_rules(app):
    """Five placements from 7 Sep 2026: three reviewed in Autumn 1, two not; 80% attendance;
    five went to college and one to a destination that names a pupil."""
    school = make_school()
    author = make_user(school, "ap_leader")
    placements = [make_placement(school, start=date(2026, 9, 7)) for _ in range(6)]
    for placement in placements[:3]:
        make_visit(author, "review_meeting", date(2026, 10, 14), placement=placement)
    for placement in placements[:5]:
        for day in range(10):
            code = "/" if day < 8 else "O"
            db.session.add(AttendanceRecord(placement_id=placement.id, on_date=date(2026, 9, 14) + timedelta(days=day),
                                            session="am", code=code, recorded_by_id=author.id,
                                            recorded_at=datetime.now(timezone.utc)))
    for placement in placements[:5]:
        end_placement(placement, "College" if placement.id % 2 else "  college ", date(2026, 11, 6))
    end_placement(placements[5], f"Joined {placements[0].pupil.last_name}'s brother at home", date(2026, 11, 6))
    db.session.flush()

    report = governors_report.build(school, Period(date(2026, 9, 1), date(2026, 12, 31)), date(2026, 11, 10))
    # Autumn 1 (ended 23 Oct) is owed by all six; Autumn 2 ends after "today", so is not counted yet.
    assert (report.reviews_held.count, report.reviews_missed.count, report.review_pupils) == (3, 3, 6)
    assert report.attendance.present == 40 and report.attendance.unauthorised == 10
    assert [(row.label, row.count) for row in report.destinations] == [
        ("College", 5), (governors_report.OTHER_DESTINATIONS, 1)]
    text = "\n".join(str(value) for section in governors_report.document(report, author, datetime.now(timezone.utc))
                     .sections for block in section.blocks for value in getattr(block, "rows", ()))
    assert "50.0%" not in text      # 3 of 6 held: a percentage would give back the "<5"
    assert governors_report.percentage(3, 6, 6) == "50.0%"
    assert "80.0%" in text          # attendance: 40 of 50 possible sessions


def test_the_period_defaults_to_this_academic_year_and_a_bad_one_is_refused(riverside_record, office_as, demo):
    client = office_as("governor")
    html = client.get("/office/reports/governors").get_data(as_text=True)
    year = date.today().year if date.today().month >= 8 else date.today().year - 1
    halves = [p for p in demo.school().term_periods if p.academic_year == year]
    assert f'name="from" type="date" value="{min(p.starts_on for p in halves).isoformat()}"' in html
    assert f'name="to" type="date" value="{max(p.ends_on for p in halves).isoformat()}"' in html
    response = client.get("/office/reports/governors?from=2027-01-01&to=2026-01-01")
    assert response.status_code == 422
    assert "The end date is before the start date." in response.get_data(as_text=True)
    assert client.get("/office/reports/governors?from=someday").status_code == 422
    assert client.get("/office/reports/governors?colour=blue").status_code == 422
    assert client.get("/office/reports/governors.pdf?from=2027-01-01&to=2026-01-01").status_code == 422


def test_governors_cannot_reach_pupil_level_pages(riverside_record, office_as):
    governor = office_as("governor")
    placement = riverside_record["placement"]
    for url in (f"/office/placements/{placement.uuid}/record", f"/office/placements/{placement.uuid}/record.pdf",
                "/office/reports/exports/visits.csv", "/office/reports/la-notifications", "/office/pupils",
                "/office/placements"):
        assert governor.get(url).status_code == 403, url
    index = governor.get("/office/reports").get_data(as_text=True)
    assert "record.pdf" not in index and "/exports/" not in index and "la-notifications" not in index


def test_a_provider_name_with_markup_is_shown_as_text(riverside_record, demo, office_as):
    provider = demo.placements()[0].provider
    provider.name = 'Oak & <Sons> "Workshops"'
    add_pupils_at(demo.school(), provider, 5)
    db.session.commit()
    html = office_as("governor").get("/office/reports/governors").get_data(as_text=True)
    assert "<Sons>" not in html and "Oak &amp; &lt;Sons&gt;" in html
    provider_chart = next(svg for svg in svg_images(html) if "Oak" in svg)
    assert "<Sons>" not in provider_chart and "Oak &amp; &lt;Sons&gt;" in provider_chart
    assert "<script" not in provider_chart


def shown_exactly(value):
    return value.isdigit()


def test_no_count_under_five_can_be_worked_out_by_subtraction(app):
    """Eighteen pupils: 7 at Alder Farm (registered, other), 3 at Birch Studio and 6 at Damson
    Works (both unregistered), 2 on part-time timetables in school. Fifteen of 18 reviews held;
    seven placements ended, six to college. Under "<5" alone, each of the in-school pupils,
    Birch Studio's, the part-time kind, the missed reviews and the unrecorded destination could
    be had by subtracting the shown counts from a shown total."""
    school = make_school()
    author = make_user(school, "ap_leader")
    alder = make_provider(school, "Alder Farm", status="registered_other")
    birch = make_provider(school, "Birch Studio", status="unregistered")
    damson = make_provider(school, "Damson Works", status="unregistered")
    placements = [make_placement(school, provider=provider, start=date(2026, 9, 7))
                  for provider, pupils in ((alder, 7), (birch, 3), (damson, 6)) for _ in range(pupils)]
    placements += [make_placement(school, kind="part_time_timetable", start=date(2026, 9, 7)) for _ in range(2)]
    for placement in placements[:15]:
        make_visit(author, "review_meeting", date(2026, 10, 14), placement=placement)
    for placement in placements[:6]:
        end_placement(placement, "College", date(2026, 11, 6))
    end_placement(placements[6], "", date(2026, 11, 6))
    db.session.flush()

    report = governors_report.build(school, Period(date(2026, 9, 1), date(2026, 12, 31)), date(2026, 11, 10))
    assert (report.pupils.count, report.reviews_held.count, report.reviews_due.count, report.ended.count) == (
        18, 15, 18, 7)
    document = governors_report.document(report, author, datetime.now(timezone.utc))
    values = {(section, item): value for section, item, value in governors_report.csv_rows(document)}

    def items(section, suffix=""):
        return [value for (where, item), value in values.items() if where == section and item.endswith(suffix)]

    pupils = values[("Summary", "Pupils in alternative provision")]
    registration = "Registered and unregistered providers"
    groups = {
        "by kind": (pupils, items("Pupils by kind of placement")),
        "by provider": (pupils, items("Pupils by provider")),
        "by registration": (pupils, items(registration, ": pupils")
                            + [values[("Pupils by provider", governors_report.NO_PROVIDER)]]),
        "registered other": (values[(registration, "Registered (other): pupils")],
                             [values[("Pupils by provider", "Alder Farm")]]),
        "unregistered": (values[(registration, "Unregistered: pupils")],
                         [values[("Pupils by provider", "Birch Studio")], values[("Pupils by provider", "Damson Works")]]),
        "reviews": (values[("Reviews on time", "Reviews due in the period")],
                    [values[("Reviews on time", "Held in time")], values[("Reviews on time", "Missed")]]),
        "destinations": (values[("Outcomes and destinations", "Placements ended in the period")],
                         [values[("Outcomes and destinations", label)]
                          for label in ("College", governors_report.NOT_RECORDED)]),
    }
    for name, (total, parts) in groups.items():
        hidden = [value for value in [total, *parts] if not shown_exactly(value)]
        assert len(hidden) != 1, (name, total, parts)
    # A percentage of a hidden count would give it away as surely as subtraction.
    assert values[("Reviews on time", "Held on time")] == "—"
    assert values[("Summary", "Reviews held on time")].endswith("(—)")
    for chart in (block for section in document.sections for block in section.blocks if isinstance(block, Chart)):
        for label, length, text in chart.bars:
            assert (length is None) == (not shown_exactly(text)), (chart.title, label)
