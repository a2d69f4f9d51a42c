"""``pouch search [-r REGISTRY] TERM``: search a registry's images through pouchd (pouch's
cli/search.go).

Columns ``NAME  DESCRIPTION  STARS  OFFICIAL  AUTOMATED`` (tabwriter, padding 3), ``[OK]`` for
official and automated images. ``-r`` names the registry's search endpoint (pouchd's default:
its default registry's ``/v1/``); ``X-Registry-Auth`` is sent when ``pouch login`` kept
credentials for it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pouch_cli.args import Param
from pouch_cli.client import call, client_options
from pouch_cli.progress import table

if TYPE_CHECKING:
    import argparse


def ok(value: Any) -> str:
    """pouch's ``boolToOKOrNot``."""
    return "[OK]" if value is True else ""


def format_results(results: Sequence[dict[str, Any]]) -> str:
    rows = [["NAME", "DESCRIPTION", "STARS", "OFFICIAL", "AUTOMATED"]]
    rows += [
        [
            str(r.get("name") or ""),
            str(r.get("description") or ""),
            str(r.get("star_count") or 0),
            ok(r.get("is_official")),
            ok(r.get("is_automated")),
        ]
        for r in results
    ]
    return table(rows)


HELP = "Search the images from specific registry."
EXAMPLE = """Example:
  $ pouch search nginx
  NAME                  DESCRIPTION                                     STARS   OFFICIAL   AUTOMATED
  nginx                 Official build of Nginx.                        11403   [OK]
  jwilder/nginx-proxy   Automated Nginx reverse proxy for docker con…   1600               [OK]"""
PARAMS = (
    Param(("-r", "--registry"), "Set registry name.", metavar="REGISTRY"),
    Param(("term",), "What to search for.", metavar="TERM", required=True),
)


def run(args: argparse.Namespace) -> None:
    from pouch_cli.progress import registry_auth
    from pouch_client.api.image import image_search_post
    from pouch_client.types import UNSET

    opts = client_options(args)
    auth = registry_auth(opts, args.registry or None)
    results = call(
        opts,
        "failed to search images",
        image_search_post.sync_detailed,
        term=args.term,
        registry=args.registry or UNSET,
        x_registry_auth=auth or UNSET,
    )
    sys.stdout.write(format_results([r.to_dict() for r in results or []]))
