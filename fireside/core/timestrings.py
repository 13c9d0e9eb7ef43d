def wait_phrase(seconds: int) -> str:
    """Say a waiting time the way a person would: "in 40 seconds", "in 15 minutes"."""
    if seconds < 60:
        return f"in {seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    if minutes < 120:
        return f"in {minutes} minute{'s' if minutes != 1 else ''}"
    hours = -(-minutes // 60)
    return f"in {hours} hours"
