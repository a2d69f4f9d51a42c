"""pouchd: the system API of PouchContainer's daemon, served from api/swagger.yaml."""

from pouch_common.version import API_VERSION, MIN_API_VERSION, __version__

__all__ = ["API_VERSION", "MIN_API_VERSION", "__version__"]
