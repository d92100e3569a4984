"""Property-based: any report made of officialese phrases and blanks of every style
imports to a template that renders the sample back, with unique clean labels — or, when
it has no blank at all, is refused with a KitError saying so, never another exception."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.errors import KitError
from kit.report.render import render
from kit.report.templates import load_template
from kit.sources.importer import convert

WORDS = ["召开会议", "完成投资", "同比增长", "比上年下降", "于", "开工建设", "竣工投用", "全镇", "镇党委",
         "驻镇", "乡村振兴", "参保率达", "组织", "新建", "累计", "共", "增幅达", "项目", "“回头看”",
         "{", "#", "一是", "二是", "（二）", "二、", "1.", "至", "、", "党员", "村",
         "在第", "参加", "为", "对", "仅", "新任村干部", "开展", "观看警示教育片", "占总数的"]
BLANKS = ["x", "XX", "ｘｘ", "X.X", "X,XXX", "X,XXX.XX", "X月X日", "XXXX年X月X日", "xx", "×××",
          "X年X月"]
UNITS = ["次", "万元", "%", "％", "个", "亩", "人", "村", "", "余人次", "个百分点", "月份", "季度",
         "场次", "名", "批次"]
PUNCT = ["，", "。", "；", "：", ""]

piece = st.one_of(
    st.sampled_from(WORDS),
    st.tuples(st.sampled_from(BLANKS), st.sampled_from(UNITS)).map("".join),
    st.sampled_from(PUNCT),
)
paragraph = st.lists(piece, min_size=1, max_size=12).map("".join).map(
    lambda p: p if p.endswith("。") else p + "。")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(paragraph, min_size=1, max_size=5))
def test_any_report_imports_cleanly_or_is_refused(tmp_path_factory, paragraphs):
    text = "2023年度述职报告（镇长）\n一、主要工作\n" + "\n".join(paragraphs) + "\n"
    drawn_blank = re.search(r"[xXｘＸ×]", "".join(paragraphs))  # no word or unit holds one
    try:
        (imp,) = convert(text)
    except KitError as err:
        # Refused only for the two reasons there are (else an importer refusing everything
        # would pass): nothing to fill in, or digits run into an x (「至1.x次」, 「3x人」)
        # other than a paragraph's own number (「1.x次」: item 1).
        run_in = any(re.search(r"[0-9][.．]?[xXｘＸ×]|[xXｘＸ×][.．]?[0-9]",
                               re.sub(r"^1\.", "", p)) for p in paragraphs)
        assert (not drawn_blank and "没有找到要填的空" in str(err)
                or run_in and "数字和 x 连在一起" in str(err)), (text, str(err))
        return
    folder = tmp_path_factory.mktemp("t")
    path = folder / "镇长.md"
    path.write_text(imp.source("样例"), encoding="utf-8")
    template = load_template(path)
    labels = [f.label for f in template.fields.values()]
    assert len(labels) == len(set(labels)), labels
    for label in labels:
        assert label and not re.search(r"[xXｘＸ×]", label) and "待填" not in label, label
    values = {f.key: f.sample for f in template.fields.values()} | imp.identity
    got = render(template, values).paragraphs()
    assert got == imp.expected, (got, imp.expected, imp.notes)
