"""The command line: one bad file never stops the others, ranges are checked when the
command is parsed, exit codes come from the error classes, and nothing a user can put
in a file or folder shows a traceback."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kit import errors
from kit.cli import main
from tests.conftest import ROOT
from tests.fixtures.hostile import PARAMS_BAD, PARAMS_CASES, special_files

HOSTILE = ["infinity.yaml", "superscript_year.yaml", "nan.yaml", "billion_laughs.yaml",
           "python_tag.yaml", "control_char.yaml"]


def _kit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "kit.cli", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=600)


def test_render_goes_on_past_every_hostile_file(project: Path) -> None:
    specials = special_files(project / "坏", 256 * 1024)
    bad = [str(PARAMS_BAD / n) for n in HOSTILE] + [str(p) for p, _ in specials.values()]
    good = [str(p) for p in sorted((project / "params").glob("*.yaml"))]
    run = _kit("render", good[0], *bad, good[1], "-o", "out", "--timeout", "30", cwd=project)
    assert run.returncode == 2, run.stderr  # 参数文件有误
    assert "Traceback" not in run.stderr and "Error" not in run.stderr
    assert len(list((project / "out").glob("*.docx"))) == 2
    for name in [*HOSTILE, *(p.name for p, _ in specials.values())]:
        assert name in run.stderr


def test_roll_reports_bad_files_and_writes_the_rest(project: Path) -> None:
    folder = project / "params"
    for name in HOSTILE:
        shutil.copy(PARAMS_BAD / name, folder / name)
    specials = special_files(project / "tmp", 256 * 1024)
    for path, _ in specials.values():
        if path.is_symlink():
            (folder / path.name).symlink_to(os.readlink(path))
    run = _kit("roll", "params", "--year", "2024", cwd=project)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    written = {p.name for p in (project / "params-2024").iterdir()}
    assert {"东山镇-镇委书记-王建国.yaml", "东山镇-镇党建办主任-李明华.yaml"} <= written
    for name in ("billion_laughs.yaml", "python_tag.yaml", "control_char.yaml", "循环.yaml",
                 "零.yaml"):
        assert name in run.stderr and name not in written
    # Files that only hold a bad figure are rolled: the figures are emptied anyway.
    assert "infinity.yaml" in written


@pytest.mark.parametrize(("args", "words"), [
    (["build", "--workers", "0"], "--workers: 应为 1 到 64 之间的整数"),
    (["build", "--workers", "65"], "--workers: 应为 1 到 64 之间的整数"),
    (["build", "--workers", "两"], "--workers: 应为 1 到 64 之间的整数"),
    (["build", "--timeout", "0"], "--timeout: 应为 1 到 86400 之间的整数"),
    (["render", "a.yaml", "--timeout", "-1"], "--timeout: 应为大于 0"),
    (["render", "a.yaml", "--timeout", "nan"], "--timeout: 应为大于 0"),
    (["render", "a.yaml", "--timeout", "inf"], "--timeout: 应为大于 0"),
    (["form", "--port", "70000"], "--port: 应为 1 到 65535 之间的整数"),
    (["roll", "params", "--year", "1999"], "--year: 应为 2000 到 2100 之间的整数"),
    (["render"], "缺少参数"),
    (["build", "--workers"], "后面缺少值"),
    (["生成"], "无效的选项"),
])
def test_numeric_options_are_checked_when_parsed(args: list[str], words: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert words in err
    assert not re.search(r"\b(argument|invalid|expected|usage)\b", err), err


def test_an_internal_error_is_one_line_and_a_log_file(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR is read again

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("kit.build.official.render_file", broken)
    code = main(["render", str(ROOT / "params" / "东山镇-镇党建办主任-李明华.yaml"), "-o",
                 str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == errors.EXIT_INTERNAL == 70
    assert len(err.strip().splitlines()) == 1 and "本工具内部出错" in err and "Traceback" not in err
    [log] = list(tmp_path.glob("kit-错误日志-*.txt"))
    assert str(log) in err
    assert "Traceback" in log.read_text("utf-8") and "ZeroDivisionError: a bug" in log.read_text(
        "utf-8")


def test_a_file_name_that_is_not_utf8_is_shown_not_a_crash(tmp_path: Path) -> None:
    name = os.fsdecode(b"\xff\xfe.yaml")
    (tmp_path / name).write_bytes(b"\xff")
    run = _kit("render", name, "-o", "out", cwd=tmp_path)
    assert run.returncode == 2 and "\\xff\\xfe.yaml" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


def test_exit_codes_come_from_the_error_classes() -> None:
    table = {errors.ParamsError: 2, errors.UsageError: 2, errors.UnknownRoleError: 2,
             errors.TemplateError: 3, errors.OutputError: 4, errors.ToolMissingError: 5,
             errors.ExistsError: 6, errors.ToolFailedError: 7, errors.ToolTimeoutError: 7}
    assert {cls: cls.exit_code for cls in table} == table
    readme = (ROOT / "README.md").read_text("utf-8")
    for code in (*set(table.values()), errors.EXIT_INTERNAL):
        assert re.search(rf"\b{code}\b", readme[readme.index("退出码"):])
    assert not issubclass(errors.ToolTimeoutError, errors.ToolMissingError)


def test_params_cases_cover_every_static_fixture() -> None:
    static = {p.name for p in PARAMS_BAD.iterdir()}
    assert set(PARAMS_CASES) <= static
