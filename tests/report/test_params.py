"""Parameter files: good ones load; every malformed case gets one clear Chinese message."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from kit.build.official import report_of
from kit.errors import ParamsError, UnknownRoleError
from kit.report.params import find_params, load
from tests.conftest import FIXTURES, ROOT

BAD = FIXTURES / "params_bad"


def _message(name: str, error: type[Exception] = ParamsError) -> str:
    with pytest.raises(error) as info:
        load(BAD / name)
    assert len(info.value.problems) == 1, str(info.value)  # one message per mistake
    return str(info.value)


def _edited(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    """The sample 党建办主任 file with some lines changed, saved in tmp_path."""
    text = (ROOT / "params" / "东山镇-镇党建办主任-李明华.yaml").read_text("utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "edited.yaml"
    path.write_text(text, "utf-8")
    return path


def test_sample_params_load_with_typed_values() -> None:
    files = find_params(ROOT / "params")
    assert len(files) == 2
    officials = {load(f).role: load(f) for f in files}
    assert set(officials) == {"镇党建办主任", "镇委书记"}
    secretary = officials["镇委书记"]
    assert secretary.values["心得体会"] == 4
    assert secretary.values["合作社分红"] == Decimal("52.6")
    assert secretary.values["单位类别"] == "镇"  # derived from 东山镇
    assert secretary.year == 2023


def test_unknown_role_lists_the_known_ones_and_suggests() -> None:
    msg = _message("unknown_role.yaml", UnknownRoleError)
    assert "unknown_role.yaml" in msg and "第 1 行" in msg and "「角色」" in msg
    assert "镇党建办主任、镇委书记" in msg and "「镇党建办主仁」" in msg
    assert "您是否想写「镇党建办主任」？" in msg


def test_missing_required_field() -> None:
    msg = _message("missing_field.yaml")
    assert "字段「专题会议（主持召开党建工作专题会议）」" in msg
    assert "缺少必填项" in msg and "单位：次" in msg and "没有填写" in msg


def test_chinese_numeral_for_a_count() -> None:
    msg = _message("chinese_numeral.yaml")
    assert "第 8 行" in msg and "「讲党课" in msg and "应填阿拉伯数字" in msg
    assert "实际为：「五」" in msg and "您是否想写「5」？" in msg


def test_percentage_over_100() -> None:
    msg = _message("percent_over.yaml")
    assert "第 10 行" in msg and "「党建覆盖率" in msg
    assert "不能大于 100" in msg and "0 到 100 之间" in msg and "实际为：120" in msg


def test_negative_meetings() -> None:
    msg = _message("negative.yaml")
    assert "第 7 行" in msg and "「专题会议" in msg and "不能是负数" in msg and "实际为：-3" in msg


def test_unknown_key_suggests_the_nearest_field() -> None:
    msg = _message("unknown_key.yaml")
    assert "第 7 行" in msg and "「专题会意」" in msg and "不认识的字段" in msg
    assert "您是否想写「专题会议」？" in msg


def test_not_yaml_names_the_line_and_the_likely_cause() -> None:
    msg = _message("not_yaml.yaml")
    assert "not_yaml.yaml，第 7 行" in msg and "不是有效的 YAML" in msg
    assert "全角冒号" in msg


def test_gbk_file_is_named_as_such() -> None:
    msg = _message("gbk.yaml")
    assert "GBK" in msg and "UTF-8" in msg and "另存为" in msg


def test_label_used_as_key_points_to_the_key(tmp_path: Path) -> None:
    bad = _edited(tmp_path, ("讲党课: 6", "为村级党员带头讲党课: 6"))
    with pytest.raises(ParamsError) as info:
        load(bad)
    assert str(info.value).count("\n") == 0
    assert "键要写成「讲党课」" in str(info.value)


def test_several_mistakes_are_all_reported(tmp_path: Path) -> None:
    bad = _edited(tmp_path, ("讲党课: 6", "讲党课: 六"), ("专题会议: 12", "专题会议: 1.5"))
    with pytest.raises(ParamsError) as info:
        load(bad)
    assert len(info.value.problems) == 2


def test_values_are_data_not_template_code() -> None:
    official = load(BAD / "jinja_value.yaml")
    text = "\n".join(report_of(official).paragraphs())
    assert "包抓{{ 7*7 }}村" in text and "49" not in text
    # markup inside a value is not markup: no heading, no numbering, no evaluation
    assert "四是{% if true %}# 标题{是}{{ 姓名 }}{% endif %}" in text


def test_hostile_keys_are_only_unknown_fields(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    bad = tmp_path / "hostile.yaml"
    bad.write_text(
        "角色: 镇党建办主任\n"
        f"\"x; open('{marker}', 'w')\": 1\n"
        f"姓名: \"__import__('os').system('touch {marker}')\"\n", "utf-8")
    with pytest.raises(ParamsError) as info:
        load(bad)
    assert "不认识的字段" in str(info.value)
    assert not marker.exists()


def test_yaml_tags_are_not_constructed(tmp_path: Path) -> None:
    bad = tmp_path / "tag.yaml"
    bad.write_text("角色: !!python/object/apply:os.system ['echo hi']\n", "utf-8")
    with pytest.raises(ParamsError) as err:
        load(bad)
    (problem,) = err.value.problems
    assert problem.line == 1 and "!!python/object/apply:os.system" in str(problem)


def test_octal_looking_text_stays_text(tmp_path: Path) -> None:
    f = _edited(tmp_path, ("包抓村: 石门", "包抓村: 0123"))
    assert load(f).values["包抓村"] == "0123"


@pytest.mark.parametrize("name", ["unknown_role.yaml", "not_yaml.yaml", "gbk.yaml"])
def test_cli_prints_one_message_and_no_traceback(name: str, tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "kit.cli", "render", str(BAD / name),
                          "-o", str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and run.stderr.startswith("错误：")
    assert not list(tmp_path.iterdir())  # nothing written for a bad file


def test_required_field_left_empty_is_missing_at_its_line(tmp_path: Path) -> None:
    f = _edited(tmp_path, ("讲党课: 6", "讲党课:"))
    with pytest.raises(ParamsError) as info:
        load(f)
    assert len(info.value.problems) == 1
    assert "第 9 行，字段「讲党课（为村级党员带头讲党课）」：缺少必填项" in str(info.value)


def test_cli_help_and_misuse_are_in_chinese() -> None:
    run = subprocess.run([sys.executable, "-m", "kit.cli", "render", "-h"], capture_output=True,
                         text=True, cwd=ROOT)
    assert run.stdout.startswith("用法：kit render") and "显示本帮助并退出" in run.stdout
    run = subprocess.run([sys.executable, "-m", "kit.cli", "roll", "params"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2 and "缺少参数：--year" in run.stderr
    assert "usage" not in run.stderr and "Traceback" not in run.stderr
    run = subprocess.run([sys.executable, "-m", "kit.cli", "roll", "params", "--year", "明年"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2 and "--year：应为 2000 到 2100 之间的整数，实际为「明年」" in run.stderr
    assert "invalid" not in run.stderr


def test_cli_render_goes_on_after_a_bad_file(tmp_path: Path) -> None:
    good = ROOT / "params" / "东山镇-镇党建办主任-李明华.yaml"
    run = subprocess.run([sys.executable, "-m", "kit.cli", "render", str(BAD / "gbk.yaml"),
                          str(good), "-o", str(tmp_path)], capture_output=True, text=True,
                         cwd=ROOT)
    assert run.returncode == 2 and run.stderr.startswith("错误：") and "gbk.yaml" in run.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["2023年度述职报告-东山镇-镇党建办主任-李明华.docx"]


def test_files_that_look_like_parameter_files_are_listed(tmp_path: Path) -> None:
    from kit.report.params import find_params, overlooked

    names = ["张三.yaml", "李四.YML", "张三.yaml.txt", "王五.yaml ", "赵六.yml.bak", "说明.md",
             ".隐藏.yaml.swp", "钱七.yaml.docx"]
    for name in names:
        (tmp_path / name).write_text("角色: 镇委书记\n", "utf-8")
    assert [p.name for p in find_params(tmp_path)] == ["张三.yaml", "李四.YML"]
    assert [p.name for p in overlooked(tmp_path)] == sorted(
        ["张三.yaml.txt", "王五.yaml ", "赵六.yml.bak", "钱七.yaml.docx"])


@pytest.mark.parametrize(("unit", "kind", "told"), [
    ("东山镇", "乡", True), ("西河乡", "镇", True), ("东山镇", "镇", False),
    ("东山街道", "镇", False)])  # (a 街道 names no kind: 单位类别 is what there is)
def test_a_unit_kind_the_unit_name_contradicts_is_a_warning(
        tmp_path: Path, unit: str, kind: str, told: bool) -> None:
    sample = (ROOT / "params" / "东山镇-镇党建办主任-李明华.yaml").read_text("utf-8")
    path = tmp_path / "p.yaml"
    path.write_text(sample.replace("单位: 东山镇", f"单位: {unit}\n单位类别: {kind}"), "utf-8")
    official = load(path, templates=ROOT / "templates")
    said = [w for w in official.warnings if "单位类别" in w]
    assert bool(said) is told, official.warnings
    if told:
        assert f"您是否想写「单位类别: {unit[-1]}」？" in said[0] and unit in said[0]
        assert official.values["单位类别"] == kind  # what the user typed is kept
