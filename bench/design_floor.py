"""The design floor of bench/cli_bench.py: the least any CLI of pouch's design can do.

Import the generated client, call SystemVersion once over pouchd's unix socket (argv[1]) through
the lightest transport the install has, and print nothing: no flags, no version negotiation, no
formatting. Run with the bench install's interpreter.
"""

import sys

sys.modules["httpx._main"] = None  # type: ignore[assignment]  # a None entry blocks the import, as pouch does
try:  # ssl left out of http.client and urllib.request where the pouch measured does so
    from pouch_common.speedups import without_https_in  # type: ignore[attr-defined]  # earlier installs only
except ImportError:
    pass
else:
    without_https_in("http.client", "urllib.request")

import httpx  # noqa: E402  (the generated client imports it anyway)

from pouch_client import Client  # noqa: E402
from pouch_client.api.system import system_version  # noqa: E402

try:
    from pouch_cli.transport import PlainTransport
except ImportError:  # a pouch from before pouch_cli/transport.py: httpx's own transport
    transport: httpx.BaseTransport = httpx.HTTPTransport(uds=sys.argv[1], verify=False)
else:
    transport = PlainTransport(uds=sys.argv[1])

with Client(base_url="http://d/v1.24", httpx_args={"transport": transport, "trust_env": False}) as client:
    answer = system_version.sync(client=client)
if answer is None or not answer.to_dict().get("Version"):
    sys.exit(f"no version from pouchd: {answer!r}")
