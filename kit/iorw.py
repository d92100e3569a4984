"""Writing outputs safely: atomically, under names every system accepts, and a backup of
what a write replaces that a user made (a parameter file, a template, a workbook), so a
kit crash or a mistaken save never costs a user their work."""

from __future__ import annotations

import os
import re
import tempfile
import time
import unicodedata
from pathlib import Path

from kit import project
from kit.errors import OutputError, Problem, display_path, os_reason

_UMASK = os.umask(0)
os.umask(_UMASK)  # read once at import: mkstemp makes 0600 files, outputs should be shareable
_WINDOWS_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, mode: int | None = None
                       ) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename, so
    an interrupted run never leaves a truncated file nor destroys the previous good one.
    ``mode``: the new file's permissions (else the replaced file's, else the umask's)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            # Keep the mode of the file being replaced, else what a plain open() would give.
            if mode is None:
                mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_UMASK
            os.chmod(tmp, mode)  # (mkstemp made it 0600: never readable by others before)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except PermissionError:
        raise OutputError(Problem("没有权限写入，或文件正被 Word/WPS 打开",
                                  file=display_path(path),
                                  hint="请关闭打开该文件的程序后重试。")) from None
    except OSError as err:
        raise OutputError(Problem(f"无法写入：{os_reason(err)}", file=display_path(path))) from None
    return path


def atomic_write_text(path: str | os.PathLike[str], text: str, mode: int | None = None
                      ) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"), mode)


def safe_filename(name: str, max_chars: int = 80) -> str:
    """A file name valid on Windows, macOS and Linux: no reserved characters or names,
    no trailing dots or spaces, not too long; Chinese is kept."""
    name = unicodedata.normalize("NFC", name)
    name = _WINDOWS_BAD.sub("_", name).strip().rstrip(". ")
    name = re.sub(r"\s+", " ", name)[:max_chars].rstrip(". ")
    if not name or name.split(".")[0].upper() in _WINDOWS_RESERVED:
        name = f"_{name}"
    return name


BACKUP_SUFFIX = project.BACKUP_SUFFIX
# Every replaced file keeps as many (parameter files from the form or a roster, templates,
# workbooks): the user learns one number, and ten saves reach back over a day's editing.
BACKUPS_KEPT = 10


def backup_generations(path: str | Path, now: float | None = None) -> Path | None:
    """Copy ``path`` (if it exists) to ``<name>.<YYYYmmdd-HHMMSS>.bak`` beside it, atomically,
    and delete all but the newest :data:`BACKUPS_KEPT` such copies.  Returns the new backup,
    or None.

    The names end in .bak, never .yaml, so the batch does not read them; several
    generations mean a mistaken save and a second one after it can both be undone."""
    path = Path(path)
    if not path.is_file():
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    backup = path.with_name(f"{path.name}.{stamp}{BACKUP_SUFFIX}")
    n = 1
    while backup.exists():  # two saves within one second: keep both
        backup = path.with_name(f"{path.name}.{stamp}-{n}{BACKUP_SUFFIX}")
        n += 1
    try:
        data = path.read_bytes()
    except OSError as err:
        raise OutputError(Problem(f"无法备份：{os_reason(err)}", file=display_path(path))) from None
    atomic_write_bytes(backup, data)
    for old in backups_of(path)[BACKUPS_KEPT:]:
        old.unlink(missing_ok=True)
    return backup


def backups_of(path: str | Path) -> list[Path]:
    """The timestamped backups of ``path`` made by :func:`backup_generations`, newest first."""
    path = Path(path)
    pattern = re.compile(re.escape(path.name) + r"\.(\d{8}-\d{6})(?:-(\d+))?" +
                         re.escape(BACKUP_SUFFIX) + "$")
    found = []
    if path.parent.is_dir():
        for p in path.parent.iterdir():
            m = pattern.match(p.name)
            if m:
                found.append(((m.group(1), int(m.group(2) or 0)), p))
    return [p for _, p in sorted(found, reverse=True)]
