"""Forms check only the shape of input; accounts.actions.suspend_account checks the rules."""

from django import forms

from fireside.staff.permissions import REASON_MAX_LENGTH


class SuspendForm(forms.Form):
    handle = forms.CharField(widget=forms.HiddenInput, max_length=60)
    reason = forms.CharField(
        label="Why is this account suspended?",
        # Loose on purpose: the action counts after trimming and says by how much.
        max_length=REASON_MAX_LENGTH * 2,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            f"Kept with the record for the other administrators, up to "
            f"{REASON_MAX_LENGTH:,} characters."
        ),
        error_messages={"required": "Say why the account is suspended."},
    )
