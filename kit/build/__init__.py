"""``kit build``: every parameter file of a folder through the report notebook, in
worker processes, into Word, review pages and 汇编 (the stages in order: intake → plan
→ workers/execute → compilations; watch repeats them)."""
