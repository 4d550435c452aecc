"""Long text on the phone: nothing typed or pasted is cut off. Each limited box counts against
the shared limit as the person types, the draft keeps every character, and the visit cannot be
completed while a box is over (the server refuses the same limits)."""
import pytest

from tests.conftest import screenshot
from tests.e2e.conftest import answer_qa_visit, start_qa_visit
from tests.payloads import days_from_today

pytestmark = pytest.mark.e2e

FINDINGS = ("Observed the pupil in the workshop. " * 200)[:4999]
NOTE = ("Watched a maths lesson on fractions. " * 200)[:4999]
OVER = "4,999 of 4,000 characters — 999 too many"


def paste(page, selector, text):
    """Put `text` into a box the way a paste does (one insertion, as a long note arrives)."""
    page.locator(selector).focus()
    page.keyboard.insert_text(text)


def test_a_4999_character_answer_and_note_are_kept_whole_counted_and_stop_completion(phone):
    page = phone.open().sign_in().page
    start_qa_visit(phone)
    answer_qa_visit(phone)
    page.locator("#item-findings textarea").fill("")
    paste(page, "#item-findings textarea", FINDINGS)
    page.locator("#item-lessons_observed").get_by_role("button", name="+ Add a note").click()
    paste(page, "#item-lessons_observed textarea", NOTE)
    assert page.locator("#item-findings .counter").inner_text().startswith(OVER)
    assert page.locator("#item-findings textarea").get_attribute("aria-invalid") == "true"
    page.get_by_text("Saved on this phone at").wait_for()

    page.reload()
    phone.unlock()
    page.locator("#item-findings textarea").wait_for()
    [draft] = phone.visits()
    assert draft["answers"]["findings"]["value"] == FINDINGS
    assert draft["answers"]["lessons_observed"]["note"] == NOTE
    assert page.locator("#item-findings textarea").input_value() == FINDINGS
    assert page.locator("#item-lessons_observed textarea").input_value() == NOTE
    for item in ("findings", "lessons_observed"):
        counter = page.locator(f"#item-{item} .counter")
        assert counter.inner_text().startswith(OVER) and "over" in counter.get_attribute("class")
    screenshot(page, "form-text-over-the-limit")

    page.get_by_role("link", name="Review and complete").click()
    page.get_by_text("things to finish before completing").wait_for()
    problems = page.locator(".problems")
    assert problems.get_by_text("This is too long. Shorten it.").count() == 2
    assert page.get_by_role("button", name="Complete visit").is_disabled()

    # Shortened back within the limit, the visit completes.
    page.get_by_role("link", name="‹ Back to the form").click()
    page.locator("#item-findings textarea").fill(FINDINGS[:4000])
    page.locator("#item-lessons_observed textarea").fill(NOTE[:4000])
    counter = page.locator("#item-findings .counter")
    assert counter.inner_text().startswith("4,000 of 4,000 characters\n") and "over" not in counter.get_attribute("class")
    page.get_by_role("link", name="Review and complete").click()
    page.get_by_text("Everything needed is answered.").wait_for()
    assert phone.errors == []


def test_a_concern_and_an_action_over_their_limits_are_kept_and_stop_completion(phone):
    page = phone.open().sign_in().page
    start_qa_visit(phone)
    answer_qa_visit(phone, concern="Pupil said an older boy takes his lunch money.")
    page.get_by_label("What is the concern?").fill("")
    paste(page, "#concern-box textarea >> nth=0", "x" * 10001)
    assert page.locator("#concern-box .counter").first.inner_text().startswith("10,001 of 10,000 characters — 1 too many")
    page.get_by_role("button", name="+ Add a follow-up action").last.click()
    page.get_by_label("What needs to happen?").fill("y" * 2001)
    page.get_by_label("Who will do it?").fill("AP leader")
    page.get_by_label("By when?").fill(days_from_today(7))
    page.get_by_text("Saved on this phone at").wait_for()

    page.get_by_role("link", name="Review and complete").click()
    page.get_by_text("things to finish before completing").wait_for()
    text = page.locator(".problems").inner_text()
    assert "What is the concern? This is too long (10,001 of 10,000 characters — 1 too many)" in text
    assert "What needs to happen? This is too long (2,001 of 2,000 characters — 1 too many)" in text
    assert page.get_by_role("button", name="Complete visit").is_disabled()
    [draft] = phone.visits()
    assert len(draft["concern"]["text"]) == 10001 and len(draft["actions"][0]["description"]) == 2001
    assert phone.errors == []
