"""The whole way: a concern raised in the phone app in Chromium syncs, the worker mails the DSL
through a real SMTP server, and the link in the message opens the concern once the DSL signs in."""
import pytest

from tests.conftest import LiveServer, free_port, office_code_step, screenshot
from tests.e2e.conftest import Phone, answer_qa_visit, complete_visit, start_qa_visit, sync_now, wait_for_state

pytestmark = pytest.mark.e2e
CONCERN = "Pupil said an older boy at the bus stop takes his money."


@pytest.fixture
def server_with_links(app, demo, database_uri, tmp_path):
    port = free_port()
    server = LiveServer(database_uri, tmp_path, port=port,
                        extra_env={"PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}).start()
    yield server
    server.stop()


def test_a_concern_raised_on_the_phone_reaches_the_dsls_mailbox_and_opens_after_sign_in(
        server_with_links, phone_context, desktop_context, smtp_server, start_worker):
    start_worker()
    phone = Phone(phone_context.new_page(), server_with_links.url).open().sign_in()
    start_qa_visit(phone)
    answer_qa_visit(phone, concern=CONCERN)
    complete_visit(phone)
    sync_now(phone)
    wait_for_state(phone, "complete")

    assert smtp_server.mailbox.wait_for(1) == 1
    [message] = smtp_server.mailbox.messages()
    assert message["To"] == "dsl@riverside.example"
    assert CONCERN.encode() not in smtp_server.mailbox.received[0][1]
    link = message.get_content().split("Open it: ")[1].split()[0]

    page = desktop_context.new_page()
    page.goto(link)
    page.get_by_label("Email").fill("dsl@riverside.example")
    page.get_by_label("Password").fill("demo-password-2026")
    page.get_by_role("button", name="Sign in").click()
    office_code_step(page, "dsl@riverside.example")
    page.get_by_role("heading", name="Safeguarding concern", exact=False).first.wait_for()
    assert CONCERN in page.content()
    screenshot(page, "concern-opened-from-alert")
