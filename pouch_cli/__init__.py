"""pouch: the command-line client of pouchd, built on the generated ``pouch_client``.

Importing this package is cheap on purpose: each command's module (and what it needs) is
imported only when that command runs (see :mod:`pouch_cli.main`).
"""

from pouch_common.version import __version__

__all__ = ["__version__"]
