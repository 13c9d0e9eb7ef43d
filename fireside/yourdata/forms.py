from django import forms


class DeletionForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        required=False,  # the action says what is missing, in the same words as the API
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label="I understand that after 14 days my account and what is mine are deleted "
        "for good.",
        error_messages={"required": "Tick the box to confirm that you understand."},
    )
