import re

from fireside.safety.actions import block_member, mute_member
from fireside.safety.models import Block, Mute

HTMX = {"HX-Request": "true"}


def main_of(response):
    html = response.content.decode()
    return re.sub(r"\s+", " ", html[html.index("<main") : html.index("</main>")])


def test_safety_page_lists_blocks_and_mutes_with_buttons(client, alice, bob, charlie):
    block_member(bob, by=alice)
    mute_member(charlie, by=alice)
    client.force_login(alice)

    page = main_of(client.get("/settings/safety/"))

    assert "Bob Brandt" in page
    assert "Charlie Chen" in page
    assert 'aria-label="Unblock @bob"' in page
    assert 'aria-label="Unmute @charlie"' in page
    assert "You have not reported anything." in page


def test_safety_page_explains_what_to_do_when_empty(client, alice):
    client.force_login(alice)

    page = main_of(client.get("/settings/safety/"))

    assert "You have not blocked anyone." in page
    assert "You have not muted anyone." in page


def test_safety_page_sends_an_anonymous_visitor_to_log_in(client):
    response = client.get("/settings/safety/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_mute_lift_with_htmx_swaps_the_row(client, alice, bob):
    mute_member(bob, by=alice)
    client.force_login(alice)

    response = client.post("/settings/mutes/@bob/lift/", headers=HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<li id="mute-bob"')
    assert "You unmuted Bob Brandt." in html
    assert not Mute.objects.exists()


def test_mute_lift_without_js_redirects_to_the_safety_page(client, alice, bob):
    mute_member(bob, by=alice)
    client.force_login(alice)

    response = client.post("/settings/mutes/@bob/lift/", follow=True)

    assert response.redirect_chain == [("/settings/safety/", 302)]
    assert "You unmuted Bob Brandt." in main_of(response) or "You unmuted" in (
        response.content.decode()
    )


def test_profile_offers_mute_block_and_report(client, alice, bob):
    client.force_login(alice)

    page = main_of(client.get("/@bob/"))

    assert 'action="/settings/mutes/@bob/"' in page
    assert 'href="/settings/blocks/@bob/"' in page
    assert 'href="/@bob/report/"' in page


def test_mute_from_profile_mutes_and_offers_unmute(client, alice, bob):
    client.force_login(alice)

    response = client.post("/settings/mutes/@bob/", follow=True)

    assert response.redirect_chain == [("/@bob/", 302)]
    assert Mute.objects.filter(muter=alice, muted=bob).exists()
    assert 'action="/settings/mutes/@bob/lift/"' in main_of(response)


def test_mute_needs_a_post_and_a_member(client, alice, bob):
    assert client.post("/settings/mutes/@bob/")["Location"].startswith("/login/")
    client.force_login(alice)

    assert client.get("/settings/mutes/@bob/").status_code == 405
    assert client.post("/settings/mutes/@nobody/").status_code == 404
    assert not Mute.objects.exists()


def test_block_from_profile_asks_first(client, alice, bob):
    client.force_login(alice)

    confirm = client.get("/settings/blocks/@bob/")

    assert "Block Bob Brandt?" in main_of(confirm)
    assert not Block.objects.exists()
