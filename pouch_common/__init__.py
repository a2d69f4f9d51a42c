"""What pouchd (``pouch_server``) and the pouch CLI (``pouch_cli``) both use, in one place.

Standard library only, and cheap to import: the CLI's start-up is measured (bench/). Neither
side imports the other; both import this package (tests/test_structure.py checks it).

- :mod:`pouch_common.version`: the release and API versions, and how API versions compare
- :mod:`pouch_common.paths`: default socket, home, config file
- :mod:`pouch_common.fileutil`: atomic file replacement
- :mod:`pouch_common.jsonutil`: JSON parsing without the garbage collector's passes
- :mod:`pouch_common.labels`: what a daemon label is, pouch's merge, the limits in all
- :mod:`pouch_common.limits`: the daemon's input limits, which the CLI checks too
- :mod:`pouch_common.registry`: Docker Hub's names, pouch's default registry
- :mod:`pouch_common.speedups`: imports that start-up never pays for
"""
