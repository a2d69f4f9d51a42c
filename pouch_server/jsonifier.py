"""The app's JSON encoder: connexion's, encoding a read-only answer once.

A manager whose answer stays the same until its state changes (/version for the daemon's life,
/info until an update) hands it out as a read-only view (``types.MappingProxyType``) of one dict,
built anew when the state changes. Encoding that view again for every request was half the cost
of answering /info on this machine; here the text of the last few such views is kept, by the
view's identity, and each is encoded once. Any other value is encoded as connexion encodes it.
"""

from __future__ import annotations

from collections import OrderedDict
from types import MappingProxyType
from typing import Any

from connexion.jsonifier import Jsonifier

#: How many encoded views are kept (the managers' current answers, and a few replaced ones).
KEPT = 8


class PouchJsonifier(Jsonifier):
    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # connexion leaves it untyped
        # id(view) -> (the view, kept alive so that its id is not reused, its text)
        self._encoded: OrderedDict[int, tuple[MappingProxyType[str, Any], str]] = OrderedDict()

    def dumps(self, data: Any, **kwargs: Any) -> str:
        if type(data) is not MappingProxyType or kwargs:
            text: str = super().dumps(data, **kwargs)  # type: ignore[no-untyped-call]
            return text
        hit = self._encoded.get(id(data))
        if hit is not None and hit[0] is data:
            return hit[1]
        text = super().dumps(dict(data))  # type: ignore[no-untyped-call]
        self._encoded[id(data)] = (data, text)
        if len(self._encoded) > KEPT:
            self._encoded.popitem(last=False)
        return text
