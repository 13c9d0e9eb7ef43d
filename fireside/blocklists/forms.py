"""Forms check only the shape of input; the actions check the rules."""

from typing import Any

from django import forms

from fireside.blocklists.actions import DESCRIPTION_MAX, NAME_MAX, REASON_MAX
from fireside.blocklists.models import BlocklistSubscription


class BlocklistForm(forms.Form):
    name = forms.CharField(
        label="Name of the list",
        required=False,
        max_length=NAME_MAX * 2,
        help_text="Such as “Spam accounts seen in astronomy communities”.",
        widget=forms.TextInput(attrs={"required": True, "aria-required": "true"}),
    )
    description = forms.CharField(
        label="What belongs on it",
        required=False,
        max_length=DESCRIPTION_MAX * 2,
        help_text="Other cohorts read this before they subscribe.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EntryForm(forms.Form):
    handle = forms.CharField(
        label="Handle",
        max_length=100,
        help_text="Such as @ada.",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=REASON_MAX * 2,
        help_text="What happened, so other cohorts can judge. Required.",
        widget=forms.Textarea(
            attrs={"rows": 2, "required": True, "aria-required": "true"}
        ),
    )


class PublishForm(forms.Form):
    published = forms.BooleanField(required=False)


class SubscriptionForm(forms.Form):
    blocklist = forms.TypedChoiceField(label="List", coerce=int)
    mode = forms.ChoiceField(
        label="When a member on it asks to join",
        choices=BlocklistSubscription.Mode.choices,
        initial=BlocklistSubscription.Mode.QUEUE,
        widget=forms.RadioSelect,
    )

    def __init__(
        self, *args: Any, blocklists: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["blocklist"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = blocklists
