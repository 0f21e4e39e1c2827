"""Cohort definitions: the language, its compiler to SQL, the built-in library and runs."""
