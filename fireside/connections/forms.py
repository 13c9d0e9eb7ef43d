"""Forms check only the shape of input; the actions check the rules."""

from django import forms

from fireside.conversations.forms import MESSAGE_HELP


class OfferForm(forms.Form):
    handle = forms.CharField(max_length=30)
    conversation = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class ReconnectForm(forms.Form):
    message = forms.CharField(
        label="Opening message",
        required=False,
        help_text="They decide whether to talk again, as with any request. "
        + MESSAGE_HELP,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ReminderSettingsForm(forms.Form):
    audit_reminder = forms.BooleanField(
        label="Remind me once a month to look over my connections",
        required=False,
        help_text="A quiet notice on your home page (and in the email digest, if it is "
        "on).",
    )
    email_digest = forms.BooleanField(
        label="Email me a daily digest of conversations waiting on me",
        required=False,
        help_text="Only conversations where the other person wrote last, more than 3 "
        "days ago. Off unless you switch it on.",
    )
