"""``feeds serve``: ``app`` (the Starlette app and its uvicorn server), ``guard`` (request
head deadline and connection cap), ``ranges`` (byte ranges)."""
