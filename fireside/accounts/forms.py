"""Forms check only the shape of input; the actions check the rules, for pages and API alike."""

from django import forms

from fireside.accounts.actions import BIO_MAX, DISPLAY_NAME_MAX, TOKEN_NAME_MAX


class SignupForm(forms.Form):
    handle = forms.CharField(
        max_length=60,
        help_text="3–30 letters a–z, digits and underscores. People will know you as @handle.",
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    display_name = forms.CharField(
        max_length=200,
        help_text="The name people see, such as “Ada Lovelace”.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.CharField(
        max_length=254,
        help_text="For a verification link and password resets. Never shown to anyone.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        strip=False,
        help_text="At least 8 characters, not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class LoginForm(forms.Form):
    login = forms.CharField(
        label="Handle or email",
        max_length=254,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        strip=False,
        help_text="At least 8 characters, not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ResetRequestForm(forms.Form):
    email = forms.CharField(
        max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class ResetPasswordForm(forms.Form):
    new_password = forms.CharField(
        strip=False,
        help_text="At least 8 characters, not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        max_length=DISPLAY_NAME_MAX * 4,
        help_text=f"Up to {DISPLAY_NAME_MAX} characters.",
    )
    bio = forms.CharField(
        required=False,
        max_length=BIO_MAX * 4,
        help_text=f"A few words about you, in Markdown. Up to {BIO_MAX} characters.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    interests = forms.CharField(
        required=False,
        max_length=1000,
        help_text="Topics you care about, separated by commas: “astronomy, board-games”.",
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=TOKEN_NAME_MAX * 2,
        help_text="What the token is for, such as “phone” or “backup script”.",
    )
