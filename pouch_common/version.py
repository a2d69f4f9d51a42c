"""Version facts of pouch and pouchd, and how Engine API versions compare (docker's rules).

The release version is written here only: pyproject.toml reads it, pouchd reports it in /version,
/info and /metrics, and ``pouch --version`` prints it.
"""

from __future__ import annotations

__version__ = "1.0.0"

#: Highest Engine API version served and spoken (the one in api/swagger.yaml).
API_VERSION = "1.24"
#: Lowest Engine API version a client may ask pouchd for.
MIN_API_VERSION = "1.24"

# Filled in by release builds; empty in a source checkout (pouch does the same).
GIT_COMMIT = ""
BUILD_TIME = ""

# A version component longer than this is larger than any real one (and int() refuses to parse
# more than 4300 digits, which a URL can easily hold).
_MAX_COMPONENT_DIGITS = 9


def api_version_tuple(version: str) -> tuple[int, ...] | None:
    """``1.24`` as ``(1, 24)``, for comparing; None when it is not dot-separated digits.

    A leading ``v`` is allowed (``v1.24``, as in a path prefix). ``1.24``, ``1.24.0`` and
    ``1.24.0.0`` are the same version (docker compares them padded); a component of more than
    nine digits counts as larger than any real one.
    """
    parts: list[int] = []
    for part in version.removeprefix("v").split("."):
        if not (part.isascii() and part.isdigit()):
            return None
        digits = part.lstrip("0") or "0"
        parts.append(int(digits) if len(digits) <= _MAX_COMPONENT_DIGITS else 10**_MAX_COMPONENT_DIGITS)
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)
