"""pouchd and containerd, as pouch's ctrd/: the client (:mod:`pouch_server.ctrd.client`, one gRPC
channel to containerd, its errors as pouchd's) and the supervisor of pouchd's own containerd
(:mod:`pouch_server.ctrd.supervisor`).

Nothing is imported here: the client loads grpc and protobuf, which only the code that calls
containerd should pay for.
"""
