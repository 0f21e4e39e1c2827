"""Cohorts in the web app: the library of definitions, runs as background jobs, results by area."""
