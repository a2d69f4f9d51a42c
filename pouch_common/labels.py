"""The daemon's labels: one rule for what a label is, pouch's merge, and the limits in all.

pouchd applies them to ``--label`` and the config file at start and to ``/daemon/update``;
``pouch updatedaemon`` to its flags (online and ``--offline``); api/swagger.yaml states the same
rule as a pattern (tests/test_daemon_update.py checks the three agree). Every function here is
linear in the number of labels (their limits: pouch_common/limits.py).
"""

from __future__ import annotations

from pouch_common.limits import MAX_LABEL_LENGTH, MAX_LABELS, MAX_LABELS_SIZE


def label_problem(label: str) -> str | None:
    """Why ``label`` is not a daemon label, or None.

    pouch's rule (its daemon's config validation): ``key=value``, with a key and a value. The key
    may also not be blank (white space only), as the spec's pattern says; the value may be. At
    most MAX_LABEL_LENGTH characters.
    """
    if len(label) > MAX_LABEL_LENGTH:
        # Named by its start only: the message must stay one readable line.
        return f"invalid label {label[:40]!r}...: longer than {MAX_LABEL_LENGTH} characters"
    key, sep, value = label.partition("=")
    if not sep or not key.strip() or not value:
        return f"invalid label {label!r}: want key=value"
    return None


def label_key(label: str) -> str:
    """The key of a ``key=value`` label (the whole of a bare ``key``, which an older pouchd accepted)."""
    return label.partition("=")[0]


def merge_labels(current: list[str], new: list[str]) -> list[str]:
    """pouch's merge: a new label whose key is present replaces it in place, else it is appended.

    Every label with that key is replaced (as pouch does), and a key repeated within ``new``
    ends with its last value rather than appearing twice. Linear in the number of labels: each
    key's final label is looked up in a dict, never searched for in a list.
    """
    latest: dict[str, str] = {}
    for label in new:
        # A dict keeps a key where it was first inserted: new keys are appended in the order they
        # first appear, each with its last value (as replacing it in place would leave it).
        latest[label_key(label)] = label
    merged = [latest.get(label_key(label), label) for label in current]
    present = {label_key(label) for label in current}
    merged += [label for key, label in latest.items() if key not in present]
    return merged


def label_attributes(labels: list[str]) -> dict[str, str]:
    """Labels as a ``key → value`` map (a bare ``key`` has the value ``""``; a repeated key keeps
    its last value): the attributes of a ``daemon update`` event."""
    return {key: value for key, _, value in (label.partition("=") for label in labels)}


def labels_limit_problem(labels: list[str], before: list[str] | None = None) -> str | None:
    """Why ``labels`` break the limits on the daemon's labels in all (their number, their size
    together), or None. With ``before``, the labels they would replace, labels already over a
    limit may stay so as long as they do not grow: labels can be replaced, never added beyond it."""
    count, size = len(labels), sum(map(len, labels))
    old_count, old_size = (len(before), sum(map(len, before))) if before is not None else (0, 0)
    if count > MAX_LABELS and count > old_count:
        return f"too many labels: {count}, the limit is {MAX_LABELS}"
    if size > MAX_LABELS_SIZE and size > old_size:
        return f"labels too large: {size} characters in all, the limit is {MAX_LABELS_SIZE}"
    return None
