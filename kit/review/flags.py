"""What a reviewer should look at twice: year-over-year and cross-official checks.

Every check gives a 提示 (a warning, never an error: nothing here stops a build):

* a figure more than ×3 or less than ÷3 of last year's (``变化提醒: 3`` on a field in the
  role template changes the factor; ``变化提醒: 0`` turns it off for that field);
* a percentage lower than last year's;
* a required count of 0;
* the same figure for every official of a role (three or more: a copied value);
* a 长文本 identical to last year's, or to another official's this year (copied text);
* a figure far outside this role's others: more than ``OUTLIER_K`` robust standard
  deviations (1.4826 × MAD) from the median, with five or more officials.

Last year's values come from a folder of parameter files (read as typed, each value
parsed by this year's field, so a template change never breaks the comparison) or
from last year's build (``审阅数据.json``, written by :func:`save_values`).

A :class:`Check` keeps apart what depends on the official alone (``flags``: against last
year, and zeros) and what depends on the others of this year (``peer``): ``kit build``
bakes the first into the official's executed notebook and page, and writes the second
into the page after the batch (:func:`kit.review.pages.write_peer_flags`), so that one
changed file never re-executes another official's notebook.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from statistics import median
from typing import Any

from kit.errors import ParamsError, display_path
from kit.iorw import atomic_write_text
from kit.project import VALUES_FILE, year_folder
from kit.report.fields import Field, FieldValueError, format_value
from kit.report.identity import Identity
from kit.report.params import Official, find_params, read_entries

RATIO = Decimal(3)
OUTLIER_K = Decimal(5)
MAD_SCALE = Decimal("1.4826")  # MAD → standard deviation for normal data
MIN_OFFICIALS_SAME = 3
MIN_OFFICIALS_OUTLIER = 5
MIN_TEXT = 10  # shorter texts (「无」) are identical by nature
MAX_VALUES_BYTES = 20 * 1024 * 1024  # a year's values: ~2 KB per official
_NUMERIC = ("count", "amount", "percent")


@dataclass(frozen=True)
class Row:
    """One figure beside last year's, for the review page."""

    label: str
    unit: str
    this: str
    last: str
    change: str


@dataclass
class Check:
    rows: list[Row] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # from this official alone
    peer: list[str] = field(default_factory=list)  # from the other officials of the year
    last: dict[str, Any] | None = None  # last year's values of this official, as typed

    @property
    def compared(self) -> bool:
        """Last year's values of this official were found."""
        return self.last is not None

    @property
    def every(self) -> list[str]:
        return self.flags + self.peer

    def as_dict(self) -> dict[str, Any]:
        """What depends on this official alone (its page's table and own 提示)."""
        return {"rows": [r.__dict__ for r in self.rows], "flags": self.flags,
                "compared": self.compared}


@dataclass(frozen=True)
class Previous:
    """Last year's officials: identity → raw values (as typed)."""

    values: dict[tuple[str, str, str], dict[str, Any]]
    source: str = ""
    problem: str = ""  # last year's file could not be read: a 提示 on each official

    def find(self, ident: Identity) -> dict[str, Any] | None:
        hit = self.values.get((ident.unit, ident.name, ident.role))
        if hit is None:  # the official changed role: still the same person
            hit = self.values.get((ident.unit, ident.name, ""))
        return hit

    @classmethod
    def empty(cls) -> Previous:
        return cls({})


def _add(values: dict[tuple[str, str, str], dict[str, Any]], ident: Identity,
         raw: dict[str, Any]) -> None:
    values[(ident.unit, ident.name, ident.role)] = raw
    values.setdefault((ident.unit, ident.name, ""), raw)


