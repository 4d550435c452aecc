"""The signed-in member of staff."""
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from server.api import api
from server.api.docs import documented
from server.api.wire import respond
from server.schemas.accounts import MeSchema

# Built once: building a schema deep-copies its fields, which costs more than using it.
ME = MeSchema()


@api.get("/me")
@login_required
@documented("Who is signed in, their roles per school, and a CSRF token", responses={200: MeSchema}, tags=["session"])
def me():
    return respond(ME, who_is(current_user))


def who_is(user):
    """The signed-in user as MeSchema shows them, with a CSRF token for their writes."""
    return {"uuid": user.uuid, "email": user.email, "full_name": user.full_name,
            "memberships": user.memberships, "csrf_token": generate_csrf(), "offline_key": user.offline_key}
