class ApplicationError(Exception):
    """The one error a service raises; its message is shown to the user as it is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def apply_error(form, exc: ApplicationError, fallback: str | None = None) -> None:
    """A service's error on the form field it names (or `fallback`), else above the form."""
    field = exc.field if exc.field in form.fields else fallback
    form.add_error(field, exc.message)
