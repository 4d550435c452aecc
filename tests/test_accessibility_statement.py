"""The accessibility statement public bodies must publish: open to anyone, linked from every
office page, signed in or not."""


def test_the_statement_is_public_and_linked_from_every_office_page(client, office_as):
    response = client.get("/office/accessibility")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Accessibility statement</h1>" in page and "WCAG 2.2" in page
    assert "Enforcement procedure" in page and "Feedback and contact" in page
    link = '<a href="/office/accessibility">Accessibility statement</a>'
    assert link in client.get("/office/sign-in").get_data(as_text=True)
    assert link in office_as("ap_leader").get("/office/").get_data(as_text=True)