def read_previous(source: str | Path) -> Previous:
    """Last year's values from a parameter folder or a build folder (审阅数据.json)."""
    source = Path(source)
    values: dict[tuple[str, str, str], dict[str, Any]] = {}
    data_file = source if source.name == VALUES_FILE else source / VALUES_FILE
    if data_file.is_file():
        # Damaged, too big or too deep: no comparison (said) rather than a wrong one, and
        # never the build's end (deep nesting was a RecursionError, exit 70).
        damaged = Previous({}, str(source), f"上年数据文件无法读取（已损坏或太大），本次没有与上年比较："
                                            f"{display_path(data_file)}")
        try:
            if data_file.stat().st_size > MAX_VALUES_BYTES:
                return damaged
            items = json.loads(data_file.read_text("utf-8"))
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                return damaged
            for item in items:
                raw = {str(k): v for k, v in item.items()}
                if not all(v is None or isinstance(v, str | int | float) for v in raw.values()):
                    return damaged  # a year's values are flat: 「讲党课」: "6"
                _add(values, Identity.of(raw), raw)
        except (ValueError, TypeError, RecursionError, MemoryError, OSError):
            return damaged
        return Previous(values, str(source))
    for path in find_params(source):
        try:
            entries = read_entries(path)
        except ParamsError:
            continue  # last year's broken file: nothing to compare with
        raw = {k: e.value for k, e in entries.items()}
        _add(values, Identity.of(entries), raw)
    return Previous(values, str(source))


def save_values(path: Path, officials: Iterable[Official]) -> Path:
    """This year's values, for next year's comparison (``build/<年度>/审阅数据.json``)."""
    out = []
    for o in officials:
        item = {"角色": o.role}
        item |= {k: format_value(v) for k, v in o.values.items()}
        out.append(item)
    return atomic_write_text(path, json.dumps(out, ensure_ascii=False, indent=0))


def _number(f: Field, raw: Any) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        value = f.parse(raw)
    except (FieldValueError, InvalidOperation, ValueError, TypeError):
        return None
    return Decimal(value) if isinstance(value, int | Decimal) and not isinstance(value, bool) \
        else None


def _text(raw: Any) -> str:
    return re.sub(r"\s+", "", str(raw)) if raw not in (None, "") else ""


def _ratio(f: Field) -> Decimal:
    given = f.extra.get("变化提醒")
    return RATIO if given is None else Decimal(given)


def _about(d: Decimal) -> str:
    """A computed ratio, median…: to one decimal place (3.0 when it is about 3)."""
    return format_value(d.to_integral_value() if d == d.to_integral_value()
                        else d.quantize(Decimal("0.1")))


def _change(this: Decimal, last: Decimal) -> str:
    # Typed figures and their difference print as the report does (12.50 - 10 = 2.50);
    # only the computed ratio is rounded.
    diff = this - last
    sign = "+" if diff > 0 else ""
    text = f"{sign}{format_value(diff)}"
    if last:
        text += f"（{sign}{_about(diff * 100 / last)}%）"
    return text


def check_all(officials: Sequence[Official], previous: Previous) -> list[Check]:
    """One :class:`Check` per official, in the order given."""
    checks = [_year_over_year(o, previous) for o in officials]
    by_role: dict[str, list[int]] = defaultdict(list)
    for i, o in enumerate(officials):
        by_role[o.role].append(i)
    for idx in by_role.values():
        _across(officials, idx, checks)
    _copied_text(officials, checks)
    return checks


def _year_over_year(o: Official, previous: Previous) -> Check:
    last = previous.find(Identity(o.unit, o.name, str(o.year), o.role))
    check = Check(last=last)
    if previous.problem:  # last year's file could not be read: said on every page
        check.flags.append(previous.problem)
    for f in o.template.fields.values():
        this = o.values.get(f.key)
        if f.type.name in _NUMERIC:
            now = _number(f, this)
            if now is None:
                continue
            zero = f.type.name == "count" and f.required and now == 0
            if zero:
                check.flags.append(f"「{f.label}」为 0（必填的数字，请核对）")
            before = _number(f, last.get(f.key)) if last else None
            if before is None:
                if last is not None:
                    check.rows.append(Row(f.label, f.unit, format_value(now), "—", ""))
                continue
            check.rows.append(Row(f.label, f.unit, format_value(now), format_value(before), _change(now, before)))
            ratio = _ratio(f)
            if f.type.name == "percent":
                if now < before:
                    check.flags.append(f"「{f.label}」比上年下降（{format_value(before)}% → {format_value(now)}%）")
            elif ratio > 0 and before > 0 and not zero and (now > before * ratio
                                                             or now * ratio < before):
                times = now / before
                how = (f"是上年的 {_about(times)} 倍" if times >= 1 else
                       f"只有上年的 {_about(times * 100)}%")
                check.flags.append(f"「{f.label}」今年 {format_value(now)}，上年 {format_value(before)}，{how}")
        elif f.type.name == "text" and last is not None:
            text = _text(this)
            if len(text) >= MIN_TEXT and text == _text(last.get(f.key)):
                check.flags.append(f"「{f.label}」与上年的内容完全相同")
    return check


