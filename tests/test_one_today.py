"""One "today": every date rule on the server uses England's date (`school_today()`), never the
server's own clock, which on a UTC host is still yesterday for an hour after midnight in summer."""
import re

from tests.conftest import PROJECT_ROOT

# The calls that read the server's local clock: date.today(), datetime.today(), a bare
# datetime.now() with no time zone, and the naive datetime.utcnow().
LOCAL_CLOCK = re.compile(r"\b(?:date|datetime)\.today\(\)|\bdatetime\.now\(\s*\)|\bdatetime\.utcnow\(")


def local_clock_calls(root):
    """"file:line: code" for each local-clock call in the Python files under `root`."""
    for path in sorted(root.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if LOCAL_CLOCK.search(line):
                yield f"{path.relative_to(root.parent)}:{number}: {line.strip()}"


def test_the_server_never_reads_the_local_date():
    found = list(local_clock_calls(PROJECT_ROOT / "server"))
    assert not found, "use school_today() (server/dates.py) instead of:\n" + "\n".join(found)


def test_the_check_names_the_file_and_line_of_a_local_clock_call(tmp_path):
    (tmp_path / "server").mkdir()
    (tmp_path / "server" / "late.py").write_text(
        "from datetime import date, datetime\nA = 1\nB = date.today()\nC = datetime.now()\n"
        "D = datetime.now(ZONE)\nE = datetime.utcnow()\n")
    assert [line.split(": ")[0] for line in local_clock_calls(tmp_path / "server")] == [
        "server/late.py:3", "server/late.py:4", "server/late.py:6"]


# England's time zone, today, the academic year and a date in words are each written once, in
# server/dates.py; these are the shapes their copies took.
DATE_RULE_COPIES = re.compile(r'ZoneInfo\(|"Europe/London"|def (?:school_today|now_in_england|academic_year_of|long_date)\b'
                              r"|\.day\} \{[^}]*:%[bB]|%d %b")


def test_dates_have_one_home():
    copies = [f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}"
              for path in sorted((PROJECT_ROOT / "server").rglob("*.py")) if path.name != "dates.py"
              for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
              if DATE_RULE_COPIES.search(line)]
    assert not copies, "use server/dates.py instead of:\n" + "\n".join(copies)


# A stored time's England day is `england_day(moment)`: its `.date()` is the UTC day, the day
# before for an hour after midnight in summer.
UTC_DAY_OF_A_TIME = re.compile(r"\b(?:\w+_at|now|produced_at|moment)\.date\(\)")


def test_a_stored_times_day_is_englands_day():
    found = [f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}"
             for path in sorted((PROJECT_ROOT / "server").rglob("*.py")) if "migrations" not in path.parts
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if UTC_DAY_OF_A_TIME.search(line)]
    assert not found, "use england_day() (server/dates.py) instead of:\n" + "\n".join(found)
