"""kit init: a working folder from the shipped files, never overwriting anything."""

from __future__ import annotations

from pathlib import Path

from kit.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_init_copies_the_shipped_templates_and_samples(tmp_path, capsys) -> None:
    assert main(["init", str(tmp_path / "工作")]) == 0
    folder = tmp_path / "工作"
    for part, pattern in (("templates", "*.md"), ("params", "*.yaml"), ("notebooks", "*.ipynb")):
        shipped = sorted((ROOT / part).glob(pattern))
        assert shipped
        assert [p.name for p in sorted((folder / part).glob(pattern))] == [p.name for p in shipped]
        for p in shipped:
            assert (folder / part / p.name).read_bytes() == p.read_bytes()
    assert "kit build" in (folder / "使用说明.md").read_text(encoding="utf-8")
    assert "已建立" in capsys.readouterr().out


def test_init_refuses_when_a_file_exists_and_writes_nothing(tmp_path, capsys) -> None:
    mine = tmp_path / "templates" / "镇委书记.md"
    mine.parent.mkdir()
    mine.write_text("我自己改过的模板", encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 6
    err = capsys.readouterr().err
    assert "镇委书记.md" in err and "没有覆盖" in err and "Traceback" not in err
    assert mine.read_text(encoding="utf-8") == "我自己改过的模板"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "templates", "templates/镇委书记.md"]


def test_init_on_a_file_is_refused(tmp_path, capsys) -> None:
    target = tmp_path / "文件"
    target.write_text("x", encoding="utf-8")
    assert main(["init", str(target)]) == 4
    assert "不是文件夹" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "x"
