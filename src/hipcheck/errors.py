"""Errors a user can act on. The CLI and web print their message, never a traceback."""


class HipcheckError(Exception):
    """A problem the user can fix: the message names the file or field and what to do."""


class InputError(HipcheckError):
    """Bad input: a file, a field or an option value."""


class KnowledgeBaseError(HipcheckError):
    """The knowledge base failed its load-time checks."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        head = errors[0] if errors else "unknown error"
        more = f" (and {len(errors) - 1} more; run `hipcheck kb check`)" if len(errors) > 1 else ""
        super().__init__(f"knowledge base: {head}{more}")
