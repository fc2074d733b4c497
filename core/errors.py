"""The one exception of a refused workflow."""


class Refused(Exception):
    """A rule refused the request; the message is for the caseworker, in Chinese. Services
    raise it; views show it beside the form or as a message, and nothing is saved."""
