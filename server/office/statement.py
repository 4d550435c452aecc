"""The accessibility statement, which public bodies must publish (Public Sector Bodies
Accessibility Regulations 2018): open to anyone, signed in or not. Its text is
docs/accessibility.md's, kept in the template."""
from flask import render_template

from server.office import office


@office.get("/accessibility")
def accessibility_statement():
    return render_template("office/accessibility.html")
