"""Assertions shared by API tests."""


def assert_error(response, status, code):
    """RESPONSE is an API error of STATUS and CODE in the documented format."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert body["detail"]
    return body


def bearer(api_client, secret):
    """The API client, sending SECRET as its bearer token."""
    return type(api_client)(secret)
