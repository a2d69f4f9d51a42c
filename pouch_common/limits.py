"""The daemon's input limits, in one place (pouch has none; the README's "Limits" says why each).

pouchd is one event loop shared by every client, so any work that grows with a request must be
bounded. The per-request limits of request bodies are stated in ``api/swagger.yaml`` (``maxItems``,
``maxLength``), where request validation enforces them before a handler runs and the generated
client can read them; ``tests/test_limits.py`` keeps the spec and these numbers in step. The
others (labels in total, filter values) are checked by the managers. Stdlib only, no imports: the
CLI reads these too.
"""

from __future__ import annotations

#: Labels the daemon may hold in total, and so also the most one /daemon/update may carry.
MAX_LABELS = 256
#: Characters of all the daemon's labels together: /info, the state file and every ``daemon
#: update`` event (sent to each subscriber, kept for replay) carry them all.
MAX_LABELS_SIZE = 64 * 1024
#: Characters of one label, key and value together (containerd, which pouch runs on, allows
#: 4096 bytes for a label's key and value).
MAX_LABEL_LENGTH = 4096
#: Characters of the image proxy URL.
MAX_IMAGE_PROXY_LENGTH = 2048
#: Values in the ``filters`` of one GET /events, over all its keys.
MAX_FILTER_VALUES = 256
#: Bytes of one image archive sent to POST /images/load (streamed to a file under pouchd's home
#: as it arrives, then read from there; no other request body may exceed --max-body-size).
MAX_ARCHIVE_BYTES = 16 << 30
