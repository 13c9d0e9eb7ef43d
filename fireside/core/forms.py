from django import forms

from fireside.core.exceptions import ValidationFailed


def add_action_errors(form: forms.Form, error: ValidationFailed) -> None:
    """Show an action's field errors on FORM; errors for fields it lacks go on top."""
    for field, messages in error.errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
