"""``kit init 文件夹``: a working folder of one's own, from the files shipped with the kit.

It gets templates/ (the shipped role templates), params/ (the two sample parameter
files), notebooks/ (the form and report notebooks, so ``kit lab`` opens on this folder)
and 使用说明.md.  Nothing is ever overwritten: when any of these files already
exists, nothing is written and the existing ones are listed (:class:`ExistsError`).
"""

from __future__ import annotations

from pathlib import Path

from kit import project
from kit.errors import ExistsError, OutputError, Problem, display_path, os_reason
from kit.iorw import atomic_write_bytes

GUIDE = Path(__file__).with_name("guide") / project.GUIDE


def plan(folder: str | Path) -> dict[Path, Path]:
    """What ``kit init`` writes into ``folder``: target → shipped source."""
    folder = Path(folder)
    files = {folder / project.GUIDE: GUIDE}
    for part, pattern in ((project.TEMPLATES, "*.md"), (project.PARAMS, "*.yaml"),
                          (project.NOTEBOOKS, "*.ipynb")):
        for source in sorted(project.shipped(part).glob(pattern)):
            files[folder / part / source.name] = source
    return files


def init(folder: str | Path) -> list[Path]:
    """Create the working folder ``folder`` (it may exist); return the files written."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(Problem("这是一个文件，不是文件夹", file=display_path(folder),
                                  hint="请换一个文件夹名。"))
    files = plan(folder)
    existing = [p for p in files if p.exists() or p.is_symlink()]
    if existing:
        raise ExistsError([Problem("已存在，没有覆盖", file=display_path(p)) for p in existing]
                          + [Problem("没有写入任何文件。",
                                     hint="请换一个新文件夹，或先把上面的文件移走。")])
    written = []
    for target, source in files.items():
        try:
            data = source.read_bytes()
        except OSError as err:  # the installation itself is damaged
            raise OutputError(Problem(f"无法读取随工具安装的文件：{os_reason(err)}",
                                      file=str(source), hint="请重新安装本工具。")) from None
        written.append(atomic_write_bytes(target, data))
    return written
