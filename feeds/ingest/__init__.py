"""Seeds in: the seeds folder read (``scan``, ``seeds``), each seed's text turned into
typed stories (``normalise``: where a seed line becomes an entry field), and stories
from many files merged into one per article (``merge``); ``preview`` is ``feeds inspect``."""
