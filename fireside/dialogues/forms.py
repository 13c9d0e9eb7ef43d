from typing import Any

from django import forms

from fireside.communities.models import Community
from fireside.dialogues.actions import TITLE_MAX

SEQ_MAX = 2**31 - 1


class ProposalForm(forms.Form):
    """Where to publish a conversation and which of its messages. The choices are the
    communities both members belong to; "under the post" appears when the conversation
    started from a post that is still up."""

    community = forms.ChoiceField(
        label="Community",
        help_text="A community you both belong to. Its readers will see the dialogue.",
    )
    under_post = forms.BooleanField(
        label="Publish it under the post the conversation started from",
        required=False,
    )
    from_seq = forms.IntegerField(label="From message", min_value=1, max_value=SEQ_MAX)
    to_seq = forms.IntegerField(label="To message", min_value=1, max_value=SEQ_MAX)
    title = forms.CharField(
        label="Title (optional)",
        max_length=TITLE_MAX,
        required=False,
        help_text="Left empty, the dialogue takes the post's title, or your two names.",
    )

    def __init__(
        self, *args: Any, communities: list[Community], post: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.communities = {community.slug: community for community in communities}
        field = self.fields["community"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(c.slug, c.name) for c in communities]
        if post is None:
            del self.fields["under_post"]
        else:
            self.fields[
                "under_post"
            ].label = (
                f"Publish it under the post “{post.title}” (in {post.community.name})"
            )
