"""Putting the output in S3-compatible object storage, so a CDN can serve it.

``settings`` reads the ``[deploy]`` table; ``plan`` decides what to upload and
delete, in which order and with which headers (pure); ``bucket`` talks to the
object store (obstore, the optional ``deploy`` extra); ``run`` ties them to the
store's record of what the bucket holds.
"""
