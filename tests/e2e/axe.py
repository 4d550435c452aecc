"""axe-core (vendored in tests/vendor/) run in a Playwright page: the serious and critical
WCAG 2.2 A/AA violations it finds."""
from pathlib import Path

AXE = next((Path(__file__).resolve().parents[1] / "vendor").glob("axe-core-*/axe.min.js"))
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page):
    """[(rule id, impact, first few elements)] of serious or critical violations on the page now.
    Pages send a strict CSP; the context that calls this must have bypass_csp=True."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE.read_text())
    found = page.evaluate("""async (tags) => {
        const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
          .map(v => [v.id, v.impact, v.nodes.slice(0, 3).map(n =>
            n.target.join(' ') + ' ' + (n.failureSummary || '').split('\\n').slice(1, 2).join(''))]);
    }""", TAGS)
    return [tuple(v) for v in found]
