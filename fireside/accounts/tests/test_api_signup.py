import pytest

CASES = [("auth/token", {"login": "ada3\x00", "password": "x"}), ("auth/token", {"login": "a@b\x00", "password": "x"}),
                       ("auth/password/reset", {"email": "a@b.org\x00"}),
                       ("auth/signup", {"handle": "ada", "email": "a"*250 + "@example.org", "password": "a quiet fireside", "display_name": "Ada"}),
                       ("auth/signup", {"handle": "ada", "email": "ada@example.org", "password": "a quiet fireside\x00", "display_name": "Ada"}),
                       ("auth/verify", {"token": "abc\x00"}), ("auth/password/reset/confirm", {"uid": "MQ\x00", "token": "x", "new_password": "a quiet fire"}),
    ("me", {"bio": "x\x00"}), ("me", {"display_name": "x\x00"}), ("me", {"interests": ["a\x00"]}), ("auth/tokens", {"name": "x\x00"}), ("members", None), ("auth/password", {"current_password": "x\x00", "new_password": "y\x00"}),]

@pytest.mark.parametrize(("path", "body"), CASES)
def test_probe_nul(client, alice, api_client, path, body):
    client.raise_request_exception = False
    a = api_client.as_member(alice)
    if path == "me":
        r = a.patch("me", json=body)
    elif path == "members":
        r = client.get("/api/v1/members/ad%00a")
    else:
        r = a.post(path, json=body)
    print(path, body, r.status_code, r.content[:300])
