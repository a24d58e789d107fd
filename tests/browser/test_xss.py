import pytest

from ..factories import add_member, make_user, make_workspace
from ..security.xss import hostile_decision
from .conftest import signed_in

pytestmark = pytest.mark.browser


def test_no_dialog_fires_and_no_request_leaves(page, live_server, transactional_db):
    workspace = make_workspace("team")
    add_member(workspace, make_user("reader"), "viewer")
    decision = hostile_decision(workspace)
    dialogs, outside = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(live_server.url) else outside.append(request.url)
        ),
    )
    signed_in(page, live_server, "reader")
    page.goto(f"{live_server.url}{decision.get_absolute_url()}")
    page.wait_for_load_state("networkidle")
    page.mouse.move(200, 300)
    page.mouse.move(400, 600)
    # One query for the visible ones: asking each of the ~500 links in turn takes seconds.
    visible = page.locator(".record-body a, .record-body img").filter(visible=True)
    for element in visible.all()[:30]:
        element.hover()
    page.wait_for_timeout(500)
    assert dialogs == []
    assert [url for url in outside if not url.startswith("data:")] == []
