"""Before anything runs: which officials of a folder are reused, run or refused.

Each file is read on its own (:mod:`kit.build.intake`, never blocking) and, unless its
outputs from the last build are still current (:mod:`kit.build.manifest`), checked with
:func:`kit.report.params.load`.  Any failure — a user's mistake or a bug of ours — stays that
file's.  Then the folder as a whole: one official, one report (:mod:`kit.report.identity`),
and no two reports writing the same file.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.build.execute import NOTEBOOK, Outcome, Task
from kit.build.intake import read_params_bytes
from kit.build.manifest import Manifest, digest, inputs_digest, kit_fingerprint, record_id
from kit.errors import ParamsError, display_path, internal_problem
from kit.project import report_name, year_folder
from kit.report.collation import ENV as ORDER_ENV
from kit.report.identity import Identity, same_person
from kit.report.params import Official, parse_entries, read_entries
from kit.report.params import check as check_params
from kit.report.templates import RoleTemplate
from kit.report.yamlio import Entry
from kit.time_limit import time_limit

CHECK_SECONDS = 10  # a parameter file is checked in milliseconds; this is a safety net


class CheckTimeout(Exception):
    pass


@dataclass
class Plan:
    outcomes: dict[Path, Outcome] = field(default_factory=dict)  # every file, in order
    tasks: list[tuple[Task, Outcome]] = field(default_factory=list)
    reused: list[Outcome] = field(default_factory=list)
    keys: dict[Path, str] = field(default_factory=dict)  # the key of what is run or reused
    data: dict[Path, str] = field(default_factory=dict)  # digest of each file's bytes
    stems: dict[Path, str] = field(default_factory=dict)
    # who each readable file is about and its data's hash, by real path: the review
    # index's statuses (kit.review.status.facts_of) without reading the files again
    facts: dict[str, tuple[Identity, str]] = field(default_factory=dict)


def plan(files: list[Path], roles: dict[str, RoleTemplate], tdir: Path, out_root: Path,
         timeout: float, manifest: Manifest, *, force: bool = False,
         compare: str | Path | None = None,
         parsed: dict[tuple[str, str], dict[str, Entry]] | None = None) -> Plan:
    """Every file read and checked; an official is reused when the key of what would
    make its outputs (:func:`kit.build.manifest.inputs_digest`, with last year's values of
    this official) equals the last build's and those outputs are all there.  The 提示
    against the other officials are no part of it: the batch writes them into the
    review pages afterwards (:func:`kit.review.pages.write_peer_flags`), so one changed
    file runs one notebook.
    ``parsed``: each file's entries by (real path, digest of its bytes), kept by a
    ``--watch`` session so that only changed files are parsed again; updated here."""
    from kit.review.flags import for_batch
    from kit.review.status import facts_of

    fingerprint = kit_fingerprint(NOTEBOOK)
    p = Plan()
    stems = Counter(f.stem for f in files)
    checked: dict[Path, Official] = {}
    raw: dict[Path, bytes] = {}
    seen: dict[tuple[str, str], dict[str, Entry]] = {}
    for path in files:
        p.stems[path] = path.stem if stems[path.stem] == 1 else path.name
        try:
            raw[path] = read_params_bytes(path)
            p.data[path] = digest(raw[path])
            with time_limit(CHECK_SECONDS, CheckTimeout):
                real = os.path.realpath(path)
                entries = (parsed or {}).get((real, p.data[path])) or parse_entries(
                    raw[path], display_path(path))
                p.facts[real] = facts_of(entries)
                seen[(real, p.data[path])] = entries
                checked[path] = check_params(entries, file=display_path(path), path=path,
                                             templates=tdir)
        except ParamsError as err:
            p.outcomes[path] = _failed(path, str(err))
        except CheckTimeout:
            p.outcomes[path] = _failed(path, (
                f"文件 {display_path(path)}：检查超过 {CHECK_SECONDS} 秒仍未完成，已停止，没有生成"
                "（文件里可能有极大的数字或大量重复引用）。请检查文件内容。"))
        except Exception as err:  # a bug of ours on this file: its failure, not the run's
            p.outcomes[path] = _failed(path, str(internal_problem(err, display_path(path))))
    if parsed is not None:  # only this build's files: a removed one is forgotten
        parsed.clear()
        parsed.update(seen)
    _refuse_duplicates(checked, p)
    checks = for_batch(dict(checked), out_root, compare)  # 提示: year-over-year, across officials
    usual = Counter(o.year for o in checked.values()).most_common(1)
    usual_year = usual[0][0] if usual else 0
    order = os.environ.get(ORDER_ENV, "")
    for path in files:
        got = checked.get(path)
        stem = p.stems[path]
        if got is None:  # refused: a page so that every link works
            o = p.outcomes[path]
            o.year = o.year or (_year_of(path) if path in p.data else 0) or usual_year
            o.review = year_folder(out_root, o.year).page_of(stem)
            continue
        check = checks.get(path)
        last = check.last if check else None  # its year-over-year 提示 depend on these
        p.keys[path] = inputs_digest(fingerprint, path.resolve(), raw[path],
                                     got.template.path.read_bytes(),
                                     json.dumps([last, order], sort_keys=True, default=str))
        explicit = got.values.get("排序")  # as kit.report.render puts it in the Report
        o = Outcome(file=path, name=got.name, role=got.role, unit=got.unit, year=got.year,
                    county=str(got.values.get("所属县", "")), rank=got.template.rank,
                    order=explicit if isinstance(explicit, int) and explicit else None,
                    warnings=list(got.warnings),
                    flags=check.every if check else [], peer=list(check.peer) if check else [])
        parts = year_folder(out_root, got.year)
        owner = _claimed_by(manifest, record_id(path), out_root,
                            parts.notebook_of(stem), parts.report_of(got.unit, got.role, got.name))
        if owner is not None:  # another folder's file of this year wrote these outputs
            p.outcomes[path] = _failed(path, (
                f"文件 {display_path(path)}：与 {display_path(owner)} 同为 {got.year} 年度、"
                f"同一文件名或同一位同志，输出会互相覆盖，这次没有生成。"
                f"请把这个文件夹输出到另一个文件夹：kit build {display_path(path.parent)} "
                f"-o 另一个文件夹（或删去重复的文件）"))
            p.outcomes[path].year = got.year  # its page beside, never over, the other's
            p.outcomes[path].review = parts.page_of(f"{stem}（重名）")
            continue
        rec = manifest.records.get(record_id(path))
        if not force and _current(rec, stem, p.keys[path], out_root):
            assert rec is not None
            o.ok, o.stage = True, "沿用"
            o.notebook, o.review = out_root / rec["notebook"], out_root / rec["review"]
            o.docx = out_root / rec["docx"]
            p.reused.append(o)
        else:
            p.tasks.append((Task(params_file=path.resolve(),
                                 notebook=parts.notebook_of(stem),
                                 review=parts.page_of(stem),
                                 out_root=out_root, templates=tdir, timeout=timeout,
                                 title=f"{got.name}（{got.unit} {got.role}）",
                                 compare=check.as_dict() if check else None), o))
        p.outcomes[path] = o
    p.outcomes = {f: p.outcomes[f] for f in files}
    return p


def likely_runs(files: list[Path], manifest: Manifest, force: bool = False) -> int:
    """A guess, before any file is checked, of how many officials will run: those whose
    file is new, changed or failed last time.  Only used to start a worker early
    (:meth:`kit.build.workers.Workers.start_one`); :func:`plan` decides."""
    if force or manifest.damaged:
        return len(files)
    n = 0
    for path in files:
        rec = manifest.records.get(record_id(path))
        if not rec or not rec.get("ok") or not rec.get("key"):
            n += 1
            continue
        try:
            n += rec.get("data") != digest(read_params_bytes(path))
        except Exception:  # unreadable: refused by the plan, never run
            continue
    return n


def _failed(path: Path, reason: str) -> Outcome:
    return Outcome(file=path, stage="检查", reason=reason)


def _claimed_by(manifest: Manifest, mine: str, out_root: Path, *outputs: Path) -> Path | None:
    """The parameter file of another folder, still there, whose last build wrote one of
    ``outputs`` (the same year and file name, or the same official): building ``mine``
    would overwrite them.  A file no longer there (a folder renamed) claims nothing."""
    rels = {os.path.relpath(o, out_root) for o in outputs}
    for name, rec in manifest.records.items():
        if name != mine and rels & {rec.get("notebook"), rec.get("docx")} \
                and os.path.isfile(name):
            return Path(name)
    return None


def _current(rec: dict[str, Any] | None, stem: str, key: str, out_root: Path) -> bool:
    """Whether the last build made this official's outputs from the same things and
    they are all still there."""
    if not rec or not rec.get("ok") or rec.get("stem") != stem or rec.get("key") != key:
        return False
    outputs = [out_root / rel for rel in rec.get("outputs", [])]
    return bool(outputs) and all(o.is_file() for o in outputs)


def _refuse_duplicates(checked: dict[Path, Official], p: Plan) -> None:
    """Two files about one official (单位 + 姓名 + 年度 + 角色), or two reports that would
    write the same Word file: every such file is refused, naming the others."""
    ids = [(path, Identity(o.unit, o.name, str(o.year), o.role)) for path, o in checked.items()]
    role_of = dict(ids)
    clashes: list[tuple[list[Path], str]] = []
    for group in same_person(ids).values():
        by_role: dict[str, list[Path]] = {}
        for path in group:
            by_role.setdefault(role_of[path].role, []).append(path)
        for paths in by_role.values():
            if len(paths) > 1:
                ident = role_of[paths[0]]
                clashes.append((paths, f"是同一位同志（{ident.describe()}，{ident.role}）"))
    names: dict[tuple[int, str], list[Path]] = {}
    for path, o in checked.items():
        out = report_name(o.year, o.unit, o.role, o.name).casefold()
        names.setdefault((o.year, out), []).append(path)
    for paths in names.values():
        if len(paths) > 1 and not any(set(paths) <= set(c[0]) for c in clashes):
            clashes.append((paths, "会生成同名的 Word 文件（单位、角色、姓名写法几乎相同）"))
    for paths, what in clashes:
        for path in paths:
            others = "、".join(display_path(q) for q in paths if q != path)
            was = checked.pop(path, None)
            p.outcomes[path] = _failed(path, (
                f"文件 {display_path(path)}：与 {others} {what}；一位同志只能有一份参数文件，"
                "两份都没有生成。请删除或合并其中一份后重新运行。"))
            if was is not None:
                p.outcomes[path].year = was.year


def _year_of(path: Path) -> int:
    """The 年度 a broken file was meant for, when it can still be read."""
    try:
        entry = read_entries(path).get("年度")
    except Exception:  # the file is broken; its reason is reported elsewhere
        return 0
    text = str(entry.value) if entry else ""
    return int(text) if re.fullmatch(r"[0-9]{4}", text) else 0
