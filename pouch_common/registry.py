"""Registry names that pouchd and the CLI must spell alike: Docker Hub's, as docker and pouch do."""

from __future__ import annotations

import re

#: pouch's default registry (``--default-registry``; what ``pouch login``/``logout`` use without SERVER).
DEFAULT_REGISTRY = "registry.hub.docker.com"
#: Docker Hub's index: /info's ``IndexServerAddress``, and the key docker's credentials file keeps
#: Hub's credentials under.
HUB_INDEX = "https://index.docker.io/v1/"
#: Host names that mean Docker Hub.
HUB_NAMES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
#: Where Hub's Registry v2 API is served.
HUB_V2_HOST = "registry-1.docker.io"


#: What an image proxy may be (``--image-proxy``, ``ImageProxy``): ``[http://|https://][user@]host
#: [:port][/path]``, printable ASCII; ``""`` is none. The spec states it as the same pattern
#: (DaemonUpdateConfig.ImageProxy), so that no schema-valid update is refused. It ends with
#: ``$(?![\s\S])``: Python's ``$`` alone would let a final newline by.
IMAGE_PROXY_PATTERN = (
    r"^(([hH][tT][tT][pP][sS]?://)?([!-.0-?A-~]+@)?([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])"
    r"(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?(/[!-~]*)?)?$(?![\s\S])"
)
_IMAGE_PROXY = re.compile(IMAGE_PROXY_PATTERN)


def image_proxy_url(text: str) -> str:
    """A non-empty ``--image-proxy`` (``ImageProxy``) as a URL, read as pouch reads it
    (ctrd/image_proxy_util.go): an address without an ``http://`` or ``https://`` scheme is taken
    as ``http://<address>``. ValueError when it does not match :data:`IMAGE_PROXY_PATTERN` (a SOCKS
    proxy included: not supported)."""
    if not text or _IMAGE_PROXY.match(text) is None:
        raise ValueError(f"invalid image proxy {text[:120]!r}: want [http://|https://][user@]host[:port]")
    scheme, sep, rest = text.partition("://")
    return f"{scheme.lower()}://{rest}" if sep else f"http://{text}"
