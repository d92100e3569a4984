"""Acceptance (issue 10): 100 good parameter files among hostile ones.  The build ends,
all 100 reports are produced, each bad file is named with its reason, no traceback is
shown, and the exit status says something failed.  (Some files here — 1_000, and the
bounded time of 1e999999999 and the alias bomb — rely on params.load's own limits.)"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from tests.build.conftest import SAMPLE, write_officials
from tests.conftest import ROOT

GUARD = 900  # seconds: a hang fails the test instead of blocking the suite
MEMORY = 4 << 30  # bytes of address space per process: the machine is shared


def _hostile(folder: Path) -> tuple[list[str], list[str]]:
    """Write the hostile files; returns (files that must fail, look-alikes to be listed)."""
    sample = SAMPLE.read_text("utf-8")

    def variant(name: str, old: str, new: str, who: str) -> str:
        assert old in sample
        (folder / name).write_text(sample.replace(old, new).replace("李明华", who), "utf-8")
        return name

    bad = [
        variant("上标年度.yaml", "年度: 2023", '年度: "²"', "甲一"),
        variant("无穷.yaml", "专题会议: 12", "专题会议: Infinity", "甲二"),
        variant("非数.yaml", "党建覆盖率: 100", "党建覆盖率: NaN", "甲三"),
        variant("点无穷.yaml", "讲党课: 6", "讲党课: .inf", "甲四"),
        variant("巨大指数.yaml", "谈心谈话: 150", "谈心谈话: 1e999999999", "甲五"),
        variant("标签当键.yaml", "讲党课: 6", "讲党课（为村级党员带头讲党课）: 6", "甲六"),
        variant("下划线.yaml", "回炉党员: 80", "回炉党员: 1_000", "甲七"),
        # Pasted from WeChat: a zero-width space, a direction control, a line separator.
        variant("零宽字段名.yaml", "讲党课: 6", "讲\u200b党课: 6", "甲八"),
        variant("方向控制.yaml", "包抓村: 石门", "包抓村: 石\u202e门", "甲九"),
        variant("行分隔符.yaml", "其他工作: 牵头", "其他工作: 牵\u2028头", "甲十"),
        variant("重复甲.yaml", "单位: 东山镇", "单位: 北川镇", "乙一"),
        variant("重复乙.yaml", "单位: 东山镇", "单位: 北川镇", "乙一"),
    ]
    laughs = ['a: &a ["哈","哈","哈","哈","哈","哈","哈","哈","哈"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        laughs.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    (folder / "别名炸弹.yaml").write_text("\n".join(laughs) + "\n" + sample.replace(
        "其他工作:", "其他工作: *i\n旧其他工作:"), "utf-8")
    (folder / "GBK.yaml").write_bytes(sample.replace("李明华", "丙一").encode("gbk"))
    (folder / "二进制.yaml").write_bytes(bytes(range(256)) * 8)
    (folder / "空.yaml").write_bytes(b"")
    (folder / "列表.yaml").write_text("- 角色\n- 姓名\n", "utf-8")
    (folder / "深嵌套.yaml").write_text("a: " + "[" * 20000 + "]" * 20000 + "\n", "utf-8")
    (folder / "太大.yaml").write_text(sample + "# " + "很" * 2_000_000 + "\n", "utf-8")
    (folder / "文件夹.yaml").mkdir()
    os.mkfifo(folder / "管道.yaml")
    (folder / "循环链接.yaml").symlink_to("循环链接.yaml")
    (folder / "零设备.yaml").symlink_to("/dev/zero")
    bad += ["别名炸弹.yaml", "GBK.yaml", "二进制.yaml", "空.yaml", "列表.yaml", "深嵌套.yaml",
            "太大.yaml", "文件夹.yaml", "管道.yaml", "循环链接.yaml", "零设备.yaml"]
    lookalikes = ["张三.yaml.txt", "王五.yaml ", "备份.yml.bak", "~$临时.yaml"]
    for name in lookalikes:
        (folder / name).write_text(sample.replace("李明华", "丁一"), "utf-8")
    return bad, lookalikes


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and symlinks")
def test_one_hundred_good_among_hostile_files(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    good = write_officials(tmp_path / "params", 100)
    bad, lookalikes = _hostile(tmp_path / "params")
    run = subprocess.run(
        [sys.executable, "-m", "kit.cli", "--templates", "templates", "build", "params",
         "-o", "build", "--workers", "2"], cwd=tmp_path, capture_output=True, text=True,
        timeout=GUARD, preexec_fn=_limit_memory, env={**os.environ, "PYTHONPATH": str(ROOT)})
    out, err = run.stdout, run.stderr
    assert run.returncode == 1, out + err
    assert "Traceback" not in out + err
    assert f"共 {len(good) + len(bad)} 份：100 成功，{len(bad)} 失败。" in out
    failed = out.split("失败。", 1)[1]
    for name in bad:
        assert f"✗ params/{name}\n" in failed, name
    for name in lookalikes:
        assert f"⚠ params/{name}：" in out, name
    assert "同一位同志" in failed  # the duplicates say so, naming each other
    for words in ("零宽空格（U+200B）", "您是否想写「讲党课」？", "方向控制符（U+202E）",
                  "您是否想写「石门」？", "行分隔符（U+2028）"):
        assert words in failed, words
    assert not {"\u200b", "\u202e", "\u2028"} & set(out + err)  # shown as 〈U+200B〉
    year = tmp_path / "build" / "2023"
    words = list((year / "docx").glob("*.docx"))
    assert len(words) == 100
    volume = docx.Document(str(year / "2023年度述职报告汇编.docx"))
    bylines = [p.text.split()[-1] for p in volume.paragraphs if p.text.startswith("东山镇党建")]
    assert sorted(bylines) == sorted(p.stem.split("-")[1] for p in good)
    index = html.unescape((year / "review" / "index.html").read_text("utf-8"))
    assert "100 份已生成" in index and f"{len(bad)} 份未生成" in index


def _kit(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kit.cli", "--templates", "templates",
                           "build", "params", *args], cwd=root, capture_output=True,
                          text=True, timeout=GUARD, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
@pytest.mark.parametrize("link", [".kit/lock", ".kit/journal.jsonl", ".kit", "2023/docx",
                                  "2023"])
def test_a_link_in_the_output_folder_is_refused_before_anything_is_written(
        workspace: Path, link: str) -> None:
    shutil.copy(SAMPLE, workspace / "params")
    elsewhere = workspace / "别处"
    elsewhere.mkdir()
    victim = elsewhere / "别人的文件.txt"
    victim.write_text("别人的内容", "utf-8")
    planted = workspace / "build" / link
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.symlink_to(victim if "." in planted.name and link != ".kit" else elsewhere)
    run = _kit(workspace)
    assert run.returncode == 4, run.stderr
    assert "链接" in run.stderr and f"build/{link}" in run.stderr
    assert "Traceback" not in run.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == ["别人的文件.txt"]
    assert victim.read_text("utf-8") == "别人的内容"


@pytest.mark.parametrize("out", ["", " ", ".", "..", "params/..", "templates/.."])
def test_an_output_folder_holding_the_users_files_is_refused(workspace: Path, out: str) -> None:
    shutil.copy(SAMPLE, workspace / "params")
    mine = [workspace / "params" / ".我的草稿.tmp", workspace / "templates" / ".备份.tmp"]
    for p in mine:
        p.write_text("我的", "utf-8")
    run = _kit(workspace, "-o", out)
    assert run.returncode == 2, run.stderr
    assert "输出文件夹" in run.stderr and "Traceback" not in run.stderr
    assert all(p.read_text("utf-8") == "我的" for p in mine)
    assert not (workspace / ".kit").exists() and not (workspace / "2023").exists()


def test_only_the_kits_own_scratch_files_are_cleaned(tmp_path: Path) -> None:
    from kit.build.lock import clean_scratch

    out = tmp_path / "build"
    ours = [out / "2023" / "docx" / ".报告.docx.a1b2.kit-tmp",
            out / "2023" / "notebooks" / ".李明华.partial.ipynb", out / ".x.docx.c3.kit-tmp"]
    theirs = [out / ".我的草稿.tmp", out / "资料" / ".备份.tmp",
              out / "资料" / ".x.docx.c3.kit-tmp", out / "2023" / "docx" / ".草稿.tmp"]
    for p in ours + theirs:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x", "utf-8")
    assert clean_scratch(out) == len(ours)
    assert not any(p.exists() for p in ours) and all(p.exists() for p in theirs)
