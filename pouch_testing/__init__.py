"""What the test suite and the benchmarks share: pouchd as a subprocess on a socket of its own
(:mod:`pouch_testing.pouchd`), and pouch's wire contract as facts read from its spec
(:mod:`pouch_testing.contract`). Standard library only, so the benchmarks can run it anywhere."""
