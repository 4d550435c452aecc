"""Every screen at phone size: screenshots for a person to look at, and the checks a person
with big thumbs or a screen reader relies on: every control labelled, every target at least
48 px tall, the DSL one tap away."""
import pytest

from tests.conftest import screenshot
from tests.e2e.conftest import add_photo, jpeg_bytes, start_qa_visit

pytestmark = pytest.mark.e2e

UNLABELLED = """() => [...document.querySelectorAll('main input, main textarea, main select')]
    .filter((el) => el.type !== 'hidden' && !el.classList.contains('visually-hidden')
        && !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
    .map((el) => el.outerHTML)"""

SMALL_TARGETS = """() => [...document.querySelectorAll('.button, .nav-link, .choice span, .row-link, .back, .dsl-button, summary')]
    .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().height < 48)
    .map((el) => `${el.textContent.trim()} (${el.getBoundingClientRect().height}px)`)"""


def look(phone, name):
    """Screenshot the screen and check it is usable by thumb and by screen reader."""
    assert phone.page.evaluate(UNLABELLED) == [], name
    assert phone.page.evaluate(SMALL_TARGETS) == [], name
    screenshot(phone.page, name)


def test_every_screen_is_labelled_big_enough_and_keeps_the_dsl_one_tap_away(phone):
    page = phone.open().page
    page.get_by_label("School email").wait_for()
    look(phone, "sign-in")

    phone.sign_in()
    look(phone, "today")
    dsl = page.get_by_role("link", name="Call DSL, Tom Ellery, on 01632 960001")
    assert dsl.get_attribute("href") == "tel:01632960001"
    assert dsl.is_visible()  # fixed at the bottom of every screen

    page.locator(".placement-card", has_text="Maya Chowdhury").click()
    page.get_by_text("Looked after").wait_for()
    look(phone, "placement")
    page.get_by_role("link", name="Start a visit").click()
    look(phone, "start-visit")

    page.get_by_role("link", name="Today", exact=True).click()
    page.locator(".row-link", has_text="Greenway Farm Learning").click()
    page.get_by_role("button", name="Start the provider check").wait_for()
    look(phone, "provider")

    start_qa_visit(phone)
    page.locator("#item-people_present input").nth(0).fill("Jo Hill")
    page.locator("#item-people_present input").nth(1).fill("Tutor")
    phone.answer("spoke_with_pupil", "no")          # needs a note and an action, shown at once
    page.get_by_label("Note (needed for this answer)").wait_for()
    page.get_by_text("A follow-up action is needed for this answer.").wait_for()
    phone.answer("work_reviewed", "yes")            # shows the photo question
    add_photo(phone, "work_photos", jpeg_bytes())
    phone.answer("concern_raised", "yes")           # the concern box moves to the question
    page.locator("#item-concern_raised .concern-box").wait_for()
    page.get_by_label("What is the concern?").fill("Pupil seemed withdrawn and hungry.")
    look(phone, "visit-form")

    page.get_by_role("link", name="Review and complete").click()
    page.get_by_text("things to finish before completing").wait_for()
    assert page.get_by_role("button", name="Complete visit").is_disabled()
    look(phone, "review-with-errors")
    page.locator(".problems > li", has_text="Did you speak with the pupil?").get_by_role("button", name="Go to it").click()
    page.wait_for_function("() => document.activeElement && document.activeElement.closest('#item-spoke_with_pupil')")
    assert page.locator("#item-spoke_with_pupil .item-errors").inner_text().startswith("Add a follow-up action")
    screenshot(page, "form-after-go-to-it")

    page.get_by_role("link", name="Sign out").click()
    page.get_by_text("1 visit has not reached the school yet").wait_for()
    look(phone, "sign-out")
    assert phone.errors == []


IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1")


def test_an_iphone_safari_tab_is_asked_to_install_to_the_home_screen_before_a_visit(browser, live_server):
    from tests.conftest import PHONE
    from tests.e2e.conftest import Phone
    context = browser.new_context(**PHONE, user_agent=IPHONE_SAFARI)
    try:
        phone = Phone(context.new_page(), live_server.url)
        page = phone.open().sign_in().page
        page.get_by_text("Add this app to your Home Screen before your first visit.").first.wait_for()
        page.locator(".placement-card").first.click()
        page.get_by_role("link", name="Start a visit").click()
        page.locator("main .install").wait_for()
        look(phone, "start-visit-iphone-safari")
    finally:
        context.close()
