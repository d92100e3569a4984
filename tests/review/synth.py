"""Generated two-year data for the review tests: plausible officials of one role, last
year's values close to this year's, so a clean set raises no 提示."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from kit.report.yamlio import dump

SURNAMES = "马王石刘李林赵郭曹董孙周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施张"
TOWNS = ["东山镇", "西岭镇", "南河乡", "北坡乡", "青石镇", "柳湾乡", "红沟镇", "白杨镇",
         "黄渠乡", "金川镇", "石门乡", "双桥镇", "龙泉镇", "平安乡", "新集镇", "古城镇"]
ROLE = "镇党建办主任"


def officials(n: int, seed: int = 1, year: int = 2024) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """``n`` (this year, last year) pairs of raw values."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        name = SURNAMES[i % len(SURNAMES)] + "明" + "一二三四五六七八九十"[i // len(SURNAMES) % 10]
        unit = TOWNS[i % len(TOWNS)] if i < len(TOWNS) else f"第{i}镇"
        this = {"角色": ROLE, "姓名": name, "单位": unit, "所属县": "云溪县", "省份": "甘肃",
                "年度": year, "专题会议": rnd.randint(10, 20), "讲党课": rnd.randint(4, 8),
                "谈心谈话": rnd.randint(100, 200), "党建覆盖率": rnd.randint(90, 99),
                "包抓村": "石门", "回炉党员": rnd.randint(50, 90),
                "其他工作": f"{unit}{name}牵头完成第{i}项重点工作，指导各村规范建立台账。"}
        last = dict(this, 年度=year - 1, 其他工作=f"{name}上年完成了第{i}项其他工作，成效明显。")
        for key in ("专题会议", "讲党课", "谈心谈话", "回炉党员"):
            last[key] = max(1, round(this[key] * rnd.uniform(0.8, 1.2)))
        last["党建覆盖率"] = this["党建覆盖率"] - rnd.randint(0, 3)
        out.append((this, last))
    return out


def write(folder: Path, rows: list[dict[str, Any]]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for r in rows:
        path = folder / f"{r['单位']}-{r['角色']}-{r['姓名']}.yaml"
        path.write_text(dump(r), "utf-8")
        paths.append(path)
    return paths


def big_index(folder: Path, n: int = 10_000, failed_every: int = 97) -> dict[str, Any]:
    """A review index of ``n`` generated officials (no kernels: outcomes made directly),
    with every 7th 退回, every 5th 已通过, one flag on every 11th, and some failed.
    Returns what the page should show, for checks."""
    from kit.build.execute import Outcome
    from kit.build.notebook import report_to_dict
    from kit.report.identity import Identity
    from kit.report.model import Block, Report
    from kit.review.index import write_index
    from kit.review.record import Record
    from kit.review.status import FileStatus

    roles = [("镇委书记", 1), ("镇长", 2), ("镇党建办主任", 20), ("镇纪委书记", 10)]
    outcomes, statuses = [], {}
    for i in range(n):
        role, rank = roles[i % len(roles)]
        unit = f"{TOWNS[i % len(TOWNS)][:-1]}{i // 400}{TOWNS[i % len(TOWNS)][-1]}"
        name = SURNAMES[i % len(SURNAMES)] + "一二三四五六七八九十"[i % 10] + f"{i:05d}"
        path = folder / "params" / f"{unit}-{role}-{name}.yaml"
        ok = i % failed_every != 1
        o = Outcome(file=path, name=name if ok else "", role=role if ok else "",
                    unit=unit if ok else "", year=2024, ok=ok, rank=rank,
                    reason="" if ok else "文件第 9 行，字段「专题会议」：应填阿拉伯数字",
                    review=folder / "review" / f"{path.stem}.html",
                    docx=folder / "docx" / f"{name}.docx" if ok else None,
                    flags=["「专题会议」今年 60，上年 12，是上年的 5 倍"] if i % 11 == 0 else [])
        if ok:
            o.report = report_to_dict(Report(
                title="2024年度述职报告", byline="", role=role, name=name, unit=unit, year=2024,
                rank=rank, blocks=(Block("paragraph", "", "正文"),)))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dump({"角色": role, "姓名": name, "单位": unit, "年度": 2024,
                                  "专题会议": "十二"}), "utf-8")
        status, record = "待审", None
        if i % 7 == 0 or i % 5 == 0:
            status = "退回" if i % 7 == 0 else "已通过"
            record = Record("", path.name, "h", status, "请核对" if status == "退回" else "",
                            "张审", "2024-12-01T10:00:00+08:00")
        statuses[path.resolve()] = FileStatus(path, Identity(unit, name, "2024", role), "h",
                                              status, record)
        outcomes.append(o)
    index = folder / "review" / "index.html"
    write_index(index, 2024, outcomes, [folder / "2024年度述职报告汇编.docx"], statuses)
    return {"index": index, "outcomes": outcomes, "statuses": statuses}
