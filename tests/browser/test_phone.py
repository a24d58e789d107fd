"""Every page on a phone: 390 by 844 CSS pixels, nothing wider than the screen, and every
control big enough to touch."""

import pytest
from axe_playwright_python.base import AXE_SCRIPT

from .conftest import signed_in
from .pages import every_admin_page, signed_out_pages

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# The WCAG 2.2 AA rules whose outcome depends on the screen's width: targets big enough to touch
# (2.5.8) and boxes that scroll reachable by keyboard. The desktop sweep runs all the others.
PHONE_RULES = """axe.run(document, {runOnly: {type: 'rule', values: [
  'target-size', 'scrollable-region-focusable', 'meta-viewport']}, resultTypes: ['violations']})"""

# The element reaching furthest right, to say where to look when a page is too wide.
WIDEST = """() => {
  let best = null, right = 0;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect().right;
    if (r > right + 0.5) { right = r; best = el; }
  }
  if (!best) return '';
  const cls = typeof best.className === 'string' && best.className
    ? '.' + best.className.trim().split(/\\s+/).join('.') : '';
  const id = best.id ? '#' + best.id : '';
  return `${best.tagName.toLowerCase()}${id}${cls} to ${Math.round(right)}px`;
}"""


def test_it_fits_every_page_in_a_phone_screen(browser, live_server, live_example):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.add_init_script(script=AXE_SCRIPT)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = []
    with every_admin_page() as pages:
        signed_in(page, live_server, "demo")
        # The header wraps: signing out is on the screen, not past its right edge.
        box = page.get_by_role("button", name="Sign out").bounding_box()
        if not box or box["x"] + box["width"] > PHONE["width"]:
            problems.append(f"the header: Sign out is off screen at {box}")
        for label, path in pages:
            response = page.goto(f"{live_server.url}{path}")
            assert response.ok, f"{label} {path}: {response.status}"
            if "text/html" not in response.headers.get("content-type", ""):
                continue  # a file (the API's description), shown by the browser's own viewer
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                problems.append(f"{label} {path}: {width}px, widest {page.evaluate(WIDEST)}")
            for v in page.evaluate(PHONE_RULES)["violations"]:
                if v["impact"] in {"serious", "critical"}:
                    where = "; ".join(", ".join(n["target"]) for n in v["nodes"][:3])
                    problems.append(f"{label} {path}: {v['id']} ({v['impact']}) at {where}")
    context.close()
    assert len(pages) > 30, pages
    assert not problems, "not fit for a 390px phone:\n" + "\n".join(problems)


def test_it_fits_the_signed_out_pages_in_a_phone_screen(browser, live_server, transactional_db):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    widths = {}
    for label, path in signed_out_pages():
        page.goto(f"{live_server.url}{path}")
        widths[label] = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert widths == dict.fromkeys(widths, PHONE["width"])
