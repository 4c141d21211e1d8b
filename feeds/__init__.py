"""feeds: publish scraped article files as Atom and RSS feeds, and keep them current."""

__version__ = "0.1.0"
