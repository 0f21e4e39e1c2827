"""Background jobs: long work started from a page, with its progress shown while it runs."""
