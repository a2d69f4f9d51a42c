"""Every use of an upstream library's private names, fenced: one module per upstream.

pouchd reaches below the public API of connexion, uvicorn and starlette in a few places (to do
per operation what they do per request, or to change one behaviour). The rest of pouch_server
imports such behaviour only from here, under names that say what it does. Each module states
``UPSTREAM`` (the distribution) and ``WRITTEN_FOR`` (the version its assumptions were checked
against), and names, at each use, the upstream symbol it stands for.

When a pin moves, tests/test_compat.py fails and names the module to revisit: check each symbol
it names against the new version's source, adjust, then update ``WRITTEN_FOR``. The same test
checks that no other module of pouch_server imports or overrides an upstream private name.
httpx needs no module: pouchd uses its public API only.
"""
