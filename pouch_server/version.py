"""Version facts of the daemon, kept in one place for /version, /info and /metrics."""

__version__ = "1.0.0"

#: Highest Engine API version served (the one in api/swagger.yaml).
API_VERSION = "1.24"
#: Lowest Engine API version a client may ask for.
MIN_API_VERSION = "1.24"

# Filled in by release builds; empty in a source checkout (pouch does the same).
GIT_COMMIT = ""
BUILD_TIME = ""
