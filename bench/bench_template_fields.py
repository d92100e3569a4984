"""How long checking a role template takes as its fields grow (it must stay linear).

    python bench/bench_template_fields.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from kit.errors import TemplateError
from kit.report.templates import load_template
from tests.report.template_sizes import many_fields

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        for n in (200, 600, 1000, 2000):
            path = Path(folder) / f"t{n}.md"
            path.write_text(many_fields(n), "utf-8")
            start = time.perf_counter()
            try:
                load_template(path)
            except TemplateError as err:
                print(err)
            print(f"{n} 个字段：{time.perf_counter() - start:.2f} 秒")
