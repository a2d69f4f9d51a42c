"""What pouchd (``pouch_server``) and the pouch CLI (``pouch_cli``) both use, in one place.

Standard library only, and cheap to import: the CLI's start-up is measured (bench/). Neither
side imports the other; both import this package (tests/test_structure.py checks it).

- :mod:`pouch_common.version`: the release and API versions, and how API versions compare
- :mod:`pouch_common.paths`: default socket, home, config file
- :mod:`pouch_common.fileutil`: atomic file replacement
- :mod:`pouch_common.speedups`: imports that start-up never pays for
"""
