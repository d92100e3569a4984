"""kit import names blanks by grammar (issue 22): ordinals, a lone 「X年X月」, changes in
百分点 and %, 「参加XXX人次…」, 「为XX名…开展…」, trailing 仅, 场次 — on a 镇纪委书记
sample written here, and on three other invented samples (妇联主席, 武装部长, 组织委员) whose
sentences differ but whose kinds of blank are the same."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from kit.cli import main
from kit.errors import KitError
from kit.report.fields import FieldValueError
from kit.report.params import check
from kit.report.render import render
from kit.report.templates import RoleTemplate, load_template
from kit.sources.importer import import_sample, sample_values
from tests.conftest import ROOT
from tests.seed import sample_paragraphs

JIWEI = """2024年度述职报告（镇纪委书记）
　　2024年，在县纪委监委和镇党委的坚强领导下，我认真履行监督执纪问责职责，现将履职情况报告如下。
　　一、压实监督责任
　　全年开展专项监督检查XX次，发现问题XX个，督促整改到位率达XX.X%。在第X季度集中开展“走读式”监督，走访群众XXX户。村级财务“三资”清理收回资金X.XX万元。
　　二、严肃执纪问责
　　共受理信访举报XX件，比上年下降X个百分点；立案XX件，同比上升X个百分点，给予党纪政务处分XX人次，占处理总人次的XX%。违反中央八项规定精神和作风问题下降X.X%。X年X月，查处××村党支部书记违规发放补贴问题。
　　三、加强警示教育
　　组织党员干部参加XXX人次观看警示教育片，开展警示教育活动X场次，参加XXX人次。为XX名新任村干部开展任前廉政谈话，镇村两级干部参加业务培训仅X人次。
　　四、下一步打算
　　2025年，我将继续在镇党委的领导下，推动全面从严治党向纵深发展。
"""
FULIAN = """2024年度述职报告（镇妇联主席）
　　2024年，在镇党委的坚强领导下，我团结带领全镇妇女干部，扎实推进各项工作，现将履职情况报告如下。
　　一、服务妇女儿童
　　在第X季度举办“巾帼大讲堂”，为XX名留守儿童发放学习用品，组织妇女群众参加XX人次应急演练。X年X月，成立××村妇女创业合作社。全年开展家庭教育指导活动XX场次，帮扶困难妇女仅XX户。
　　二、推动妇女发展
　　妇女创业贷款发放额同比下降X.X个百分点，女性就业人数增长X.X%，占全镇新增就业的XX%。对XX户困难家庭开展上门走访，参加XXX人次。
"""
WUZHUANG = """2024年度述职报告（镇武装部长）
　　2024年，在县人武部和镇党委的领导下，我认真履行党管武装职责，现将工作报告如下。
　　一、民兵整组
　　于第X批次完成民兵整组点验，全镇编建基干民兵XX人，向XX名退役军人送达光荣牌。X年X月，组织民兵参加XX人次学习培训，开展国防教育X场次，参加军事训练仅X人。
　　二、征兵工作
　　完成征兵任务XX名，大学生入伍比例较上年提高X个百分点；X月，走访慰问入伍新兵家庭XX户。
"""
ZUZHI = """2024年度述职报告（镇组织委员）
　　一、基层组织建设
　　在第X季度集中开展软弱涣散村党组织整顿，为XX户脱贫户落实帮扶措施，向XX个村党组织选派第一书记。党员教育培训覆盖率达XX%，较上年提高X.X个百分点，发展党员数量同比下降X.X%。
　　二、人才工作
　　X年X月，召开人才工作座谈会。举办乡土人才培训班X期，参与XXX人次。接受XX人次政策咨询，帮助XX名大学生返乡创业。全镇村干部平均年龄下降X.X岁，大专以上学历占XX%。
"""
# What a key never is: a particle at its end, a preposition or 参加 alone at its start.
BAD_KEY = re.compile(r"[的和与及了仅只才]$|^(?:在|为|对|向|给|于|参加|参与)(?![\u4e00-\u9fff]{2})")


def _import(tmp_path: Path, text: str, name: str) -> RoleTemplate:
    sample = tmp_path / f"{name}.txt"
    sample.write_text(text, "utf-8")
    (path,) = import_sample(sample, out_dir=tmp_path / "templates")
    return load_template(path)


@pytest.fixture(scope="module")
def jiwei(tmp_path_factory: pytest.TempPathFactory) -> RoleTemplate:
    return _import(tmp_path_factory.mktemp("jiwei"), JIWEI, "纪委书记范文")


def _by_sample(t: RoleTemplate, around: str) -> object:
    """The field whose blank stands where ``around`` marks it with 〔〕 in the sample:
    「第〔X〕季度」 is the X between 第 and 季度."""
    before, rest = around.split("〔")
    blank, after = rest.split("〕")
    body = t.path.read_text("utf-8").split("\n---\n", 1)[1]
    m = re.search(re.escape(before) + r"\{\{ (\w+) \}\}" + re.escape(after), body)
    assert m, around
    f = t.fields[m.group(1)]
    assert f.sample == blank
    return f


def test_every_blank_is_a_field_and_the_sample_reads_back(jiwei):
    assert len(jiwei.fields) == 20  # counted by hand in JIWEI: 6 + 9 + 5
    got = render(jiwei, sample_values(jiwei, {"年度": 2024, "单位类别": "镇"})).paragraphs()
    assert got == sample_paragraphs(JIWEI, "2024年度述职报告（镇纪委书记）")
    assert "请核对：第" not in jiwei.path.read_text("utf-8")


def test_labels_say_what_is_counted_and_keys_are_clean(jiwei):
    labels = {f.key: f.label for f in jiwei.fields.values()}
    for key, label in labels.items():
        assert not BAD_KEY.search(key), key
        assert not re.search(r"[xX×]|^的|[的仅在第]$", label), label
    assert len(set(labels.values())) == len(labels)


def test_ordinal_quarter_is_one_to_four(jiwei):
    f = _by_sample(jiwei, "在第〔X〕季度集中")
    assert (f.label, f.key, f.type.zh, f.unit) == ("走读式监督所在季度", "走读式监督季度", "整数", "季度")
    assert f.parse("4") == 4
    with pytest.raises(FieldValueError):
        f.parse("5")
    with pytest.raises(FieldValueError):
        f.parse("0")


def test_year_and_month_is_one_field(jiwei):
    f = _by_sample(jiwei, "。〔X年X月〕，查处")
    assert f.type.zh == "年月" and f.unit == ""
    assert f.label == "查处村党支部书记违规发放补贴问题的年月" and f.key == "查处年月"
    assert f.parse("2024年3月") == "2024年3月" and f.parse("2024-03") == "2024年3月"
    for bad in ("2024年13月", "1999年5月", "3月", "2024"):
        with pytest.raises(FieldValueError):
            f.parse(bad)
    with pytest.raises(FieldValueError) as err:
        f.parse("2024年3月8日")
    assert err.value.hint == "您是否想写「2024年3月」？"


def test_a_span_of_months_is_two_year_month_fields():
    from kit.sources.importer import convert

    (imp,) = convert("2024年度述职报告（镇长）\n一、主要工作\n"
                     "X年X月至X年X月开展人居环境整治，X月，走访群众XX户。\n")
    got = [(key, b.label, b.type) for key, b in imp.fields.items()]  # type: ignore[union-attr]
    assert got == [("开始年月", "人居环境整治开始年月", "年月"), ("结束年月", "人居环境整治结束年月", "年月"),
                   ("走访月份", "走访群众的月份", "整数"), ("走访群众", "走访群众", "整数")]


def test_points_and_percent_changes_are_handled_alike(jiwei):
    down = _by_sample(jiwei, "比上年下降〔X〕个百分点")
    up = _by_sample(jiwei, "同比上升〔X〕个百分点")
    pct = _by_sample(jiwei, "作风问题下降〔X.X〕%")
    assert {f.type.zh for f in (down, up, pct)} == {"增长率"}
    assert (down.unit, up.unit, pct.unit) == ("个百分点", "个百分点", "%")
    assert (down.label, up.label, pct.label) == (
        "受理信访举报比上年下降", "立案同比上升", "违反中央八项规定精神和作风问题下降")
    assert all(f.parse("-2.5") < 0 for f in (down, up, pct))


def test_counted_nouns_and_activities(jiwei):
    watched = _by_sample(jiwei, "参加〔XXX〕人次观看")
    assert (watched.label, watched.unit) == ("警示教育片观看人次", "人次")
    took_part = _by_sample(jiwei, "场次，参加〔XXX〕人次。")
    assert took_part.label == "警示教育参加人次"  # a bare 参加: the activity before it
    talks = _by_sample(jiwei, "为〔XX〕名新任")
    assert (talks.label, talks.key) == ("任前廉政谈话新任村干部人数", "新任村干部人数")
    trained = _by_sample(jiwei, "业务培训仅〔X〕人次")
    assert trained.label.endswith("参加业务培训") and trained.key == "业务培训"
    share = _by_sample(jiwei, "总人次的〔XX〕%")
    assert share.type.zh == "百分比" and share.label.endswith("占处理总人次的比例")


def test_units_are_kept(jiwei):
    assert _by_sample(jiwei, "警示教育活动〔X〕场次").unit == "场次"
    village = _by_sample(jiwei, "查处〔××〕村")
    assert (village.type.zh, village.unit) == ("短文本", "村")


def test_a_year_month_value_is_printed_and_a_wrong_one_named(tmp_path, jiwei):
    values = {"角色": "镇纪委书记", "姓名": "张三", "单位": "西河乡", "所属县": "云溪县",
              "省份": "甘肃", "年度": 2024}
    for f in jiwei.fields.values():
        if f.required:
            values[f.key] = {"年月": "2024年3月", "短文本": "石门"}.get(f.type.zh, "1")
    official = check(values, templates=jiwei.path.parent)
    text = "\n".join(render(official.template, official.values).paragraphs())
    assert "2024年3月，查处石门村党支部书记" in text and "在第1季度" in text
    with pytest.raises(KitError) as err:
        check(values | {"查处年月": "2024年13月", "走读式监督季度": 5}, templates=jiwei.path.parent)
    said = [p.message + (p.expected or "") for p in err.value.problems]
    assert any("月份应在 1 到 12 之间" in s and "2023年5月" in s for s in said), said
    assert any("不能大于 4" in s for s in said), said


@pytest.mark.parametrize("text, name, want", [
    (FULIAN, "妇联主席范文", {
        "在第〔X〕季度举办": ("巾帼大讲堂所在季度", "整数"),
        "为〔XX〕名留守": ("发放学习用品留守儿童人数", "整数"),
        "参加〔XX〕人次应急": ("应急演练参加人次", "整数"),
        "。〔X年X月〕，成立": ("成立村妇女创业合作社的年月", "年月"),
        "指导活动〔XX〕场次": ("开展家庭教育指导活动", "整数"),
        "困难妇女仅〔XX〕户": ("帮扶困难妇女", "整数"),
        "同比下降〔X.X〕个百分点": ("妇女创业贷款发放额同比下降", "增长率"),
        "人数增长〔X.X〕%": ("女性就业人数增长", "增长率"),
        "新增就业的〔XX〕%": ("女性就业人数占全乡镇新增就业的比例", "百分比"),
        "对〔XX〕户困难": ("上门走访困难家庭户数", "整数"),
        "走访，参加〔XXX〕人次": ("上门走访参加人次", "整数"),
    }),
    (WUZHUANG, "武装部长范文", {
        "于第〔X〕批次": ("民兵整组点验所在批次", "整数"),
        "向〔XX〕名退役": ("送达光荣牌退役军人人数", "整数"),
        "。〔X年X月〕，组织": ("民兵参加…人次学习培训的年月", "年月"),
        "参加〔XX〕人次学习": ("学习培训参加人次", "整数"),
        "国防教育〔X〕场次": ("开展国防教育", "整数"),
        "较上年提高〔X〕个百分点": ("大学生入伍比例较上年提高", "增长率"),
        "；〔X〕月，走访": ("走访慰问入伍新兵家庭的月份", "整数"),
    }),
    (ZUZHI, "组织委员范文", {
        "在第〔X〕季度集中": ("软弱涣散村党组织整顿所在季度", "整数"),
        "为〔XX〕户脱贫户": ("落实帮扶措施脱贫户数", "整数"),
        "向〔XX〕个村": ("选派第一书记村党组织个数", "整数"),
        "较上年提高〔X.X〕个百分点": ("党员教育培训覆盖率较上年提高", "增长率"),
        "同比下降〔X.X〕%": ("发展党员数量同比下降", "增长率"),
        "〔X年X月〕，召开": ("召开人才工作座谈会的年月", "年月"),
        "参与〔XXX〕人次": ("乡土人才培训班参与人次", "整数"),
        "接受〔XX〕人次政策": ("政策咨询接受人次", "整数"),
        "学历占〔XX〕%": ("大专以上学历占比", "百分比"),
    }),
])
def test_rules_hold_on_other_samples(tmp_path, text, name, want):
    t = _import(tmp_path, text, name)
    got = {}
    for around in want:
        f = _by_sample(t, around)
        got[around] = (f.label, f.type.zh)
    assert got == want
    for key in t.fields:
        assert not BAD_KEY.search(key), key
    role = t.role
    got_text = render(t, sample_values(t, {"年度": 2024, "单位类别": "镇"})).paragraphs()
    assert got_text == sample_paragraphs(text, f"2024年度述职报告（{role}）")


def test_blank_roster_offers_an_imported_role_beside_other_roles_files(tmp_path, capsys):
    """The README's steps: import a sample into a working folder whose params already hold
    other roles' files, then ``kit roster export params 表.xlsx --blank``."""
    templates = tmp_path / "templates"
    templates.mkdir()
    for shipped in (ROOT / "templates").glob("*.md"):
        (templates / shipped.name).write_text(shipped.read_text("utf-8"), "utf-8")
    params = tmp_path / "params"
    params.mkdir()
    for own in (ROOT / "params").glob("*.yaml"):
        (params / own.name).write_text(own.read_text("utf-8"), "utf-8")
    sample = tmp_path / "范文.txt"
    sample.write_text(JIWEI, "utf-8")
    assert main(["import", str(sample), "-o", str(templates)]) == 0
    assert main(["--templates", str(templates), "roster", "export", "--blank", str(params),
                 str(tmp_path / "表.xlsx")]) == 0
    wb = openpyxl.load_workbook(tmp_path / "表.xlsx")
    assert "镇纪委书记" in wb.sheetnames
    assert {"镇委书记", "镇党建办主任"} <= set(wb.sheetnames)  # the files' roles, with rows
    ws = wb["镇纪委书记"]
    keys = [c.value for c in ws[2]]
    assert "查处年月" in keys and "走读式监督季度" in keys
    assert ws.cell(3, 1).value is None  # no official of the new role yet
    # Without --blank only the roles that have files are exported (unchanged).
    assert main(["--templates", str(templates), "roster", "export", str(params),
                 str(tmp_path / "有数.xlsx")]) == 0
    assert "镇纪委书记" not in openpyxl.load_workbook(tmp_path / "有数.xlsx").sheetnames


