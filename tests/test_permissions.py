"""The permission table (server/permissions.py) is the one answer to "who may do X": every office
page and API route asks a named permission, the office navigation shows each link to exactly the
roles its page serves, no other file lists roles for a decision, every permission is asked
somewhere, and docs/security.md shows the table as it is."""
import ast
import re
from pathlib import Path

import pytest
from flask import url_for

from server.office.nav import NAV
from server.permissions import PERMISSIONS, roles_with
from server.vocabulary import ROLES, labels

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "server"
# Routes anyone may reach: signing in and out, the links a person is handed, the phone's shell.
PUBLIC = {"office.sign_in", "office.sign_out", "office.set_password", "office.join_school", "office.switch_school",
          "office.static", "api.csrf_token", "api.me", "api.openapi", "api.sign_in", "api.sign_out",
          "health.healthz", "health.readyz", "health.alert_health", "pwa_shell.index", "pwa_shell.asset", "pwa_shell.vocabulary",
          "pwa_shell.service_worker", "api.sign_in_second_factor", "office.sign_in_code", "office.sign_in_enrol",
          "office.accessibility_statement", "api.passkey_options", "api.sign_in_passkey", "office.sign_in_passkey",
          "office.sign_in_passkey_options"}
# Pages about the signed-in person themselves, not a school's records (office/account.py's own_page):
# their sessions, their own two-step sign-in and their passkeys.
OWN_ACCOUNT = {"office.my_sessions", "office.my_session_end", "office.two_step", "office.two_step_start",
               "office.two_step_confirm", "office.two_step_off", "office.two_step_recovery_codes",
               "office.my_passkeys", "office.my_passkey_options", "office.my_passkey_add", "office.my_passkey_remove"}


def test_every_route_asks_a_named_permission_or_is_public(app):
    unnamed = {rule.endpoint for rule in app.url_map.iter_rules()
               if getattr(app.view_functions[rule.endpoint], "permission", None) is None} - PUBLIC - OWN_ACCOUNT
    assert not unnamed, f"these routes ask no permission (office_page / require_permission): {sorted(unnamed)}"
    asked = {app.view_functions[rule.endpoint].permission for rule in app.url_map.iter_rules()
             if rule.endpoint not in PUBLIC | OWN_ACCOUNT}
    assert asked <= set(PERMISSIONS)


def test_each_nav_entry_names_the_permission_its_page_asks(app):
    for endpoint, label, permission in NAV:
        if endpoint == "office.home":
            # The landing page serves everyone; "To do" is the list only some of them have.
            assert app.view_functions[endpoint].permission == "office.open"
            continue
        assert app.view_functions[endpoint].permission == permission, label


def _nav_links(html):
    nav = re.search(r'<nav aria-label="Office">(.*?)</nav>', html, re.S)
    return set(re.findall(r'href="([^"]+)"', nav.group(1))) if nav else set()


@pytest.mark.parametrize("role", ROLES)
def test_a_nav_link_is_shown_exactly_to_the_roles_its_page_serves(app, office_as, role):
    client = office_as(role)
    home = client.get("/office/")
    assert home.status_code == 200
    shown = _nav_links(home.get_data(as_text=True))
    for endpoint, label, _ in NAV:
        if endpoint == "office.home":
            continue
        with app.test_request_context():
            path = url_for(endpoint)
        status = client.get(path).status_code
        assert status in (200, 403), (label, status)
        if status == 200:
            assert path in shown, f"{role} may open {label} but the navigation hides it"
        else:
            assert path not in shown, f"{role} is shown {label} but the page refuses them"




@pytest.mark.parametrize("role", ROLES)
def test_links_inside_pages_are_shown_only_to_those_their_pages_serve(app, demo, office_as, role):
    """Pages offer links to other pages ("Edit agreement", "Placement record" on the register...)
    through url_if_allowed: a link shown to someone its page then refuses (403) is a broken promise.
    Walks every page the navigation shows this role, and the records it may open."""
    client = office_as(role)
    placement = demo.placements()[0]
    pages = {"/office/"} | _nav_links(client.get("/office/").get_data(as_text=True))
    pages |= {f"/office/placements/{placement.uuid}/record", f"/office/providers/{placement.provider.uuid}/record"}
    for page in sorted(pages):
        answer = client.get(page)
        if answer.status_code != 200:
            continue
        main = answer.get_data(as_text=True).split("<main", 1)[1]
        for href in sorted(set(re.findall(r'href="(/office/[^"#?]+)"', main)) - pages):
            assert client.get(href).status_code != 403, f"{role} is shown {href} on {page} but it refuses them"


def _role_lists(tree):
    """(line, where) of every tuple, list or set literal made only of role codes."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and node.elts and all(
                isinstance(e, ast.Constant) and e.value in ROLES for e in node.elts):
            owner = parents.get(node)
            while owner is not None and not isinstance(owner, (ast.Assign, ast.keyword)):
                owner = parents.get(owner)
            name = None
            if isinstance(owner, ast.Assign) and isinstance(owner.targets[0], ast.Name):
                name = owner.targets[0].id
            elif isinstance(owner, ast.keyword):
                name = owner.arg
            yield node.lineno, name


# Role lists that decide nothing: who may give which role (the other half of the table), the
# staff mix of synthetic benchmark schools, and the role an "add staff" form starts ticked.
NOT_DECISIONS = {("services/staff.py", "GIVEN_BY"), ("dev/synthetic.py", "STAFF_MIX"),
                 ("office/staff.py", "chosen_roles")}


def test_no_file_but_the_permission_table_lists_roles_for_a_decision():
    found = []
    for path in sorted(SERVER.rglob("*.py")):
        name = path.relative_to(SERVER).as_posix()
        if name in ("permissions.py", "vocabulary.py") or name.startswith("migrations/"):
            continue
        source = path.read_text(encoding="utf-8")
        found += [f"{name}:{source.count(chr(10), 0, match.start()) + 1} {match[1]}"
                  for match in re.finditer(r"^(\w+_ROLES)\s*=", source, re.M)]
        found += [f"{name}:{line} {owner}" for line, owner in _role_lists(ast.parse(source))
                  if (name, owner) not in NOT_DECISIONS]
    assert not found, "roles listed outside server/permissions.py (name a permission instead): " + ", ".join(found)


def test_every_permission_is_asked_somewhere():
    sources = "\n".join(path.read_text(encoding="utf-8") for path in SERVER.rglob("*.py")
                        if path.name != "permissions.py")
    unused = [name for name in PERMISSIONS if f'"{name}"' not in sources]
    assert not unused, f"permissions nothing asks: {unused}"


def test_the_security_doc_shows_the_permission_table():
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) == len(ROLES) + 1:
            rows[cells[0].strip("`")] = tuple(role for role, cell in zip(ROLES, cells[1:]) if cell == "✓")
    assert rows == {name: tuple(role for role in ROLES if role in roles_with(name)) for name in PERMISSIONS}, (
        "docs/security.md's permission table differs from server/permissions.py: paste in the output of "
        "`python -m tests.test_permissions`")


def markdown_table():
    """The permission table as docs/security.md shows it."""
    names = dict(labels("roles"), dsl="DSL")
    lines = ["| permission | " + " | ".join(names[role] for role in ROLES) + " |", "|---|" + "---|" * len(ROLES)]
    lines += [f"| `{name}` | " + " | ".join("✓" if role in roles else "" for role in ROLES) + " |"
              for name, roles in PERMISSIONS.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
