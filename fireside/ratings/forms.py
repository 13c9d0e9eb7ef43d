from django import forms

from fireside.ratings.models import TAGS, RatingValue


class RatingForm(forms.Form):
    value = forms.ChoiceField(
        choices=RatingValue.choices,
        required=False,
        error_messages={"invalid_choice": "Choose helpful, somewhat or not helpful."},
    )
    tags = forms.MultipleChoiceField(
        choices=list(TAGS.items()),
        required=False,
        error_messages={"invalid_choice": "Choose reasons from the list."},
    )
    withdraw = forms.BooleanField(required=False)
