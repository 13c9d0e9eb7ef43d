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
