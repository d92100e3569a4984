"""Reading a sample report: the file (.txt or .docx), junk removal, and splitting a
compilation (汇编) into its reports.

Samples come from download sites and old folders: GBK as often as UTF-8, with the
sites' paywall markers and watermarks mixed into the text.  :data:`JUNK_INLINE` and
:data:`JUNK_LINES` are the documented list of what is removed (see docs/导入与花名册.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kit.errors import KitError, Problem, display_path
from kit.report.fields import char_name, first_refused, refused, without_refused
from kit.report.numbering import LEADING as _NUMBERED

# Markers removed wherever they stand, even inside a sentence (the seed has
# 「还不##paidbegin##够紧」).
JUNK_INLINE: tuple[str, ...] = (
    r"##paid(?:begin|end)##",
    r"##(?:free|vip)(?:begin|end)##",
)
# Whole lines dropped: site watermarks, download and copyright notices.  A line is
# dropped only when it is short (a real paragraph that mentions 下载 is kept).
JUNK_LINES: tuple[str, ...] = (
    r"^\s*(?:https?://|www\.)\S+\s*$",  # a bare web address
    r"(?:本文|本篇|文章|文档|资料)?(?:来源|来自|转载自|出自)[:：]",
    r"(?:免费|点击|欢迎|付费|会员)?下载",
    r"(?:下载|复制|粘贴)后(?:可|可以)?(?:修改|编辑)",
    r"(?:版权|著作权)(?:所有|归|声明)",
    r"(?:禁止|谢绝|严禁)(?:转载|复制)",
    r"(?:本文|本文档|本资料)(?:由|系|为).{0,20}(?:网|站|平台|用户|会员)",
    r"更多(?:精品|范文|资料|文档|相关)",
    r"(?:第\s*\d+\s*页\s*[/，,]?\s*共\s*\d+\s*页|^\s*-\s*\d+\s*-\s*$)",  # page footers
    r"\.(?:com|cn|net|org)\b",
)
_JUNK_LINE_MAX = 60  # longer lines are paragraphs, never watermarks
_INLINE = re.compile("|".join(JUNK_INLINE), re.IGNORECASE)
_LINES = [re.compile(p, re.IGNORECASE) for p in JUNK_LINES]

_TOC = re.compile(r"^目\s*录$")
# 「1.2023年度述职报告（镇长）2」: numbered, or ending in a page number (dot leaders allowed).
_TOC_ENTRY = re.compile(r"^(?:\d+\s*[.．、]\s*(.+?)[\s.．·…]*\d*|(.+?)[\s.．·…]*\d+)$")
_TITLE_WORDS = re.compile(r"述职|述责|述廉|报告|总结")
_NOT_TITLE_END = "。；，：;,:！？!?"


@dataclass
class Section:
    """One report of a sample: its title line and body lines (junk removed)."""

    title: str
    lines: list[str]
    notes: list[str] = field(default_factory=list)


def read_sample(path: str | Path) -> tuple[str, list[str]]:
    """The text of a .txt (UTF-8 or GBK) or .docx sample, and notes about its reading."""
    path = Path(path)
    file = display_path(path)
    if not path.is_file():
        raise KitError(Problem("找不到范文文件", file=file, hint="请检查文件名和所在文件夹。"))
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return _read_docx(path, file), []
    if suffix not in (".txt", ".text", ""):
        raise KitError(Problem("范文只能是 .txt 或 .docx 文件", file=file,
                               found=f"「{path.suffix}」文件",
                               hint="旧版 .doc 请先在 Word/WPS 里另存为 .docx。"))
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), ["范文是 GBK 编码，已按 GBK 读取"]
    except UnicodeDecodeError:
        raise KitError(Problem("范文不是文本文件，或编码无法识别", file=file,
                               expected="UTF-8 或 GBK 编码的 .txt，或 .docx")) from None


def _read_docx(path: Path, file: str) -> str:
    import docx  # python-docx; imported here so the rest of the kit does not pay for it
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError):  # python-docx's English
        raise KitError(Problem("无法打开 Word 文件：它不是 .docx 格式，或已损坏、加密", file=file,
                               hint="旧的 .doc 文件请用 Word/WPS 另存为 .docx 后重试。")) from None
    from kit.word import shown_paragraphs  # a run-in heading and its text are one line

    return "\n".join(shown_paragraphs(document))


def clean_lines(text: str) -> tuple[list[str], list[str]]:
    """Non-empty lines, trimmed (including the full-width indent 「　　」), junk removed;
    and notes listing what was removed."""
    out, notes, inline = [], [], 0
    # A sample's invisible characters (zero-width spaces from a web page…) may not enter a
    # template (kit.report.templates refuses them): removed here, and the note says so.
    hidden = [c for c in text if refused(c)] if first_refused(text) is not None else []
    if hidden:
        text = without_refused(text)
        names = "、".join(dict.fromkeys(f"{char_name(c)}（U+{ord(c):04X}）" for c in hidden))
        notes.append(f"删除了 {len(hidden)} 个看不见或无法显示的字符：{names}")
    for raw in re.split("\r\n|[\r\n\u2028\u2029]", text):  # Unicode's line breaks too
        line, n = _INLINE.subn("", raw)
        inline += n
        line = line.strip(" \t\u3000\u00a0")
        if not line:
            continue
        if len(line) <= _JUNK_LINE_MAX and any(p.search(line) for p in _LINES):
            notes.append(f"删除了网站水印或下载提示：「{line}」")
            continue
        out.append(line)
    if inline:
        notes.insert(0, f"删除了 {inline} 处网站标记（如「##paidbegin##」）")
    return out, notes


def is_title(line: str) -> bool:
    """A report title: one short line naming a report, not a numbered heading, not a
    sentence, not the compilation's own title."""
    return (len(line) <= 50 and bool(_TITLE_WORDS.search(line)) and "汇编" not in line
            and line[-1] not in _NOT_TITLE_END and not _NUMBERED.match(line))


def split_reports(lines: list[str], file: str) -> list[Section]:
    """The reports of a sample.  A compilation's front matter (its title, 「（2篇）」, the
    目录) is dropped; each report starts at its title line."""
    titles: set[str] | None = None
    start = 0
    for i, line in enumerate(lines):
        if _TOC.match(line.replace(" ", "").replace("\u3000", "")):
            titles, j = set(), i + 1
            while j < len(lines) and (m := _TOC_ENTRY.match(lines[j])):
                entry = (m.group(1) or m.group(2)).strip()
                if entry in titles:
                    break
                titles.add(entry)
                j += 1
            start = j
            break
    sections: list[Section] = []
    dropped: list[str] = lines[:start]
    if not titles or not any(line in titles for line in lines[start:]):
        titles = None  # no 目录, or its entries differ from the titles: find titles by shape
    for line in lines[start:]:
        if (line in titles) if titles else is_title(line):
            sections.append(Section(line, []))
        elif sections:
            sections[-1].lines.append(line)
        else:
            dropped.append(line)
    if not sections:
        raise KitError(Problem(
            "这个文件看起来不是述职报告：没有找到报告标题", file=file,
            expected="单独一行的标题，如「2023年度述职报告（镇长）」", found=f"「{lines[0][:20]}…」"
            if lines else "空文件",
            hint="如果范文没有标题，请在第一行加上标题后重试。"))
    if dropped:
        sections[0].notes.append(
            f"汇编的封面和目录（{len(dropped)} 行，如「{dropped[0][:20]}」）没有放进模板")
    return sections
