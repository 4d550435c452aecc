"""Layout at phone size (390×844): nothing wider than the screen, and the DSL button clear of
the bottom bar's edges, even with a provider's long web address."""
import pytest

from server.models import Provider
from tests.conftest import screenshot
from tests.e2e.conftest import server_rows

pytestmark = pytest.mark.e2e

# No hyphens or spaces to break at, as many real addresses are.
LONG_WEBSITE = "https://www.greenwayfarmlearningcentreandruralskillsacademy.example/policies/safeguardingpolicy2025.pdf"

# Every box, and every run of text (a box can stay narrow while its text spills out of it).
TOO_WIDE = """() => {
    const wide = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
        if (element.offsetParent === null || element.closest('.visually-hidden')) continue;
        let right;
        if (node.nodeType === Node.TEXT_NODE) {
            const range = document.createRange();
            range.selectNodeContents(node);
            right = Math.max(0, ...[...range.getClientRects()].map((rect) => rect.right));
        } else {
            right = node.getBoundingClientRect().right;
        }
        if (right > window.innerWidth + 0.5) wide.push(`${element.tagName.toLowerCase()}.${element.className}: ${node.textContent.slice(0, 40)} (${Math.round(right)}px)`);
    }
    return wide;
}"""


def test_a_long_provider_web_address_wraps_and_the_dsl_button_has_room(phone, app):
    from server.extensions import db
    provider = next(p for p in server_rows(Provider) if p.name.startswith("Greenway Farm"))
    provider.website = LONG_WEBSITE
    db.session.commit()

    page = phone.open().sign_in().page
    page.locator(".row-link", has_text="Greenway Farm Learning").click()
    page.get_by_text(LONG_WEBSITE).wait_for()
    assert page.evaluate("() => window.innerWidth") == 390
    screenshot(page, "provider-long-website")
    assert page.evaluate(TOO_WIDE) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390

    # "Call DSL" sits inside its button with room, and the button inside the bar with room.
    bar = page.locator(".bottom-nav").bounding_box()
    dsl = page.locator(".dsl-button").bounding_box()
    words = page.evaluate("""() => {
        const range = document.createRange();
        range.selectNodeContents(document.querySelector('.dsl-button'));
        const rect = range.getBoundingClientRect();
        return { x: rect.left, width: rect.width };
    }""")
    assert words["x"] - dsl["x"] >= 6 and dsl["x"] + dsl["width"] - (words["x"] + words["width"]) >= 6
    assert dsl["y"] - bar["y"] >= 6 and bar["y"] + bar["height"] - (dsl["y"] + dsl["height"]) >= 6
    assert dsl["x"] >= 4 and dsl["x"] + dsl["width"] <= 390 - 4
    # Nor do the other links' words touch the screen's edges.
    edges = page.evaluate("""() => [...document.querySelectorAll('.bottom-nav a')].map((link) => {
        const range = document.createRange();
        range.selectNodeContents(link);
        const rect = range.getBoundingClientRect();
        return [rect.left, rect.right];
    })""")
    assert all(left >= 4 and right <= 390 - 4 for left, right in edges), edges
    assert phone.errors == []
