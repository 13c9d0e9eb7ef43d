import json
import pytest

BODIES = [b"", b"{", b"[]", b'"x"', b"null", b"1", b'{"handle": "ada"}', b"\xff\xfe", b'{"handle": "ada", "email": "ada@example.org", "password": "a quiet fireside", "display_name": "Ada", "extra": 1}']

@pytest.mark.parametrize("body", BODIES)
def test_probe(client, db, body):
    r = client.post("/api/v1/auth/signup", data=body, content_type="application/json")
    print(body, r.status_code, r.content[:300])

@pytest.mark.parametrize("ct", ["text/plain", "application/x-www-form-urlencoded", None])
def test_probe_ct(client, db, ct):
    kw = {"content_type": ct} if ct else {}
    r = client.post("/api/v1/auth/signup", data=b'{"handle": "ada", "email": "ada@example.org", "password": "a quiet fireside", "display_name": "Ada"}', **kw) if ct else client.post("/api/v1/auth/signup")
    print(ct, r.status_code, r.content[:300])

def test_probe_longemail(client, db):
    r = client.post("/api/v1/auth/signup", data={"handle": "ada", "email": "a"*60 + "@" + ("b"*60+".")*4 + "org", "password": "a quiet fireside", "display_name": "Ada"}, content_type="application/json")
    print(r.status_code, r.content[:300])
    r = client.post("/api/v1/auth/signup", data={"handle": "ada2", "email": "a"*250 + "@example.org", "password": "a quiet fireside", "display_name": "Ada"}, content_type="application/json")
    print(r.status_code, r.content[:300])
    r = client.post("/api/v1/auth/signup", data={"handle": "ada3", "email": "ada3@example.org", "password": "a quiet fireside\x00", "display_name": "Ada\x00"}, content_type="application/json")
    print(r.status_code, r.content[:300])
    r = client.post("/api/v1/auth/signup", data={"handle": "ada3\x00", "email": "ada3@exa\x00mple.org", "password": "a quiet fireside\x00", "display_name": "Ada"}, content_type="application/json")
    print(r.status_code, r.content[:300])
    r = client.post("/api/v1/auth/token", data={"login": "ada3\x00", "password": "x"}, content_type="application/json")
    print(r.status_code, r.content[:300])
    r = client.post("/api/v1/auth/token", data={"login": "a@b\x00", "password": "x"}, content_type="application/json")
    print(r.status_code, r.content[:300])
    r = client.get("/api/v1/members/ad%00a")
    print(r.status_code, r.content[:300])
