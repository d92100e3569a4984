"""Review and approval: who passed or returned which report, and what to check.

* :mod:`kit.approval.store`  the append-only record (SQLite, safe for two reviewers);
* :mod:`kit.approval.status` each parameter file's status, keyed by its data's hash;
* :mod:`kit.approval.flags`  year-over-year and cross-official checks (warnings only);
* :mod:`kit.approval.ui`     the widgets of ``notebooks/review.ipynb``.
"""
