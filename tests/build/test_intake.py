"""Reading a parameter folder safely: nothing blocks, nothing huge is read, and files
that look like parameter files but are not read are named."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from kit.build.intake import gather, read_params_bytes
from kit.build.lock import BuildBusyError, BuildLock
from kit.build.manifest import Manifest
from kit.errors import ParamsError

posix = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and symlinks")


@posix
def test_special_files_are_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "管道.yaml")
    (tmp_path / "环.yaml").symlink_to("环.yaml")
    (tmp_path / "零.yaml").symlink_to("/dev/zero")
    (tmp_path / "夹.yaml").mkdir()
    (tmp_path / "大.yaml").write_bytes(b"#" * (2 << 20))
    reasons = {}
    for name in ("管道", "环", "零", "夹", "大"):
        with pytest.raises(ParamsError) as err:
            read_params_bytes(tmp_path / f"{name}.yaml")
        reasons[name] = str(err.value)
    assert "管道" in reasons["管道"] and "设备" in reasons["零"]
    assert "循环" in reasons["环"] and "文件夹" in reasons["夹"]
    assert "太大" in reasons["大"] and "KB" in reasons["大"]
    (tmp_path / "好.yaml").write_text("姓名: 李明\n", "utf-8")
    assert read_params_bytes(tmp_path / "好.yaml") == "姓名: 李明\n".encode()


def test_lookalikes_are_listed_with_the_name_meant(tmp_path: Path) -> None:
    for name in ("好.yaml", "大写.YAML", "张三.yaml.txt", "王五.yaml ", "备份.yml.bak",
                 "~$临时.yaml", ".隐藏.yaml", "._好.yaml", ".好.yaml.swp", "说明.txt",
                 # the kit's own backups (the form's, the roster's): not look-alikes
                 "好.yaml.20261207-005700.bak", "好.yaml.20261207-005700-1.bak"):
        (tmp_path / name).write_text("x: 1\n", "utf-8")
    files, others = gather(tmp_path)
    assert [f.name for f in files] == ["大写.YAML", "好.yaml"]
    said = {x.path.name: x.reason for x in others}
    assert set(said) == {"张三.yaml.txt", "王五.yaml ", "备份.yml.bak", "~$临时.yaml",
                         ".隐藏.yaml", "._好.yaml"}
    assert "「张三.yaml」" in said["张三.yaml.txt"] and "「备份.yml」" in said["备份.yml.bak"]
    assert "末尾有空格" in said["王五.yaml "] and "临时文件" in said["~$临时.yaml"]
    assert "隐藏文件" in said[".隐藏.yaml"] and "「隐藏.yaml」" in said[".隐藏.yaml"]
    assert "macOS" in said["._好.yaml"] and "改名" not in said["._好.yaml"]


def test_manifest_damaged_or_cut_never_vouches_for_more(tmp_path: Path) -> None:
    m = Manifest(tmp_path)
    a, b, c = (str(tmp_path / "params" / n) for n in ("a.yaml", "b.yaml", "c.yaml"))
    m.record(a, {"key": "1"})
    m.save()
    m.record(b, {"key": "2"})
    m.record(c, {"key": "3"})
    journal = m.journal.read_bytes()
    m.journal.write_bytes(journal[: len(journal) - 5])  # the last line cut by a kill
    again = Manifest.load(tmp_path)
    assert set(again.records) == {a, b} and not again.damaged
    m.path.write_text('{"format": 2, "records": {', "utf-8")
    broken = Manifest.load(tmp_path)
    assert broken.damaged and broken.records == {}


def test_records_are_by_folder_and_name_and_old_manifests_are_read(tmp_path: Path) -> None:
    import json

    from kit.build.manifest import record_id

    for folder in ("params", "params-2024"):
        (tmp_path / folder).mkdir()
    this, that = tmp_path / "params" / "张三.yaml", tmp_path / "params-2024" / "张三.yaml"
    assert record_id(this) != record_id(that)  # one name, two years: two records
    # A manifest of format 1 (records by file name alone) is read, not thrown away.
    (tmp_path / ".kit").mkdir()
    (tmp_path / ".kit" / "manifest.json").write_text(json.dumps({
        "format": 1, "volumes": {}, "records": {
            "张三.yaml": {"key": "1", "folder": str(tmp_path / "params")}}}), "utf-8")
    old = Manifest.load(tmp_path)
    assert not old.damaged and set(old.records) == {record_id(this)}


def test_a_held_lock_names_its_holder(tmp_path: Path) -> None:
    with BuildLock(tmp_path):
        with pytest.raises(BuildBusyError) as err, BuildLock(tmp_path, wait=0.3):
            pass
        assert f"进程号 {os.getpid()}" in str(err.value) and err.value.exit_code == 4
    with BuildLock(tmp_path, wait=0):  # released on exit
        pass
