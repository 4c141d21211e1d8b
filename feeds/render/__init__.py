"""Bytes out: ``documents`` (the only feedgen user: Atom, RSS, JSON Feed), ``pages``
(HTML pages and OPML from ``templates/``), ``check`` (the cheap check every feed passes
before it replaces the old one) and ``browser`` (a feed shown as a page, for ``serve``)."""
