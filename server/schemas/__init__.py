"""marshmallow schemas: the only place input is validated and output is shaped."""
