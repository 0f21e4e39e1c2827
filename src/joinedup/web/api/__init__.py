"""The JSON API at /api/, with its OpenAPI description at /api/openapi.json.

The same operations as the pages, through the same code (governance.changes, airlock.release)
and the same policy table: every operation has a URL name (``api:...``) that the policy
middleware checks before the operation runs. Nothing here decides what a role may do.
"""
