"""Containers and execs (pouch's daemon/mgr/container*.go): records, the OCI spec, containerd
calls, stdio, logs, stats; docs/containers.md says how they fit."""
