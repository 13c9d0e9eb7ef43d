"""Forms check only the shape of input; the actions check the rules (length included, so
that pages and the API refuse an over-long message with the same sentence)."""

from django import forms

from fireside.accounts.models import Member
from fireside.conversations.models import Conversation

MESSAGE_HELP = "Markdown works. Up to 4,000 characters."


class FindMemberForm(forms.Form):
    to = forms.CharField(
        label="Who would you like to talk with?",
        max_length=300,
        help_text="A handle: @name for someone here, @name@server for someone on "
        "another server of the fediverse.",
    )


class RequestForm(forms.Form):
    message = forms.CharField(
        label="Opening message",
        required=False,
        help_text="Say why you would like to talk. " + MESSAGE_HELP,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        required=False,
        help_text=MESSAGE_HELP,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Lets a retried send (after a lost answer) return the first message.
    client_id = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput()
    )


class EditMessageForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        required=False,
        help_text=MESSAGE_HELP,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class RequestSettingsForm(forms.Form):
    who_may_ask = forms.ChoiceField(
        label="Who may ask me for a conversation",
        choices=Member.WhoMayAsk.choices,
        widget=forms.RadioSelect,
        help_text="Nobody can message you before you accept their request.",
    )


class TrayForm(forms.Form):
    tray = forms.ChoiceField(choices=Conversation.Tray.choices)


class PauseForm(forms.Form):
    requests = forms.ChoiceField(choices=[("pause", "Pause"), ("resume", "Resume")])
