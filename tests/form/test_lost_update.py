"""No lost update: a save over a parameter file that changed since the form read it is
refused — naming who saved it and when, from the review record — and what was typed
stays in the form.  The rule holds for two forms in one process and for processes
racing (each round exactly one save wins, the file is always one whole version)."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from pathlib import Path

import pytest

from kit.form import logic
from kit.hub.accounts import Accounts
from kit.report.params import read_entries
from kit.review.record import REFUSED, SAVED, Store
from tests.form import racer

LI = racer.LI


_edited, _save = racer.edited, racer.save


def _talks(path: Path) -> int:
    return int(read_entries(path)["谈心谈话"].value)


def test_the_second_of_two_forms_on_one_file_is_refused_naming_the_first(project, monkeypatch):
    monkeypatch.setenv("KIT_ACCOUNT", "dongshan")
    monkeypatch.setenv("KIT_UNITS", '["东山镇"]')
    Accounts(project).add("dongshan", "李东", ["东山镇"], "填报", "Dongshan-2024!")
    path = project / "params" / LI
    first, second = logic.open_params(path), logic.open_params(path)
    assert _save(first, _edited(project, first, 151)).written
    written = path.read_bytes()
    monkeypatch.setenv("KIT_ACCOUNT", "dongshan2")  # another clerk (not in the accounts)
    refused = _save(second, _edited(project, second, 152))
    assert not refused.written and refused.question is None
    assert refused.changed is not None
    assert refused.changed.startswith("东山镇的 dongshan（李东）在 ")
    assert refused.changed.endswith(" 保存过这份文件，您打开之后它已经变了。为免覆盖对方的修改，这次没有保存。")
    assert refused.differs == ["与乡村干部谈心谈话"]  # what to note down before reopening
    assert path.read_bytes() == written and _talks(path) == 151
    saves = Store.of_folder(project / "params").saves()
    assert [(s.account, s.outcome, s.file) for s in saves] == [("dongshan", SAVED, LI),
                                                               ("dongshan2", REFUSED, LI)]
    assert saves[0].sha256 == hashlib.sha256(written).hexdigest()
    assert saves[1].sha256 != saves[0].sha256  # what the refused save would have written


def test_confirming_does_not_write_over_a_changed_file_either(project):
    """One rule for kit form and the hub: ``overwrite`` answers the 「覆盖」 question (another
    role, a file the form did not open), never a change made since the form read it."""
    path = project / "params" / LI
    first, second = logic.open_params(path), logic.open_params(path)
    assert _save(first, _edited(project, first, 151)).written
    again = logic.save_params(path, _edited(project, second, 152), folder=path.parent,
                              known_sha256=second.sha256, overwrite=True)
    assert not again.written and again.changed is not None
    assert again.changed.startswith("本机用户 ")  # kit form: the computer's user
    assert _talks(path) == 151


def test_a_change_with_the_same_time_stamp_is_still_seen(project):
    """The form compares the bytes it read (sha256), not the file's time: a change within
    one tick of a coarse clock, or with its time put back, is a change."""
    path = project / "params" / LI
    opened = logic.open_params(path)
    stat = path.stat()
    path.write_text(path.read_text("utf-8").replace("谈心谈话: 150", "谈心谈话: 149"), "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    refused = _save(opened, _edited(project, opened, 151))
    assert not refused.written and _talks(path) == 149
    assert refused.changed is not None
    assert refused.changed.startswith("这份文件被表单以外的方式改过")  # not a form's save


def test_saving_again_after_ones_own_save_is_not_a_change(project):
    path = project / "params" / LI
    opened = logic.open_params(path)
    saved = _save(opened, _edited(project, opened, 151))
    again = logic.save_params(path, _edited(project, opened, 152), folder=path.parent,
                              known_sha256=saved.sha256)  # what the form remembers
    assert again.written and _talks(path) == 152


def test_the_form_keeps_what_was_typed_and_offers_to_reopen(folders):
    from kit.form.widgets import ReportForm

    path = folders.params / LI
    one, two = (ReportForm(folders, debounce=0) for _ in range(2))
    for form in (one, two):
        form.open(path)
    one.inputs["谈心谈话"].input.value = "151"
    two.inputs["谈心谈话"].input.value = "152"
    two.inputs["讲党课"].input.value = "7"
    assert one.save() == path
    assert two.save() is None
    status = two.status.value
    assert "保存过这份文件，您打开之后它已经变了。为免覆盖对方的修改，这次没有保存。" in status
    assert "请记下您的修改" in status
    assert "您填写的与对方保存的不同之处：「为村级党员带头讲党课」、「与乡村干部谈心谈话」" in status
    assert two.raw()["谈心谈话"] == "152" and two.raw()["讲党课"] == "7" and two.unsaved
    assert two.confirm_yes.description == "重新打开"
    assert _talks(path) == 151
    two._yes()  # 「重新打开」: the colleague's version
    assert two.raw()["谈心谈话"] == "151" and not two.unsaved
    two.inputs["谈心谈话"].input.value = "153"
    assert two.save() == path and _talks(path) == 153


# ------------------------------------------------------------ processes racing

RACERS = 3


@pytest.mark.slow
def test_racing_processes_one_wins_each_round_and_the_file_is_whole(project):
    ctx = multiprocessing.get_context("spawn")  # fresh interpreters: separate processes
    barrier, results = ctx.Barrier(RACERS + 1, timeout=120), ctx.Queue()
    racers = [ctx.Process(target=racer.race, args=(str(project), n, barrier, results))
              for n in range(RACERS)]
    for p in racers:
        p.start()
    path = project / "params" / LI
    try:
        for r in range(racer.ROUNDS):
            barrier.wait()
            barrier.wait()
            told = [results.get(timeout=120) for _ in range(RACERS)]
            won = [t for t in told if t[2]]
            assert len(won) == 1, told
            assert all("这次没有保存" in t[3] for t in told if not t[2])
            data = path.read_bytes()
            assert hashlib.sha256(data).hexdigest() == won[0][4]  # the winner's whole file
            assert _talks(path) == 1000 + 10 * r + won[0][1]
            barrier.wait()
    except BaseException:
        barrier.abort()  # a failed round: the racers stop waiting at once
        raise
    finally:
        for p in racers:
            p.join(timeout=60)
            if p.is_alive():
                p.kill()
    assert all(p.exitcode == 0 for p in racers)
    saves = Store.of_folder(project / "params").saves()
    assert [s.outcome for s in saves].count(SAVED) == racer.ROUNDS
    assert [s.outcome for s in saves].count(REFUSED) == racer.ROUNDS * (RACERS - 1)
