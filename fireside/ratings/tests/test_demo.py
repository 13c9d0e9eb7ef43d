"""The demo: City Skies' Highlights show one post found helpful across perspectives."""

import io

import pytest
from django.core.management import call_command

from fireside.posts.models import Post
from fireside.ratings.demo import BRIDGING_TITLE
from fireside.ratings.models import HelpfulNotice, ItemScore, Rating

pytestmark = pytest.mark.django_db


def test_load_demo_labels_one_post_and_stays_idempotent(settings, client):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    bridging = Post.objects.get(title=BRIDGING_TITLE)
    ratings = Rating.objects.count()

    call_command("load_demo", stdout=io.StringIO())

    helpful = ItemScore.objects.filter(status=ItemScore.Status.HELPFUL)
    assert [score.post for score in helpful] == [bridging]
    assert Rating.objects.count() == ratings
    assert HelpfulNotice.objects.get().member.handle == "ada"
    html = client.get("/c/city-skies/highlights/").content.decode()
    assert html.index(BRIDGING_TITLE) < html.index("Found helpful across perspectives")
