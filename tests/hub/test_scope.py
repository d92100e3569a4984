"""A hub account's form (its kernel has ``KIT_UNITS``) lists, opens, saves and makes Word
files only for the account's units, whatever the page sends; without ``KIT_UNITS``
(``kit form``, ``kit lab``) every unit is the user's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kit.errors import KitError
from kit.form.widgets import ReportForm
from kit.hub.accounts import Accounts
from kit.project import Workspace
from tests.form.conftest import CLERK, fill

REPO = Path(__file__).resolve().parents[2]
WANG = "东山镇-镇委书记-王建国.yaml"
XIHE = "西河乡-党委书记-周西河.yaml"


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    for name in ("templates", "params"):
        shutil.copytree(REPO / name, tmp_path / name)
    text = (tmp_path / "params" / WANG).read_text("utf-8")
    (tmp_path / "params" / XIHE).write_text(
        text.replace("东山镇", "西河乡").replace("王建国", "周西河"), "utf-8")
    monkeypatch.setenv("KIT_UNITS", json.dumps(["东山镇"]))
    monkeypatch.setenv("KIT_ACCOUNT", "dongshan")
    return Workspace.at(tmp_path)


def files(folders: Workspace) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folders.params.iterdir())}


def test_the_file_list_holds_only_the_accounts_units(folders, monkeypatch):
    form = ReportForm(folders, debounce=0)
    names = [label for label, _ in form.file_picker.options]
    assert WANG in names and XIHE not in names
    monkeypatch.delenv("KIT_UNITS")
    assert XIHE in [label for label, _ in ReportForm(folders, debounce=0).file_picker.options]


def test_another_units_file_is_not_opened(folders):
    form = ReportForm(folders, debounce=0)
    form.open(folders.params / XIHE)  # what a forged widget message could ask for
    assert "不属于您的单位" in form.status.value and form.path is None
    assert "周西河" not in [inp.raw for inp in form.inputs.values()]


def test_saving_for_another_unit_is_refused_and_nothing_changes(folders):
    before = files(folders)
    form = ReportForm(folders, role="镇党建办主任", debounce=0)
    fill(form, CLERK | {"单位": "西河乡"})
    assert form.save() is None
    assert "不属于您的单位" in form.status.value
    assert form.make_word() is None and not folders.out.exists()
    form.path = folders.params / XIHE  # a save aimed at another unit's file
    fill(form, CLERK | {"单位": "东山镇"})
    assert form.save(overwrite=True) is None
    form.path = folders.root / "elsewhere.yaml"  # or outside params/
    assert form.save(overwrite=True) is None and "只能保存到参数文件夹" in form.status.value
    assert files(folders) == before and not (folders.root / "elsewhere.yaml").exists()


def test_a_save_in_the_accounts_unit_is_recorded_with_its_hash(folders):
    """In the review record (the one place of who did what), with the account's 姓名 from
    the hub's accounts; not in the hub's audit table, which keeps logins."""
    import hashlib

    from kit.review.record import Store

    Accounts(folders.root).add("dongshan", "李东", ["东山镇"], "填报", "Dongshan-2024!")
    form = ReportForm(folders, role="镇党建办主任", debounce=0)
    fill(form, CLERK | {"单位": "东山镇"})
    path = form.save()
    assert path is not None and path.parent == folders.params
    (save,) = Store.of_folder(folders.params).saves()
    assert (save.account, save.name, save.outcome, save.file) == ("dongshan", "李东", "已保存",
                                                                  path.name)
    assert save.official == "东山镇|张晓燕|2023|镇党建办主任"
    assert save.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert not [e for e in Accounts(folders.root).events() if e.event == "保存"]


def test_a_hub_reviewer_sees_decides_and_signs_for_their_units_only(folders, monkeypatch):
    from kit.review import ui
    from kit.review.record import Store

    monkeypatch.setenv("KIT_ACCOUNT", "shenyue")
    monkeypatch.setitem(ui._REVIEWER, "name", "随便写的名字")  # typed: not what is recorded
    session = ui.Session(folders)
    shown = {i.path.name for i in session.items}
    assert WANG in shown and XIHE not in shown
    (wang,) = [i for i in session.items if i.path.name == WANG]
    session.approve(wang, "随便写的名字")
    assert Store.of_folder(folders.params).records()[-1].reviewer == "shenyue"
    monkeypatch.delenv("KIT_UNITS")
    (xihe,) = [i for i in ui.Session(folders).items if i.path.name == XIHE]
    monkeypatch.setenv("KIT_UNITS", json.dumps(["东山镇"]))
    with pytest.raises(KitError, match="不属于您的单位"):
        session.approve(xihe, "x")  # an item of another unit, however it was reached
    assert len(Store.of_folder(folders.params).records()) == 1


def test_an_unreadable_file_is_nobodys_for_a_hub_account(folders):
    from kit.form import logic

    broken = folders.params / "坏文件.yaml"
    broken.write_text("单位: 西河乡\n姓名: [未闭合\n", "utf-8")
    with pytest.raises(KitError, match="不属于您的单位"):
        logic.open_params(broken)
    assert "坏文件.yaml" not in [label for label, _ in ReportForm(folders).file_picker.options]
