"""Registry names that pouchd and the CLI must spell alike: Docker Hub's, as docker and pouch do."""

from __future__ import annotations

#: pouch's default registry (``--default-registry``; what ``pouch login``/``logout`` use without SERVER).
DEFAULT_REGISTRY = "registry.hub.docker.com"
#: Docker Hub's index: /info's ``IndexServerAddress``, and the key docker's credentials file keeps
#: Hub's credentials under.
HUB_INDEX = "https://index.docker.io/v1/"
#: Host names that mean Docker Hub.
HUB_NAMES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
#: Where Hub's Registry v2 API is served.
HUB_V2_HOST = "registry-1.docker.io"
