"""Outputs are written atomically under names every system accepts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kit.errors import OutputError
from kit.iorw import atomic_write_bytes, safe_filename


def test_atomic_write_replaces_whole_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.docx"
    atomic_write_bytes(target, b"old")
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in target.parent.iterdir()] == ["a.docx"]
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()


def test_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "a.docx"
    atomic_write_bytes(target, b"good")

    with pytest.raises(TypeError, match="bytes-like object is required"):
        atomic_write_bytes(target, object())  # type: ignore[arg-type]
    assert target.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["a.docx"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_folder_is_a_chinese_message(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    with pytest.raises(OutputError, match="没有权限写入"):
        atomic_write_bytes(folder / "a.docx", b"x")


def test_an_impossible_path_is_named_in_chinese(tmp_path: Path) -> None:
    (tmp_path / "build").write_text("a file, not a folder", "utf-8")
    with pytest.raises(OutputError) as info:
        atomic_write_bytes(tmp_path / "build" / "a.docx", b"x")
    assert str(info.value).endswith("：无法写入：已有同名的文件，无法建立这个文件夹")
    assert "build" in str(info.value) and "directory" not in str(info.value)


@pytest.mark.parametrize(("name", "safe"), [
    ("2023年度述职报告-东山镇-镇委书记-王建国", "2023年度述职报告-东山镇-镇委书记-王建国"),
    ('a<b>:"c"/d\\e|f?g*', "a_b___c__d_e_f_g_"),
    ("CON", "_CON"), ("name. ", "name"), ("", "_"),
])
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_backup_generations_keep_the_newest_few(tmp_path):
    from kit.iorw import BACKUPS_KEPT, backup_generations, backups_of

    path = tmp_path / "x.yaml"
    assert backup_generations(path) is None  # nothing to keep yet
    made = []
    n = BACKUPS_KEPT + 3
    for i in range(n):
        path.write_text(f"v{i}", encoding="utf-8")
        made.append(backup_generations(path, now=1_790_000_000 + (i // 2)))
    kept = backups_of(path)
    assert BACKUPS_KEPT == 10 and kept == made[:2:-1]  # newest first, even two within one second
    assert [p.read_text(encoding="utf-8") for p in kept] == [f"v{i}" for i in range(n - 1, 2, -1)]
    assert all(p.name.endswith(".bak") and not p.name.endswith(".yaml") for p in kept)
    assert sorted(tmp_path.iterdir()) == sorted([path, *kept])


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_nothing_is_written_through_a_link_in_the_output_folder(tmp_path: Path) -> None:
    from kit.iorw import LinkError, check_tree, open_inside

    out, elsewhere = tmp_path / "build", tmp_path / "别处"
    (out / "2023").mkdir(parents=True)
    elsewhere.mkdir()
    (elsewhere / "a.docx").write_bytes(b"theirs")
    (out / "2023" / "docx").symlink_to(elsewhere)
    with pytest.raises(LinkError) as info:
        atomic_write_bytes(out / "2023" / "docx" / "a.docx", b"ours", root=out)
    assert "链接" in str(info.value) and "docx" in str(info.value)
    assert (elsewhere / "a.docx").read_bytes() == b"theirs"
    with pytest.raises(LinkError):
        check_tree(out, ["2023"])
    victim = elsewhere / "journal"
    victim.write_text("theirs", "utf-8")
    (out / ".kit").mkdir()
    (out / ".kit" / "journal.jsonl").symlink_to(victim)
    with pytest.raises(LinkError):
        open_inside(out / ".kit" / "journal.jsonl", out, os.O_WRONLY | os.O_APPEND)
    (out / "2023" / "docx").unlink()
    (out / ".kit" / "journal.jsonl").unlink()
    (out / ".kit" / "lock").symlink_to(victim)  # a link at the file itself
    with pytest.raises(LinkError):
        open_inside(out / ".kit" / "lock", out, os.O_RDWR | os.O_CREAT | os.O_TRUNC)
    assert victim.read_text("utf-8") == "theirs"
    (out / ".kit" / "lock").unlink()
    os.link(victim, out / ".kit" / "lock")  # a hard link: the same file by another name
    with pytest.raises(LinkError, match="硬链接"):
        open_inside(out / ".kit" / "lock", out, os.O_RDWR | os.O_CREAT | os.O_TRUNC)
    assert victim.read_text("utf-8") == "theirs"
    # The output folder itself may be a link: the user named it.
    alias = tmp_path / "别名"
    alias.symlink_to(out)
    atomic_write_bytes(alias / "2023" / "docx" / "a.docx", b"ours", root=alias)
    assert (out / "2023" / "docx" / "a.docx").read_bytes() == b"ours"
