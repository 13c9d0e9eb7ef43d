"""Forms check only the shape of input; the actions check the rules, for pages and API alike.

Fields that an action explains better (an empty name, too many topics) are not required
here, so that the person reads the action's sentence instead of "This field is required."
"""

from typing import Any

from django import forms
from django.urls import reverse_lazy

from fireside.communities.actions import (
    DESCRIPTION_MAX,
    INVITE_DAYS_MAX,
    NAME_MAX,
    RULE_MAX,
    RULES_MAX,
    TOPICS_MAX,
)
from fireside.communities.models import Community


def _required(attrs: dict[str, Any] | None = None) -> dict[str, Any]:
    # Announced as required by screen readers; the action says why when it is empty.
    return {"required": True, "aria-required": "true", **(attrs or {})}


def _live(trigger: str) -> dict[str, Any]:
    # With JavaScript, the results update in place while the person types or picks;
    # without it, the surrounding form is a plain GET form.
    return {
        "hx-get": reverse_lazy("community_list"),
        "hx-trigger": trigger,
        "hx-include": "closest form",
        "hx-target": "#directory-results",
        "hx-push-url": "true",
        "hx-sync": "closest form:replace",
    }


class DirectoryForm(forms.Form):
    q = forms.CharField(
        label="Search communities",
        required=False,
        max_length=200,
        widget=forms.SearchInput(
            attrs={
                "autocomplete": "off",
                "placeholder": "astronomy, knitting, chess…",
                **_live("input changed delay:300ms, search"),
            }
        ),
    )
    topic = forms.CharField(
        label="Topic",
        required=False,
        max_length=60,
        widget=forms.Select(attrs=_live("change")),
    )
    sort = forms.ChoiceField(
        label="Order",
        required=False,
        widget=forms.Select(attrs=_live("change")),
        choices=[
            ("", "Best match"),
            ("name", "Name, A to Z"),
            ("newest", "Newest first"),
        ],
    )

    def __init__(self, *args: Any, topics: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = str(self.data.get("topic") or "").strip()
        names = topics if not chosen or chosen in topics else [*topics, chosen]
        widget = self.fields["topic"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = [("", "All topics"), *((name, name) for name in names)]


class CommunityDetailsForm(forms.Form):
    name = forms.CharField(
        required=False,
        max_length=NAME_MAX * 4,
        help_text=f"Up to {NAME_MAX} characters, such as “Night Sky Watchers”.",
        widget=forms.TextInput(attrs=_required()),
    )
    description = forms.CharField(
        required=False,
        max_length=DESCRIPTION_MAX * 2,
        help_text="What people talk about here, and for whom. Markdown works. "
        "Search finds communities by these words.",
        widget=forms.Textarea(attrs=_required({"rows": 6})),
    )
    topics = forms.CharField(
        required=False,
        max_length=1000,
        help_text=f"Up to {TOPICS_MAX}, separated by commas: “astronomy, night-sky”.",
    )
    visibility = forms.ChoiceField(
        label="Who may join",
        choices=Community.Visibility.choices,
        initial=Community.Visibility.OPEN,
        widget=forms.RadioSelect,
    )
    is_listed = forms.BooleanField(
        label="List it in the directory",
        required=False,
        initial=True,
        help_text="Unlisted communities are found only by their members and through "
        "invite links.",
    )


class RulesForm(forms.Form):
    rules = forms.CharField(
        label="Rules, one per line",
        required=False,
        max_length=RULES_MAX * RULE_MAX * 2,
        help_text=f"They are numbered in this order. Up to {RULES_MAX} rules.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean_rules(self) -> list[str]:
        return [
            line for line in self.cleaned_data["rules"].splitlines() if line.strip()
        ]


class CommunityForm(CommunityDetailsForm, RulesForm):
    slug = forms.CharField(
        label="Address",
        required=False,
        max_length=200,
        help_text="The community lives at /c/address/: 3–50 letters a–z, digits and "
        "hyphens, such as “night-sky”. It cannot change later.",
        widget=forms.TextInput(
            attrs=_required({"autocapitalize": "none", "spellcheck": "false"})
        ),
    )

    field_order = ["name", "slug", "description", "topics", "visibility", "is_listed"]


class JoinForm(forms.Form):
    note = forms.CharField(
        label="A note to the cohort (optional)",
        required=False,
        max_length=2000,
        help_text="Who you are, or why you would like to join.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("decline", "Decline")]
    )


class InviteForm(forms.Form):
    days = forms.TypedChoiceField(
        label="Valid for",
        coerce=int,
        choices=[
            (days, f"{days} day{'s' if days > 1 else ''}")
            for days in (1, 7, 14, INVITE_DAYS_MAX)
        ],
        initial=7,
        help_text="Each link lets one person in, once.",
    )


class CohortInviteForm(forms.Form):
    handle = forms.CharField(
        label="Member to invite",
        max_length=100,
        help_text="Their handle, such as @ada. They must already belong to the community; "
        "they are asked to moderate and can say no.",
        widget=forms.TextInput(
            attrs=_required({"autocapitalize": "none", "spellcheck": "false"})
        ),
    )


class CohortAnswerForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])


class HandoverForm(forms.Form):
    handle = forms.ChoiceField(
        label="New lead",
        help_text="They lead at once; you stay on as a moderator.",
    )

    def __init__(self, *args: Any, moderators: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["handle"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(handle, f"@{handle}") for handle in moderators]


class CohortSettingsForm(forms.Form):
    log_shows_handles = forms.BooleanField(
        label="Show who acted in the public log",
        required=False,
        help_text="Off: the log says “the cohort” did it, which shields each of you. "
        "On: it names the cohort member who acted.",
    )
    round_robin = forms.BooleanField(
        label="Assign new cases in turn",
        required=False,
        help_text="Each new case goes to the next moderator, so the work is shared.",
    )
