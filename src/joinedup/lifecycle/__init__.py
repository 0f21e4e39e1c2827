"""The data lifecycle of the identity and analytic zones (GDPR-03, GDPR-04, GDPR-05).

- ``erase``: records received in error are removed from both zones, their linkage, older versions
  on disk, the analysis bases and case-finding lists made from them (``joinedup records erase``).
- ``rectify``: one identity field of one record corrected, linkage re-evaluated
  (``joinedup records rectify``).
- ``retention`` and ``holds``: records past their agreement's retention period are erased with
  the same machinery, except those of residents under a legal hold (``joinedup retention ...``).
- ``tombstones``: what each of these leaves behind, without personal data.

Every change is a new version of the zones, published in one atomic step under the single-writer
lock (``feeds.store``): a crash at any point leaves the published zones as they were. The guide
for the IG lead and the hub coordinator is docs/data-lifecycle.md.
"""
