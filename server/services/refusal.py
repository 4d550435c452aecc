"""The one exception the office services raise when the rules turn a request down. Its message
is written for the person at the desk; the view shows it beside the form and saves nothing."""


class Refused(Exception):
    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field  # the form field the message belongs to, when there is one
