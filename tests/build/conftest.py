"""One real batch shared by the batch and review tests (kernels are slow to start)."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest

from kit.cli import main
from tests.conftest import ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    """``kit build`` over good, broken and hostile files: (folder, exit status, stdout)."""
    root = tmp_path_factory.mktemp("batch")
    for part in ("params", "templates"):  # the shipped samples, plus the test's own files
        shutil.copytree(ROOT / part, root / part)
        shutil.copytree(FIXTURES / part, root / part, dirs_exist_ok=True)
    shutil.copy(ROOT / "tests" / "fixtures" / "params_bad" / "gbk.yaml", root / "params")
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        mp.chdir(root)
        code = main(["--templates", "templates", "build", "params", "-o", "build",
                     "--workers", "2", "--timeout", "60"])
    return root, code, out.getvalue()


SAMPLE = ROOT / "params" / "东山镇-镇党建办主任-李明华.yaml"
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "建国明华志强海燕丽娟国栋玉兰文斌晓东春梅永红卫东"


def official_name(i: int) -> str:
    """A distinct plausible 姓名 for i < 20 × 24 × 24."""
    i, a = divmod(i, len(_SURNAMES))
    c, b = divmod(i, len(_GIVEN))
    return _SURNAMES[a] + _GIVEN[b] + _GIVEN[c % len(_GIVEN)]


def write_officials(folder: Path, n: int, start: int = 0) -> list[Path]:
    """``n`` good parameter files (the sample with a distinct 姓名 and figures each)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SAMPLE.read_text("utf-8")
    paths = []
    for i in range(start, start + n):
        name = official_name(i)
        path = folder / f"{i:03d}-{name}.yaml"
        # figures and text of their own: no 提示 (kit.review.flags) ties one to another
        mine = (text.replace("李明华", name).replace("专题会议: 12", f"专题会议: {10 + i % 9}")
                .replace("讲党课: 6", f"讲党课: {4 + i % 5}")
                .replace("谈心谈话: 150", f"谈心谈话: {140 + i % 23}")
                .replace("回炉党员: 80", f"回炉党员: {70 + i % 17}")
                .replace("牵头完成全镇", f"{name}牵头完成全镇"))
        path.write_text(mine, "utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A scratch folder with the shipped templates and an empty params/."""
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    (tmp_path / "params").mkdir()
    return tmp_path


def processes_naming(folder: Path) -> list[int]:
    """Live processes whose command line names ``folder`` (a kernel gets its connection
    file's path as an argument)."""
    pids = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if str(folder) in (proc / "cmdline").read_bytes().decode("utf-8", "replace"):
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids
