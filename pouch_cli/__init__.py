"""pouch: the command-line client of pouchd, built on the generated ``pouch_client``.

Importing this package is cheap on purpose: each command's module (and what it needs) is
imported only when that command runs (see :mod:`pouch_cli.main`).
"""

from pouch_server.speedups import skip_httpx_cli

skip_httpx_cli()

__version__ = "1.0.0"
