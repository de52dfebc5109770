"""The one error type that every layer raises for problems a user can fix."""


class ComityError(Exception):
    """A user-facing error: its message says what went wrong, where, and how to fix it.

    The command line prints it without a traceback and exits non-zero; the server maps it
    to a 4xx answer. Anything else that escapes is a real fault.
    """
