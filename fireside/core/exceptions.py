"""Domain failures. Actions raise these; one ninja handler and one middleware turn them into
responses, so pages and the API refuse the same things with the same sentence."""


class DomainError(Exception):
    """A refusal a person can understand. `message` is shown as is; `code` is for machines."""

    status = 400
    code = "invalid"
    default_message = "That could not be done."

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = str(message or self.default_message)
        if code:
            self.code = code
        super().__init__(self.message)


class ValidationFailed(DomainError):
    """Input broke a rule. `errors` maps each field to the sentences that explain why."""

    default_message = "Some fields need another look."

    def __init__(
        self,
        errors: dict[str, list[str]],
        message: str | None = None,
        *,
        code: str | None = None,
    ) -> None:
        self.errors = {field: [str(m) for m in msgs] for field, msgs in errors.items()}
        if message is None and len(self.errors) == 1:
            ((field, messages),) = self.errors.items()
            message = messages[0]
        super().__init__(message, code=code)


class NotAllowed(DomainError):
    status = 403
    code = "forbidden"
    default_message = "You are not allowed to do that."


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = "There is nothing here, or it is not visible to you."


class RateLimited(DomainError):
    """A limit was reached. `retry_after` is in whole seconds, always at least 1."""

    status = 429
    code = "rate_limited"

    def __init__(
        self, message: str, *, retry_after: int, code: str | None = None
    ) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(message, code=code)
