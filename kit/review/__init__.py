"""Review: the pages reviewers read after ``kit build`` and the decisions they record.

* :mod:`kit.review.pages`   the kit's one HTML environment (autoescaped Jinja files beside
  it and in kit/form): review pages without code, the widgets' pieces;
* :mod:`kit.review.index`   the build's review index, every official in 目录 order;
* :mod:`kit.review.record`  the append-only record of decisions (SQLite, safe for two reviewers);
* :mod:`kit.review.status`  each parameter file's status, keyed by its data's hash;
* :mod:`kit.review.flags`   year-over-year and cross-official checks (warnings only);
* :mod:`kit.review.session`, :mod:`kit.review.ui`  the review page (``notebooks/review.ipynb``).
"""
