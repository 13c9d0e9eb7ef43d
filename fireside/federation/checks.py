"""System checks: a FIRESIDE_DOMAIN that cannot make valid ids stops the start."""

import re
from typing import Any

from django.conf import settings
from django.core import checks

DOMAIN_PATTERN = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?")


@checks.register()
def check_domain(**kwargs: Any) -> list[checks.CheckMessage]:
    domain = str(getattr(settings, "FIRESIDE_DOMAIN", "") or "")
    if domain and not DOMAIN_PATTERN.fullmatch(domain):
        return [
            checks.Error(
                f"FIRESIDE_DOMAIN={domain!r} is not a host name.",
                hint="Give the bare host name, such as fireside.example "
                "(no https://, no path).",
                id="federation.E001",
            )
        ]
    return []
