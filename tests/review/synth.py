"""Generated two-year data for the review tests: plausible officials of one role, last
year's values close to this year's, so a clean set raises no 提示."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from kit.yamlio import dump

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
