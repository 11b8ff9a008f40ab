"""User-facing capture errors: printed as one line by the CLI, never as a traceback."""


class CaptureError(Exception):
    """The kernel, its arguments or its config cannot be captured."""


class SpecError(CaptureError):
    """A spec violates the interchange schema; the message starts with the JSON path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
