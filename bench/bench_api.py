"""Cost of authenticating an API request, against an anonymous read of a public profile in
the same run: bearer token, session cookie. Uses a throwaway SQLite database in a temp dir."""

import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ["FIRESIDE_VAR_DIR"] = tempfile.mkdtemp(prefix="fireside-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fireside.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["ALLOWED_HOSTS"] = "testserver"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from fireside.accounts.actions import issue_api_token  # noqa: E402
from fireside.accounts.models import Member  # noqa: E402

REQUESTS = 300


def timed(call, rounds=5):
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(REQUESTS):
            response = call()
            assert response.status_code == 200, response.status_code
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    call_command("migrate", verbosity=0)
    member = Member.objects.create_user("ada", "ada@example.org", "a quiet fireside")
    _, secret = issue_api_token(member, name="bench")
    anonymous = Client()
    session = Client()
    session.force_login(member)
    bearer = Client(headers={"Authorization": f"Bearer {secret}"})

    baseline = timed(lambda: anonymous.get("/api/v1/members/ada"))
    with_token = timed(lambda: bearer.get("/api/v1/me"))
    with_session = timed(lambda: session.get("/api/v1/me"))
    print(
        f"{REQUESTS} requests a round, median of 5; baseline = anonymous GET members/ada"
    )
    print(f"GET me, bearer token   {with_token / baseline:6.2f}x baseline")
    print(f"GET me, session cookie {with_session / baseline:6.2f}x baseline")


if __name__ == "__main__":
    main()
