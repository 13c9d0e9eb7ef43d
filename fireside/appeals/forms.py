"""Forms check only the shape of input; appeals/actions.py checks the rules."""

from django import forms

from fireside.appeals.models import Appeal
from fireside.appeals.permissions import REASON_MAX_LENGTH


class AppealForm(forms.Form):
    reason = forms.CharField(
        label="Why should this action be reviewed?",
        # Loose on purpose: the action counts after trimming and says by how much.
        max_length=REASON_MAX_LENGTH * 2,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            f"Up to {REASON_MAX_LENGTH:,} characters. A moderator who did not take "
            "part in the action reviews it; you can appeal each action once."
        ),
        error_messages={"required": "Say why the action should be reviewed."},
    )


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Your decision",
        choices=[
            (Appeal.State.STANDS.value, "The action stands"),
            (Appeal.State.OVERTURNED.value, "Overturn the action (lift it)"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether the action stands or is overturned."
        },
    )
    reason = forms.CharField(
        label="Why?",
        max_length=REASON_MAX_LENGTH * 2,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The member who appealed reads this with your decision.",
        error_messages={"required": "Say why, for the member who appealed."},
    )
