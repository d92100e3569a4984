"""``kit import``: make role templates from a sample report (.txt or .docx).

    import_sample("范文.txt", role=None, out_dir="templates", force=False) -> [Path, …]

A compilation (a 目录 and several reports) gives one template per report.  Each
template is checked before it is written: it must load like any hand-written template
and, with every blank at the sample's own text, render the sample's paragraphs again
(:func:`round_trip`).  The changes the import makes on purpose (junk removed, a
run-in item split, an inconsistent 「乡」 unified…) are listed as comments at the top
of the template and printed.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kit.errors import ExistsError, KitError, Problem, TemplateError, display_path
from kit.iorw import atomic_write_text, backup_generations, safe_filename
from kit.project import TEMPLATES
from kit.report.render import placeholder_values, render
from kit.report.templates import TEMPLATE_SUFFIX, RoleTemplate, load_template
from kit.sources.importer.source import clean_lines, read_sample, split_reports
from kit.sources.importer.template import Imported, template_of

__all__ = ["Imported", "convert", "import_sample", "round_trip", "sample_values"]


def convert(text: str, role: str | None = None, file: str = "范文") -> list[Imported]:
    """The templates of a sample's text (no files touched)."""
    lines, notes = clean_lines(text)
    sections = split_reports(lines, file)
    if role and len(sections) > 1:
        raise KitError(Problem(
            f"范文是 {len(sections)} 篇报告的汇编，角色名取自各篇标题，不能用 --role 指定", file=file,
            found="、".join(f"「{s.title}」" for s in sections), hint="请去掉 --role 后重试。"))
    out = [template_of(s, role, file) for s in sections]
    out[0].notes[:0] = notes
    seen: dict[str, str] = {}
    for imp in out:
        if imp.role in seen:
            raise KitError(Problem(f"汇编里有两篇报告的角色都是「{imp.role}」", file=file,
                                   hint="请把其中一篇另存为单独的文件，用 --role 指定不同的角色名导入。"))
        seen[imp.role] = imp.role
    return out


def import_sample(path: str | Path, role: str | None = None, out_dir: str | Path = TEMPLATES,
                  force: bool = False, echo: Callable[[str], Any] | None = None) -> list[Path]:
    """Write one template per report of the sample into ``out_dir``; return their paths.

    An existing template is not overwritten unless ``force`` (then it is kept as a
    timestamped ``<name>.md.<时间>.bak``, see :func:`kit.iorw.backup_generations`).  ``echo`` receives the notes (what the import changed).
    """
    path, out_dir = Path(path), Path(out_dir)
    file = display_path(path)
    text, read_notes = read_sample(path)
    imported = convert(text, role, file)
    imported[0].notes[:0] = read_notes
    targets = [out_dir / f"{safe_filename(imp.role)}{TEMPLATE_SUFFIX}" for imp in imported]
    _check_targets(imported, targets, out_dir, force)
    sources = []
    for imp in imported:
        source = imp.source(path.name)
        template = _load(source, imp.role)
        imp.notes += round_trip(imp, template)
        sources.append(imp.source(path.name))  # with the round-trip notes, if any
    for imp, target, source in zip(imported, targets, sources, strict=True):
        backup_generations(target)  # with --force: the replaced template is kept
        atomic_write_text(target, source)
        if echo:
            echo(f"{display_path(target)}：角色「{imp.role}」，{len(imp.fields)} 个字段")
            for note in imp.notes:
                echo(f"  · {note}")
    return targets


def _check_targets(imported: list[Imported], targets: list[Path], out_dir: Path,
                   force: bool) -> None:
    problems, exists = [], False
    mine = set(targets)
    for imp, target in zip(imported, targets, strict=True):
        if target.exists() and not force:
            exists = True
            problems.append(Problem(f"模板「{imp.role}」已存在，没有覆盖", file=display_path(target),
                                    hint="确需覆盖请加 --force（旧文件会保留为 .bak）。"))
        for other in out_dir.glob(f"*{TEMPLATE_SUFFIX}") if out_dir.is_dir() else ():
            if other not in mine and re.search(rf"(?m)^角色:\s*[\"']?{re.escape(imp.role)}[\"']?\s*$",
                                               other.read_text("utf-8", errors="replace")):
                problems.append(Problem(f"角色「{imp.role}」已在另一个模板文件里定义",
                                        file=display_path(other),
                                        hint="请用 --role 换一个角色名，或先删除那个文件。"))
    if problems:  # exit 6 for a refused overwrite; 3 for two templates of one role
        raise (ExistsError if exists else TemplateError)(problems)


def _load(source: str, role: str) -> RoleTemplate:
    """Load generated source exactly as ``kit`` will load the written file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{safe_filename(role)}{TEMPLATE_SUFFIX}"
        path.write_text(source, encoding="utf-8")
        try:
            return load_template(path)
        except TemplateError as err:  # a bug of the importer, not the user's mistake
            raise TemplateError([Problem("导入生成的模板无法使用（这是本工具的问题，请把范文发给维护人员）")]
                                + err.problems) from None


def sample_values(template: RoleTemplate, identity: Mapping[str, Any] | None = None) -> dict:
    """Values that render the sample back: each blank at its sample text, identity
    (年度, 单位类别, 省份) as found in the sample."""
    values = placeholder_values(template)
    values.pop("姓名", None)  # no byline: the sample has none
    return values | dict(identity or {})


def round_trip(imported: Imported, template: RoleTemplate) -> list[str]:
    """Notes for every paragraph the template does not render as the sample had it."""
    report = render(template, sample_values(template, imported.identity))
    got = report.paragraphs()
    notes = []
    for i, (want, have) in enumerate(zip(imported.expected, got, strict=False)):
        if want != have:
            notes.append(f"请核对：第 {i + 1} 段生成的文字与范文不同（范文「{want[:20]}…」）")
    if len(got) != len(imported.expected):
        notes.append(f"请核对：范文 {len(imported.expected)} 段，模板生成 {len(got)} 段")
    return notes