def _across(officials: Sequence[Official], idx: list[int], checks: list[Check]) -> None:
    template = officials[idx[0]].template
    for f in template.fields.values():
        if f.type.name not in _NUMERIC:
            continue
        have = [(i, n) for i in idx if (n := _number(f, officials[i].values.get(f.key)))
                is not None]
        values = [n for _, n in have]
        if len(have) >= MIN_OFFICIALS_SAME and len(have) == len(idx) and len(set(values)) == 1 \
                and not (f.type.name == "percent" and values[0] == 100):
            for i, _ in have:
                checks[i].peer.append(f"「{f.label}」本角色 {len(have)} 人都填了 "
                                      f"{format_value(values[0])}（可能是照抄的数字）")
            continue
        if len(have) < MIN_OFFICIALS_OUTLIER:
            continue
        mid = median(values)
        mad = median(abs(v - mid) for v in values)
        if mad == 0:
            continue
        spread = OUTLIER_K * MAD_SCALE * mad
        for i, n in have:
            if abs(n - mid) > spread:
                how = "远高于" if n > mid else "远低于"
                checks[i].peer.append(f"「{f.label}」{format_value(n)}，{how}本角色其他人"
                                      f"（中位数 {_about(mid)}）")


def _copied_text(officials: Sequence[Official], checks: list[Check]) -> None:
    seen: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, o in enumerate(officials):
        for f in o.template.fields.values():
            text = _text(o.values.get(f.key)) if f.type.name == "text" else ""
            if len(text) >= MIN_TEXT:
                seen[(f.label, text)].append(i)
    for (label, _), idx in seen.items():
        for i in idx if len(idx) > 1 else ():
            others = "、".join(f"{officials[j].name}（{officials[j].unit}）" for j in idx if j != i)
            checks[i].peer.append(f"「{label}」与 {others} 的内容完全相同")


def previous_for(year: int, params_dir: Path, out_root: Path,
                 compare: str | Path | None) -> Previous:
    """Last year's values: ``--compare``, else the folder ``kit roll`` made this one from
    (``params`` for ``params-2024``), else last year's build; else nothing to compare."""
    if compare:
        return read_previous(compare)
    here = params_dir.resolve()
    suffix = f"-{year}"
    if here.name.endswith(suffix) and (source := here.with_name(here.name[:-len(suffix)])).is_dir():
        prev = read_previous(source)
    elif (last_year := year_folder(out_root, year - 1)).values.is_file():
        prev = read_previous(last_year.path)
    else:
        return Previous.empty()
    last = str(year - 1)  # a folder of other years is no comparison
    return Previous({k: v for k, v in prev.values.items() if str(v.get("年度", "")) == last},
                    prev.source, prev.problem)


def for_batch(checked: dict[Path, Any], out_root: Path, compare: str | Path | None,
              save: bool = True) -> dict[Path, Check]:
    """The batch's hook (and the review notebook's): checks of every official that passed
    its own checks, per 年度; ``save``: each year's values kept for next year's comparison."""
    good = [(p, o) for p, o in checked.items() if isinstance(o, Official)]
    if not good:
        return {}
    params_dir = good[0][0].parent
    out: dict[Path, Check] = {}
    for year in sorted({o.year for _, o in good}):
        group = [(p, o) for p, o in good if o.year == year]
        previous = previous_for(year, params_dir, out_root, compare)
        checks = check_all([o for _, o in group], previous)
        out |= {p: c for (p, _), c in zip(group, checks, strict=True)}
        if save:
            save_values(year_folder(out_root, year).values, [o for _, o in group])
    return out
