"""pouch: the command-line client of pouchd, built on the generated ``pouch_client``.

Importing this package is cheap on purpose: each command's module (and what it needs) is
imported only when that command runs (see :mod:`pouch_cli.main`).
"""

from pouch_common.speedups import skip_httpx_cli, without_https_in
from pouch_common.version import __version__

skip_httpx_cli()
# `import httpx` reaches ssl only through these two modules' optional HTTPS support, which pouch
# never uses (its TLS is httpcore's): without it, a command over a unix socket or plain TCP
# loads nothing of ssl (pouch_common/speedups.py, 3.).
without_https_in("http.client", "urllib.request")

__all__ = ["__version__"]
