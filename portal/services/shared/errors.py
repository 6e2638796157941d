"""Named exceptions the services raise and the views map to messages or statuses."""


class ServiceError(Exception):
    """Base of the services' named errors; `str(error)` is a message for the user."""


class NotFoundError(ServiceError):
    """The object does not exist, or is outside the user's scope (answered as 404)."""


class ValidationError(ServiceError):
    """The input breaks a rule the form could not check; `field` names the input at fault."""

    def __init__(self, *args: object, field: str | None = None) -> None:
        super().__init__(*args)
        self.field = field


class IllegalTransitionError(ServiceError):
    """A report cannot move from its current status by this action."""


class ConflictError(ServiceError):
    """Somebody else changed the object first (e.g. claimed the report)."""
