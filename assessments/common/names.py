"""How people are named on screen and in reports."""

import re

CJK = re.compile(r"[\u3400-\u9fff]")


def display_name(user) -> str:
    """张晓明 for Chinese names (family name first, no space), else Django's full name."""
    if user is None:
        return ""
    first, last = user.first_name.strip(), user.last_name.strip()
    if CJK.search(first + last):
        return f"{last}{first}"
    return user.get_full_name() or user.get_username()
