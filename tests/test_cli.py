"""The command line: one bad file never stops the others, ranges are checked when the
command is parsed, exit codes come from the error classes, and nothing a user can put
in a file or folder shows a traceback."""

from __future__ import annotations

import argparse
import ast
import gettext
import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kit import errors
from kit.cli import main
from kit.iorw import backups_of
from kit.user_numbers import NumberError, Whole
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
    (["build", "--workers", "0"], "--workers：应为 1 到 64 之间的整数，实际为「0」 您是否想写「1」？"),
    (["build", "--workers", "65"], "实际为「65」 您是否想写「64」？"),
    (["build", "--workers", "两"], "--workers：应为 1 到 64 之间的整数，实际为「两」\n"),
    (["build", "--workers", "１０"], "实际为「１０」 您是否想写「10」？"),  # full-width digits
    (["build", "--workers", "٣"], "实际为「٣」 您是否想写「3」？"),  # Arabic-Indic digit
    (["build", "--timeout", "0"], "--timeout：应为 1 到 86400 之间的整数"),
    (["build", "--timeout", "10秒"], "实际为「10秒」 您是否想写「10」？"),  # a unit
    (["render", "a.yaml", "--timeout", "-1"], "--timeout：应为 1 到 86400 之间的整数"),
    (["render", "a.yaml", "--timeout", "nan"], "实际为「nan」\n"),
    (["render", "a.yaml", "--timeout", "1e3"], "实际为「1e3」\n"),  # no guess at 1
    (["render", "a.yaml", "--timeout", "１０"], "您是否想写「10」？"),
    (["form", "--port", "70000"], "--port：应为 1 到 65535 之间的整数，实际为「70000」 您是否想写「65535」？"),
    (["review", "--port", "70000"], "--port：应为 1 到 65535 之间的整数"),
    (["lab", "--port", "99999"], "--port：应为 1 到 65535 之间的整数"),
    (["lab", "--port", "0"], "您是否想写「1」？"),
    (["roll", "params", "--year", "1999"], "--year：应为 2000 到 2100 之间的整数"),
    (["roll", "params", "--year", "二〇二四年"], "实际为「二〇二四年」 您是否想写「2024」？"),
    (["roster", "export", "p", "x.xlsx", "--blank", "--year", "２０２４"], "您是否想写「2024」？"),
    (["render"], "kit render：命令写法有误：缺少参数：参数文件\n（输入 kit render -h 查看用法）"),
    (["build", "--workers"], "--workers：后面缺少值"),
    (["生成"], "命令：没有「生成」这一项（可选：「init」、「render」、"),
    (["bild"], "没有「bild」这一项（可选：「init」、「render」、「build」、"),
    (["build", "--by", "argument"], "--by：没有「argument」这一项（可选：「所属县」、「单位」）"),
    (["build", "--by", "单 位"], "没有「单 位」这一项"),
    (["build", "params", "extra"], "kit：命令写法有误：不认识的参数：extra\n"),
    (["build", "--wokers", "2"], "不认识的参数：--wokers 您是否想写「--workers」？"),
    (["review", "list", "--paramz", "p"], "不认识的参数：--paramz 您是否想写「--params」？"),
    # A real option in the wrong place: where it belongs, never itself as the guess.
    (["review", "list", "--params", "p"],
     "不认识的参数：--params 「--params」是「kit review」的选项，请紧接着「kit review」写"),
    (["render", "a.yaml", "--x"], "不认识的参数：--x\n"),  # nothing close: no guess
    (["build", "--f"], "选项 --f 不明确，可能是：--force, --final"),
    (["review", "return", "a.yaml"], "缺少参数：--reason"),
    (["review", "approve", "a.yaml", "--reviewer"], "--reviewer：后面缺少值"),
])
def test_a_mistyped_command_is_one_chinese_message(args: list[str], words: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("用法：kit") and words in err, err
    assert not re.search(r"\b(argument|invalid|expected|usage|error|choose)\b",
                         err.replace("「argument」", "")), err


def test_a_suggestion_follows_a_mistyped_choice(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["bild"])
    assert "您是否想写「build」？" in capsys.readouterr().err


def test_the_users_own_value_is_shown_as_typed() -> None:
    """argparse's words are translated, not the user's: 「argument」 stays 「argument」."""
    run = _kit("build", "--by", "argument", cwd=ROOT)
    assert run.returncode == 2
    assert "「argument」" in run.stderr and "参数」" not in run.stderr, run.stderr
    run = _kit("build", "--workers", "参数", cwd=ROOT)
    assert "实际为「参数」" in run.stderr, run.stderr
    run = _kit("build", "--by", "单\u200b位", cwd=ROOT)  # nothing invisible on the screen
    assert "「单〈U+200B〉位」" in run.stderr, run.stderr


def test_help_is_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["build", "-h"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：kit build")
    assert "\n参数:\n" in out and "\n选项:\n" in out and "显示本帮助并退出" in out
    assert not re.search(r"\b(usage|options|positional|show this)\b", out), out


def test_the_catalog_is_for_the_kits_parser_only(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["bild"])
    capsys.readouterr()
    other = argparse.ArgumentParser(prog="other")
    other.add_argument("--n", type=int)
    with pytest.raises(SystemExit):
        other.parse_args(["--n", "x"])
    assert "usage: other" in capsys.readouterr().err
    assert argparse._("usage: ") == "usage: "  # type: ignore[attr-defined]


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


def test_render_never_replaces_a_report_without_force(project: Path) -> None:
    """The .docx may have been edited in Word since: refused (exit 6, the file unchanged),
    and with --force made again with the old one kept as a backup."""
    sample = str(sorted((project / "params").glob("*.yaml"))[0])
    assert _kit("render", sample, "-o", "out", cwd=project).returncode == 0
    (made,) = (project / "out").glob("*.docx")
    made.write_bytes(b"edited in Word")
    again = _kit("render", sample, "-o", "out", cwd=project)
    assert again.returncode == 6 and "已经存在，没有覆盖" in again.stderr and "--force" in again.stderr
    assert made.read_bytes() == b"edited in Word"
    forced = _kit("render", sample, "-o", "out", "--force", cwd=project)
    assert forced.returncode == 0, forced.stderr
    (backup,) = backups_of(made)
    assert backup.read_bytes() == b"edited in Word" and made.read_bytes()[:2] == b"PK"


def test_a_file_name_that_is_not_utf8_is_shown_not_a_crash(tmp_path: Path) -> None:
    name = os.fsdecode(b"\xff\xfe.yaml")
    (tmp_path / name).write_bytes(b"\xff")
    run = _kit("render", name, "-o", "out", cwd=tmp_path)
    assert run.returncode == 2 and "\\xff\\xfe.yaml" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


def test_exit_codes_come_from_the_error_classes() -> None:
    table = {errors.KitError: 2, errors.ParamsError: 2, errors.UsageError: 2,
             errors.UnknownRoleError: 2,
             errors.TemplateError: 3, errors.OutputError: 4, errors.ToolMissingError: 5,
             errors.ExistsError: 6, errors.ToolFailedError: 7, errors.ToolTimeoutError: 7}
    assert {cls: cls.exit_code for cls in table} == table  # README's table: tests/test_setup.py
    assert not issubclass(errors.ToolTimeoutError, errors.ToolMissingError)


def test_params_cases_cover_every_static_fixture() -> None:
    static = {p.name for p in PARAMS_BAD.iterdir()}
    assert set(PARAMS_CASES) <= static


LOCALE = ROOT / "kit" / "locale" / "zh_CN" / "LC_MESSAGES"


def _argparse_msgids() -> set[str | tuple[str, ...]]:
    """Every message the installed Python's argparse passes to ``_`` or ``ngettext``."""
    found: set[str | tuple[str, ...]] = set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            words = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id == "_" and words:
                found.add(words[0])
            elif node.func.id == "ngettext":
                found.add((words[0], words[1]))
    return found


Catalog = dict[str | tuple[str, ...], str | tuple[str, ...]]


def _read(name: str) -> Catalog:
    """argparse.po or argparse.mo as {msgid: translation} (plural forms as tuples)."""
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    def plain(v: str | list[str] | tuple[str, ...]) -> str | tuple[str, ...]:
        return v if isinstance(v, str) else tuple(v)

    with (LOCALE / name).open("rb") as f:
        catalog = read_po(f) if name.endswith(".po") else read_mo(f)
    return {plain(m.id): plain(m.string) for m in catalog if m.id}


def test_the_catalog_holds_exactly_what_argparse_says() -> None:
    """Each msgid is one the installed argparse emits (a reworded message in a new Python
    fails here instead of silently showing English), and none of argparse's is missing."""
    po = _read("argparse.po")
    assert set(po) == _argparse_msgids()
    assert all(po.values())


def test_the_compiled_catalog_agrees_with_its_source() -> None:
    """The .mo the kit reads is the .po compiled (msgfmt -c -o argparse.mo argparse.po)."""
    po = _read("argparse.po")
    assert _read("argparse.mo") == po
    with (LOCALE / "argparse.mo").open("rb") as f:  # and as the kit reads it
        compiled = gettext.GNUTranslations(f)
    for msgid, text in po.items():
        if isinstance(msgid, tuple):
            assert compiled.ngettext(msgid[0], msgid[1], 2) == text[0]
        else:
            assert compiled.gettext(msgid) == text


@pytest.mark.parametrize(("typed", "value", "hint"), [
    ("8", 8, None), ("64", 64, None), ("１０", None, "10"), ("10秒", None, "10"),
    ("٣", None, "3"), ("8.0", None, "8"), ("+5", None, "5"), ("-1", None, "1"),
    ("65", None, "64"), ("1.5", None, None), ("1e3", None, None), ("12e3", None, None),
    ("0x10", None, None), ("两", None, None), ("", None, None), (" 8", None, "8"),
    ("八", None, "8"), ("六十", None, None),  # a Chinese digit; not 十, whose reading is a guess
])
def test_one_rule_for_typed_numbers(typed: str, value: int | None, hint: str | None) -> None:
    whole = Whole(1, 64)
    if value is not None:
        assert whole(typed) == value
        return
    with pytest.raises(NumberError) as info:
        whole(typed)
    assert info.value.found == typed and f"实际为「{typed}」" in str(info.value)
    assert info.value.hint == (f"您是否想写「{hint}」？" if hint else None)


def test_a_long_value_is_cut_in_the_message() -> None:
    with pytest.raises(NumberError) as info:
        Whole(1, 64)("9" * 100)
    assert info.value.found == "9" * 20 + "…"


@pytest.mark.parametrize("encoding", ["ascii", "gbk"])
def test_a_narrow_stdout_still_shows_the_failures_and_their_exit_code(
        tmp_path: Path, encoding: str) -> None:
    # Chinese Windows redirected to a file (GBK), or an ASCII pipe: the summary once died
    # on the first character the encoding lacks (exit 70) and hid who failed.
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    (tmp_path / "params").mkdir()
    sample = (ROOT / "params" / "东山镇-镇党建办主任-李明华.yaml").read_text("utf-8")
    (tmp_path / "params" / "坏✗.yaml").write_text(sample.replace("讲党课: 6", "讲党课: 很多"),
                                                 "utf-8")
    run = subprocess.run([sys.executable, "-m", "kit.cli", "build", "params"], cwd=tmp_path,
                         capture_output=True, timeout=600,
                         env={**os.environ, "PYTHONPATH": str(ROOT),
                              "PYTHONIOENCODING": encoding})
    assert run.returncode == 1, run.stderr.decode(encoding, "replace")
    out = run.stdout.decode(encoding)
    assert "UnicodeEncodeError" not in run.stderr.decode(encoding, "replace")
    assert "\\u2717" in out and ("\\u574f" in out if encoding == "ascii" else "坏" in out)


def test_a_number_in_the_environment_follows_the_same_rule(monkeypatch) -> None:
    from kit.errors import UsageError
    from kit.user_numbers import from_environment

    monkeypatch.setenv("KIT_TEST_SECONDS", "１８００")
    with pytest.raises(UsageError) as info:
        from_environment("KIT_TEST_SECONDS", 60, 1, 3600)
    assert "KIT_TEST_SECONDS" in str(info.value) and "您是否想写「1800」？" in str(info.value)
    monkeypatch.setenv("KIT_TEST_SECONDS", "90")
    assert from_environment("KIT_TEST_SECONDS", 60, 1, 3600) == 90
    monkeypatch.setenv("KIT_TEST_SECONDS", " ")
    assert from_environment("KIT_TEST_SECONDS", 60, 1, 3600) == 60
