"""The daemon that watches the seeds folder and republishes what changed."""
