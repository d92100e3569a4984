"""Synthetic reports of mixed length and structure, for layout tests and the bench.

Deterministic per seed.  Text mixes plain Chinese, digits and Latin (LibreOffice
spaces them), punctuation that lands on line ends, run-in headings and 「（一）」 headings.
"""

from __future__ import annotations

import random

from kit.report.model import Block, Report

_NUM = "一二三四五六七八九十"
_PHRASES = [
    "坚持以党建为统领",
    "认真学习党的二十大精神",
    "压实责任",
    "强化措施",
    "狠抓落实",
    "深入村社和工作一线开展调查研究",
    "全面推进乡村振兴",
    "持续加强党风廉政建设",
    "筑牢基层党建基础",
    "确保各项工作有效落实",
    "严守“六大纪律”",
    "深入学习《党章》",
    "开展“三抓三促”行动",
    "完成全年目标任务",
    "推动全镇经济社会又好又快发展",
    "群众满意度明显提升",
    "建立健全长效机制",
    "对苗头性、倾向性问题早发现、早处置",
    "全年召开专题会议12次",
    "完成投资3.5亿元",
    "覆盖率达到98.6％",
    "新建道路15公里",
    "累计培训干部320人次",
    "落实GDP增长目标",
    "2023年",
    "约x万元",
    "共计xx个",
    "按照“党组织＋公司＋农户”模式",
    "做到心有方向、心有定力",
    "既抓当前——又谋长远",
    "（含续建项目）",
    "提前完成",
    "稳步推进",
    "做细做实",
    "不折不扣",
]
_ENDS = "，，，，；、。"
_HEADS = [
    "加强理论学习，提高自身综合素质",
    "强化政治担当，持续提高履职能力",
    "强化求真务实，稳步推进工作落实",
    "存在的问题及整改措施",
    "下一步工作打算",
    "履行党风廉政建设责任情况",
    "以“三抓三促”行动为契机，增强党性修养，加强党风廉政建设",
]
_ROLES = ["镇党委书记", "镇长", "镇党建办主任", "镇纪委书记", "镇财政所所长", "镇农业站站长"]
_NAMES = ["李明", "王芳", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄敏"]


def _sentence(rng: random.Random, n_chars: int) -> str:
    out = ""
    while len(out) < n_chars:
        out += rng.choice(_PHRASES) + rng.choice(_ENDS)
    return out.rstrip("，；、") + "。"


def _enum(i: int) -> str:
    return "十" + _NUM[i - 10] if i >= 10 else _NUM[i]


def synthetic_report(rng: random.Random, index: int, year: int = 2023) -> Report:
    """One report: 1–6 sections, some run-in, some with 「（一）」 subsections."""
    blocks = [Block("paragraph", "", _sentence(rng, rng.randint(40, 160)))]
    for s in range(rng.randint(1, 6)):
        head = f"{_enum(s)}、{rng.choice(_HEADS)}"
        if rng.random() < 0.25:  # run-in heading, heading ends at its 。
            blocks.append(Block("heading1", head + "。", _sentence(rng, rng.randint(30, 300))))
        else:
            blocks.append(Block("heading1", head, ""))
        if rng.random() < 0.3:
            for k in range(rng.randint(1, 3)):
                h2 = f"（{_enum(k)}）{rng.choice(_HEADS)}"
                if rng.random() < 0.5:
                    blocks.append(
                        Block("heading2", h2 + "。", _sentence(rng, rng.randint(20, 200)))
                    )
                else:
                    blocks.append(Block("heading2", h2, ""))
                    blocks.append(Block("paragraph", "", _sentence(rng, rng.randint(20, 300))))
        for k in range(rng.randint(0, 4)):
            blocks.append(
                Block("paragraph", "", f"{_enum(k)}是" + _sentence(rng, rng.randint(8, 420)))
            )
    role = rng.choice(_ROLES)
    name = rng.choice(_NAMES)
    byline = f"东山镇{role}　{name}" if rng.random() < 0.5 else ""
    return Report(
        title=f"{year}年度述职报告（{role}）",
        byline=byline,
        blocks=tuple(blocks),
        role=role,
        name=name,
        unit="东山镇",
        year=year,
        rank=_ROLES.index(role),
        order=index if rng.random() < 0.2 else None,
    )


def synthetic_reports(n: int, seed: int = 9704, year: int = 2023) -> list[Report]:
    rng = random.Random(seed)
    return [synthetic_report(rng, i, year) for i in range(n)]