# -- the 年月 type everywhere a type is used: form, roster ---------------------------------

def _official(t: RoleTemplate, **typed: object) -> dict[str, object]:
    values: dict[str, object] = {"角色": t.role, "姓名": "张三", "单位": "西河乡", "所属县": "云溪县",
                                 "省份": "甘肃", "年度": 2024}
    for f in t.fields.values():
        if f.required:
            values[f.key] = {"年月": "2024年3月", "短文本": "石门"}.get(f.type.zh, "1")
    return values | typed


def test_year_month_in_the_form(jiwei):
    import ipywidgets

    from kit.form.logic import check_form
    from kit.form.widgets import _input_for

    f = jiwei.fields["查处年月"]
    assert isinstance(_input_for(f, "2024年3月"), ipywidgets.Text)
    chk = check_form(jiwei, _official(jiwei, 查处年月="2024年3月8日"))
    assert chk.errors["查处年月"] == ["只填年和月，不填日（应为：年和月，如「2023年5月」） 您是否想写「2024年3月」？"]
    assert check_form(jiwei, _official(jiwei, 查处年月="2024/3")).ok


def test_year_month_through_a_roster(tmp_path, jiwei):
    import datetime as dt

    from kit.report.params import load
    from kit.report.yamlio import dump
    from kit.sources.roster import export_roster, import_rosters

    templates = jiwei.path.parent
    params = tmp_path / "params"
    params.mkdir()
    (params / "西河乡-镇纪委书记-张三.yaml").write_text(dump(_official(jiwei), header="示例"), "utf-8")
    xlsx = export_roster(params, tmp_path / "表.xlsx", templates=templates)
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["镇纪委书记"]
    col = {c.value: c.column for c in ws[2]}
    assert ws.cell(3, col["查处年月"]).value == "2024年3月"  # a text cell, as printed
    ws.cell(3, col["查处年月"]).value = dt.datetime(2024, 5, 1)  # Excel made it a date
    wb.save(xlsx)
    mine = params / "西河乡-镇纪委书记-张三.yaml"
    assert import_rosters([xlsx], params, templates=templates) == [mine]  # updated
    official = load(mine, templates=templates)
    assert official.values["查处年月"] == "2024年5月"
    ws.cell(3, col["查处年月"]).value = dt.datetime(2024, 5, 8)  # a day was typed: refused
    wb.save(xlsx)
    with pytest.raises(KitError) as err:
        import_rosters([xlsx], params, templates=templates)
    said = str(err.value.problems[0])
    assert "只填年和月" in said and "2024年5月8日" in said and "2024年5月" in said, said
