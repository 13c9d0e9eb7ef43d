"""Forms check only the shape of input; actions.file_report checks the rules."""

from typing import Any

from django import forms

from fireside.moderation.actions import REASON_MAX_LENGTH


class ReportForm(forms.Form):
    rule = forms.TypedChoiceField(
        label="Which rule does it break?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the rule that this breaks."},
    )
    reason = forms.CharField(
        label="What is wrong?",
        # Loose on purpose: the action counts after trimming and says by how much.
        max_length=REASON_MAX_LENGTH * 2,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            f"A few words for the reviewers, up to {REASON_MAX_LENGTH:,} characters. "
            "The person you report is not told who reported them."
        ),
        error_messages={"required": "Say in a few words what is wrong."},
    )

    def __init__(self, *args: Any, rules: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rules:
            rule = self.fields["rule"]
            assert isinstance(rule, forms.TypedChoiceField)
            rule.choices = [
                (rule.number, f"{rule.number}. {rule.text}") for rule in rules
            ]
        else:
            del self.fields["rule"]
