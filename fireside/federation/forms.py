from typing import Any

from django import forms


class FollowSettingsForm(forms.Form):
    follows = forms.ChoiceField(
        label="When someone on another server wants to follow you",
        choices=[
            ("approve", "Ask me first (I accept or refuse each request)"),
            ("automatic", "Accept them automatically"),
        ],
        widget=forms.RadioSelect,
        help_text="Followers receive your public posts and published dialogues. "
        "Only you see who follows you, and nobody sees how many.",
    )


class FollowDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("refuse", "Refuse")])


class InstanceBlockForm(forms.Form):
    domain = forms.CharField(
        label="Domain",
        max_length=255,
        help_text="The server's domain, such as spam.example. Its subdomains are "
        "blocked with it.",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class UnblockForm(forms.Form):
    domain = forms.CharField(max_length=255)


class BlocksImportForm(forms.Form):
    file = forms.FileField(
        label="A CSV file",
        required=False,
        help_text="Mastodon's export (#domain,#severity,...,#public_comment) or a "
        "plain list with the header domain,reason.",
    )
    text = forms.CharField(
        label="Or paste the list",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    #: The largest file read, in bytes.
    MAX_BYTES = 2 * 1024 * 1024

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > self.MAX_BYTES:
                raise forms.ValidationError("The file is larger than 2 MB.")
            try:
                cleaned["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise forms.ValidationError(
                    "The file is not UTF-8 text; save it as CSV (UTF-8)."
                ) from error
        if not (cleaned.get("text") or "").strip():
            raise forms.ValidationError("Choose a CSV file or paste the list.")
        return cleaned
