def test_signup_api_creates_member_and_sends_mail(api_client, mailoutbox):
    response = api_client.post(
        "auth/signup",
        {
            "handle": "Zoe",
            "email": "zoe@example.org",
            "password": "a quiet fireside",
            "display_name": "Zoë",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"handle": "zoe", "display_name": "Zoë"}
    assert len(mailoutbox) == 1
