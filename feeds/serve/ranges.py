"""``Range: bytes=…`` requests (RFC 9110 14.2): which bytes of a body to send. Pure."""

from __future__ import annotations

import re

_ONE_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


class Unsatisfiable(Exception):
    """No byte of the range exists: the answer is 416 with ``Content-Range: bytes */size``."""


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The (first, last) byte to send for a ``Range`` header, inclusive; ``None`` to send
    the whole body (no range, a malformed one, or several: a server may ignore those).

    Raises ``Unsatisfiable`` when the range starts past the end of the body.
    """
    match = _ONE_RANGE.match(header)
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last n bytes
        suffix = int(last)
        if suffix == 0:
            raise Unsatisfiable
        return (max(0, size - suffix), size - 1)
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if last and int(last) < start:
        return None  # invalid: ignored, as RFC 9110 says
    if start >= size:
        raise Unsatisfiable
    return (start, end)
