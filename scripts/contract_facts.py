#!/usr/bin/env python3
"""Write tests/contract/pouch-v1.24-facts.json from pouch's spec (pouch_testing/contract.py says
what is kept), or with --check only say whether the committed file is current.

  .venv/bin/python scripts/contract_facts.py [--check] [--reference PATH]

The reference is ``../shared/reference/pouch-v1.24.yaml`` beside the checkout unless named.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # pouch_testing of this tree, whatever the venv's install points at
from pouch_testing.contract import contract_facts  # noqa: E402

REFERENCE = ROOT.parent / "shared" / "reference" / "pouch-v1.24.yaml"
FACTS = ROOT / "tests" / "contract" / "pouch-v1.24-facts.json"


def render(reference: Path) -> str:
    """The facts file's text for ``reference``: the same bytes for the same reference."""
    text = reference.read_bytes()
    facts = contract_facts(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), text)
    return json.dumps(facts, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="contract_facts.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed facts are not current")
    parser.add_argument("--reference", type=Path, default=REFERENCE, help=f"pouch's spec (default: {REFERENCE})")
    args = parser.parse_args(argv)
    if not args.reference.is_file():
        print(f"Error: no reference spec at {args.reference}", file=sys.stderr)
        return 1
    try:
        fresh = render(args.reference)
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as e:
        print(f"Error: {args.reference} is not a Swagger 2.0 spec as pouch's: {e!r}", file=sys.stderr)
        return 1
    if args.check:
        if not FACTS.is_file() or FACTS.read_text() != fresh:
            print(f"Error: {FACTS.relative_to(ROOT)} is stale: run scripts/contract_facts.py", file=sys.stderr)
            return 1
        return 0
    FACTS.parent.mkdir(exist_ok=True)
    FACTS.write_text(fresh)
    print(f"wrote {FACTS.relative_to(ROOT)} from {args.reference}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
