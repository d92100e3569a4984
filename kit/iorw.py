"""Writing outputs safely: atomically, under names every system accepts, never through a
link, and a backup of what a write replaces that a user made (a parameter file, a
template, a workbook), so a kit crash or a mistaken save never costs a user their work.

Links: inside an output folder the kit writes, truncates and deletes only real files in
real folders.  A link there (from a colleague's zip, or planted by another user of a
shared folder) would send a write to the file it points at, outside the folder; every
writer refuses it with one message (:func:`refuse_links`, :func:`open_inside`,
:func:`check_tree`).  The output folder itself may be a link: the user named it.
"""

from __future__ import annotations

import os
import re
import stat
import sys
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


SCRATCH_SUFFIX = project.SCRATCH_SUFFIX


class LinkError(OutputError):
    """A link inside an output folder, where the kit would write through it."""


def _is_link(path: Path) -> bool:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    isjunction = getattr(os.path, "isjunction", None)  # Windows (Python 3.12+)
    return stat.S_ISLNK(st.st_mode) or bool(isjunction and isjunction(path))


def _link_error(path: Path, root: Path) -> LinkError:
    try:
        target = f"指向 {os.readlink(path)}"
    except OSError:
        target = None
    return LinkError(Problem(
        "输出文件夹里有一个链接（快捷方式），kit 不会通过链接写入或删除文件",
        file=display_path(path), found=target,
        hint=f"请删除这个链接后重试，或用 -o 换一个输出文件夹（现在是 {display_path(root)}）。"))


def refuse_links(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> None:
    """LinkError when ``path`` or a folder between ``root`` and it is a link (what does
    not exist yet is made by the kit: no link).  ``path`` must lie in ``root``."""
    path, root = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    if not path.is_relative_to(root):
        raise OutputError(Problem("要写的文件不在输出文件夹里", file=display_path(path),
                                  expected=f"在 {display_path(root)} 里"))
    here = root
    for part in path.relative_to(root).parts:
        here = here / part
        if _is_link(here):
            raise _link_error(here, root)
        if not os.path.lexists(here):
            return


def make_dirs(folder: str | os.PathLike[str], root: str | os.PathLike[str]) -> Path:
    """``folder`` and the folders above it down from ``root``, made one at a time, none a
    link (LinkError)."""
    folder, root = Path(os.path.abspath(folder)), Path(os.path.abspath(root))
    refuse_links(folder, root)
    here = root
    root.mkdir(parents=True, exist_ok=True)
    for part in folder.relative_to(root).parts:
        here = here / part
        try:
            here.mkdir()
        except FileExistsError:
            if _is_link(here):  # appeared since the check
                raise _link_error(here, root) from None
    return folder


def open_inside(path: str | os.PathLike[str], root: str | os.PathLike[str], flags: int,
                mode: int = 0o666) -> int:
    """``os.open`` of a file in ``root`` (its folders made) that never follows a link, in
    the file's name or in a folder on the way (LinkError naming it)."""
    path = Path(os.path.abspath(path))
    make_dirs(path.parent, root)
    try:
        # (O_TRUNC after the checks: it would empty a hard-linked file at once)
        fd = os.open(path, (flags & ~os.O_TRUNC) | getattr(os, "O_NOFOLLOW", 0), mode)
    except OSError:
        if _is_link(path):  # ELOOP (or, on some systems, another errno)
            raise _link_error(path, Path(root)) from None
        raise
    st = os.fstat(fd)
    if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:  # a hard link: another file's data
        os.close(fd)
        raise LinkError(Problem(
            "输出文件夹里的这个文件同时是别处某个文件（硬链接），kit 不会写入它", file=display_path(path),
            hint="请删除这个文件后重试（kit 会重新生成它）。"))
    if flags & os.O_TRUNC:
        os.ftruncate(fd, 0)
    return fd


def check_tree(root: str | os.PathLike[str], names: list[str]) -> None:
    """LinkError for the first link among ``root``'s entries ``names`` and everything
    under them (the folders a build writes in), so nothing is written through one."""
    root = Path(os.path.abspath(root))
    for name in names:
        top = root / name
        if _is_link(top):
            raise _link_error(top, root)
        for folder, dirs, files in os.walk(top):  # does not follow links
            for entry in (*dirs, *files):
                if _is_link(Path(folder) / entry):
                    raise _link_error(Path(folder) / entry, root)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, mode: int | None = None,
                       *, root: str | os.PathLike[str] | None = None) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename, so
    an interrupted run never leaves a truncated file nor destroys the previous good one.
    ``mode``: the new file's permissions (else the replaced file's, else the umask's).
    ``root``: the output folder ``path`` lies in: no folder below it may be a link (a
    link at ``path`` itself is replaced, never written through)."""
    path = Path(path)
    if root is not None:
        make_dirs(path.parent, root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=SCRATCH_SUFFIX,
                                   dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            # Keep the mode of the file being replaced, else what a plain open() would give.
            if mode is None:  # (lstat: a link's target is none of our business)
                mode = path.lstat().st_mode & 0o777 if path.is_file() and not _is_link(
                    path) else 0o666 & ~_UMASK
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


def atomic_write_text(path: str | os.PathLike[str], text: str, mode: int | None = None,
                      *, root: str | os.PathLike[str] | None = None) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"), mode, root=root)


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
    pattern = re.compile(re.escape(path.name) + project.BACKUP_TAIL)
    found = []
    if path.parent.is_dir():
        for p in path.parent.iterdir():
            m = pattern.match(p.name)
            if m:
                found.append(((m.group(1), int(m.group(2) or 0)), p))
    return [p for _, p in sorted(found, reverse=True)]


def unbreakable_streams() -> None:
    """stdout and stderr that never fail on a character their encoding lacks (a Chinese
    Windows console redirected to a GBK file, ``PYTHONIOENCODING=ascii``): it is
    written as ``\\uXXXX`` instead, so a summary and its failures are always shown and
    the exit code still tells them (it was a UnicodeEncodeError, exit 70)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a stream already closed, or not a real file
                continue
