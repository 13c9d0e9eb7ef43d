"""Forms check only the shape of input; the actions check the rules, for pages and API alike."""

from django import forms

from fireside.posts.actions import BODY_MAX, TITLE_MAX, TOPICS_MAX

#: The longest search a person might type; longer input is refused, not cut.
QUERY_MAX = 200


class PostForm(forms.Form):
    # The caps are loose on purpose: the action counts after trimming and says by how much.
    title = forms.CharField(
        max_length=TITLE_MAX * 2,
        error_messages={"required": "Give the post a title."},
        help_text="What do you want to talk about? One line.",
    )
    body = forms.CharField(
        max_length=BODY_MAX * 2,
        error_messages={"required": "Write something in the post."},
        help_text=(
            "Markdown works: **bold**, _italic_, [a link](https://example.org), "
            f"lists and > quotes. Up to {BODY_MAX} characters."
        ),
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    topics = forms.CharField(
        required=False,
        max_length=1000,
        help_text=f"Up to {TOPICS_MAX}, separated by commas: “telescopes, light-pollution”.",
    )


class PostSearchForm(forms.Form):
    q = forms.CharField(
        label="Search posts",
        required=False,
        max_length=QUERY_MAX,
        error_messages={
            "max_length": f"Search with at most {QUERY_MAX} characters; a few words work best."
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    community = forms.SlugField(required=False, widget=forms.HiddenInput)
