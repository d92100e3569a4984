"""Raw WordprocessingML and package XML: the only module that spells OOXML.

Everything else in :mod:`kit.word` calls these helpers.  Parts are built as XML
*strings* and zipped as they are (a volume has ~26,000 paragraphs: going through
python-docx's objects, or even parsing them, costs more than writing them).  Every part
written here is valid against the ECMA-376 transitional schemas (tests/word/test_schema.py).
Lengths are twips (1/20 pt) unless a name says otherwise; ``sz`` is half-points.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NSDECL = f'xmlns:w="{W_NS}"'
_NSDECL_R = f'xmlns:w="{W_NS}" xmlns:r="{R_NS}"'
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def esc(text: str) -> str:
    """Escape text for an XML text node or attribute value."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


# --- run and paragraph properties (strings, schema order inside rPr / pPr) -------------


def rpr(
    font: str | None = None,
    *,
    size_pt: float | None = None,
    bold: bool | None = None,
    color: str | None = None,
    spacing: int | None = None,
    lang: bool = False,
) -> str:
    """Inner XML of ``w:rPr``.  ``font`` is set for ascii, hAnsi, eastAsia *and* cs:
    python-docx's ``font.name`` leaves ``w:eastAsia`` unset, and Chinese text would
    then fall back to the theme's East Asian font."""
    out = []
    if font:
        f = esc(font)
        out.append(f'<w:rFonts w:ascii="{f}" w:hAnsi="{f}" w:eastAsia="{f}" w:cs="{f}"/>')
    if bold is not None:  # False: not bold even where a reader's defaults say so
        out.append("<w:b/><w:bCs/>" if bold else '<w:b w:val="0"/><w:bCs w:val="0"/>')
    if color:
        out.append(f'<w:color w:val="{color}"/>')
    if spacing is not None:
        out.append(f'<w:spacing w:val="{spacing}"/>')  # character spacing, twips
    if size_pt is not None:
        hp = round(size_pt * 2)
        out.append(f'<w:sz w:val="{hp}"/><w:szCs w:val="{hp}"/>')
    if lang:
        out.append('<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>')
    return "".join(out)


def ppr(
    *,
    style: str | None = None,
    keep_next: bool | None = None,
    keep_lines: bool | None = None,
    page_break_before: bool = False,
    widow_control: bool | None = None,
    tabs: Sequence[tuple[str, str, int]] = (),
    overflow_punct: bool | None = None,
    snap_to_grid: bool | None = None,
    line_exact: int | None = None,
    line_single: bool = False,
    first_line_chars: int | None = None,
    first_line: int | None = None,
    left: int | None = None,
    right: int | None = None,
    jc: str | None = None,
    outline_level: int | None = None,
    run_props: str = "",
) -> str:
    """Inner XML of ``w:pPr`` (children emitted in CT_PPr schema order).

    ``tabs`` items are (alignment, leader, position).  ``line_exact`` is an exact line
    height; spacing before/after is always written as 0 so nothing is inherited.
    ``keep_next``/``keep_lines``: True or False override the style, None inherits it.
    """
    out = []
    if style:
        out.append(f'<w:pStyle w:val="{style}"/>')
    if keep_next is not None:
        out.append("<w:keepNext/>" if keep_next else '<w:keepNext w:val="0"/>')
    if keep_lines is not None:
        out.append("<w:keepLines/>" if keep_lines else '<w:keepLines w:val="0"/>')
    if page_break_before:
        out.append("<w:pageBreakBefore/>")
    if widow_control is not None:
        out.append(f'<w:widowControl w:val="{int(widow_control)}"/>')
    if tabs:
        out.append("<w:tabs>")
        out.extend(f'<w:tab w:val="{a}" w:leader="{ld}" w:pos="{pos}"/>' for a, ld, pos in tabs)
        out.append("</w:tabs>")
    if overflow_punct is not None:
        out.append(f'<w:overflowPunct w:val="{int(overflow_punct)}"/>')
    if snap_to_grid is not None:
        out.append(f'<w:snapToGrid w:val="{int(snap_to_grid)}"/>')
    if line_exact is not None:
        out.append(
            f'<w:spacing w:before="0" w:after="0" w:line="{line_exact}" w:lineRule="exact"/>'
        )
    elif line_single:
        out.append('<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>')
    ind = []
    if left is not None:
        ind.append(f'w:left="{left}"')
    if right is not None:
        ind.append(f'w:right="{right}"')
    if first_line_chars is not None:
        # firstLine (twips) for readers that ignore *Chars; Word prefers firstLineChars.
        ind.append(f'w:firstLineChars="{first_line_chars}" w:firstLine="{first_line or 0}"')
    if ind:
        out.append(f"<w:ind {' '.join(ind)}/>")
    if jc:
        out.append(f'<w:jc w:val="{jc}"/>')
    if outline_level is not None:
        out.append(f'<w:outlineLvl w:val="{outline_level}"/>')
    if run_props:
        out.append(f"<w:rPr>{run_props}</w:rPr>")
    return "".join(out)


# --- paragraphs ---------------------------------------------------------------------------


def run(text: str, char_style: str | None = None) -> str:
    """A text run, optionally with a character style."""
    props = f'<w:rPr><w:rStyle w:val="{char_style}"/></w:rPr>' if char_style else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{esc(text)}</w:t></w:r>'


def line_break() -> str:
    return "<w:r><w:br/></w:r>"


def tab() -> str:
    return "<w:r><w:tab/></w:r>"


def bookmark(bm_id: int, name: str, inner: str) -> str:
    """Wrap ``inner`` (runs) in a bookmark, e.g. the ``_Toc`` target of a 目录 entry."""
    return (
        f'<w:bookmarkStart w:id="{bm_id}" w:name="{esc(name)}"/>{inner}'
        f'<w:bookmarkEnd w:id="{bm_id}"/>'
    )


def field(instr: str, cached: str, char_style: str | None = None) -> str:
    """A complex field (begin / instrText / separate / cached result / end)."""
    props = f'<w:rPr><w:rStyle w:val="{char_style}"/></w:rPr>' if char_style else ""
    return (
        f'<w:r>{props}<w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r>{props}<w:instrText xml:space="preserve"> {esc(instr)} </w:instrText></w:r>'
        f'<w:r>{props}<w:fldChar w:fldCharType="separate"/></w:r>'
        f"{run(cached, char_style)}"
        f'<w:r>{props}<w:fldChar w:fldCharType="end"/></w:r>'
    )


def field_begin(instr: str) -> str:
    """Opening half of a field whose result spans several paragraphs (the TOC)."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {esc(instr)} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    )


def field_end() -> str:
    return '<w:r><w:fldChar w:fldCharType="end"/></w:r>'


def hyperlink_anchor(anchor: str, inner: str) -> str:
    """Internal hyperlink to a bookmark (what Word's TOC \\h switch produces)."""
    return f'<w:hyperlink w:anchor="{esc(anchor)}" w:history="1">{inner}</w:hyperlink>'


def paragraph(content: str, props: str = "") -> str:
    """A ``w:p`` from inner pPr XML (see :func:`ppr`) and run XML."""
    return f"<w:p>{'<w:pPr>' + props + '</w:pPr>' if props else ''}{content}</w:p>"


# --- run-in headings -----------------------------------------------------------------------

# A run-in heading is Word's style separator: a heading paragraph whose paragraph mark is
# hidden *and* ``specVanish`` (ECMA-376 17.3.2.35), so Word sets the next paragraph's text
# on the same line, while the navigation pane, pandoc, mammoth and python-docx see a real
# heading paragraph.  LibreOffice 7.4 ignores both on a paragraph mark and breaks the
# line; :func:`joined_run_ins` gives it the one paragraph Word displays.
_SEPARATOR_MARK = "<w:vanish/><w:specVanish/>"


def _run_in_props(style: str) -> str:
    # flows like the text it runs into: no keep-together or keep-with-next of its own
    return ppr(style=style, keep_next=False, keep_lines=False, run_props=_SEPARATOR_MARK)


def run_in(heading: str, style: str, body: str) -> str:
    """A heading in paragraph style ``style`` running into ``body`` (run XML), as two
    paragraphs joined by a style separator; the second is a plain Normal paragraph."""
    return paragraph(run(heading), _run_in_props(style)) + paragraph(body)


# The spelling :func:`run_in` writes, with the style captured.
_RUN_IN = re.compile(
    re.escape(f"<w:p><w:pPr>{_run_in_props('@')}</w:pPr>").replace("@", '([^"]+)')
    + r"(.*?)</w:p><w:p>"
)


def joined_run_ins(document: str, char_styles: Mapping[str, str]) -> str:
    """``document`` (a document part :func:`run_in` wrote) with each run-in heading and
    its text in one paragraph, the heading's runs in the character style that
    ``char_styles`` maps its paragraph style to: what Word displays, in the form
    LibreOffice 7.4 lays out on one line (it has no merged paragraphs; 24.8 and later
    read the style separator as an "inline heading")."""

    def join(m: re.Match[str]) -> str:
        props = f'<w:rPr><w:rStyle w:val="{char_styles[m[1]]}"/></w:rPr>'
        return "<w:p>" + m[2].replace("<w:r>", f"<w:r>{props}")

    return _RUN_IN.sub(join, document)


def has_run_ins(document: str) -> bool:
    return _SEPARATOR_MARK in document


_SPEC_VANISH = f"{{{W_NS}}}pPr/{{{W_NS}}}rPr/{{{W_NS}}}specVanish"
_OFF = {"0", "false", "off"}


def runs_into_next(p: etree._Element) -> bool:
    """Whether a parsed ``w:p`` (e.g. python-docx's ``paragraph._p``) ends in a style
    separator — its mark ``specVanish``, always hidden — so Word sets the next paragraph
    on the same line: the kit's run-in headings, and any Word user's."""
    mark = p.find(_SPEC_VANISH)
    return mark is not None and mark.get(f"{{{W_NS}}}val", "1") not in _OFF


def toc_entry(text: str, anchor: str, page: int) -> str:
    """Cached result of one TOC1 line: hyperlinked text, dot-leader tab, PAGEREF."""
    inner = run(text) + tab() + field(f"PAGEREF {anchor} \\h", str(page))
    return hyperlink_anchor(anchor, inner)


def toc_instr(levels: str = "1-1") -> str:
    return f'TOC \\o "{levels}" \\h \\z \\u'


# --- styles.xml --------------------------------------------------------------------------


def styles_xml(doc_defaults_rpr: str, doc_defaults_ppr: str, styles: Iterable[str]) -> str:
    """A complete styles part: our docDefaults and styles only (no theme fonts)."""
    return (
        f"{_DECL}<w:styles {_NSDECL}><w:docDefaults>"
        f"<w:rPrDefault><w:rPr>{doc_defaults_rpr}</w:rPr></w:rPrDefault>"
        f"<w:pPrDefault><w:pPr>{doc_defaults_ppr}</w:pPr></w:pPrDefault>"
        f"</w:docDefaults>{''.join(styles)}</w:styles>"
    )


def style_xml(
    kind: str,
    style_id: str,
    name: str,
    *,
    based_on: str | None = None,
    next_style: str | None = None,
    link: str | None = None,
    default: bool = False,
    ui_priority: int | None = None,
    p_props: str = "",
    r_props: str = "",
) -> str:
    """One ``w:style`` (kind: paragraph or character); children in CT_Style order."""
    parts = [f'<w:name w:val="{esc(name)}"/>']
    if based_on:
        parts.append(f'<w:basedOn w:val="{based_on}"/>')
    if next_style:
        parts.append(f'<w:next w:val="{next_style}"/>')
    if link:
        parts.append(f'<w:link w:val="{link}"/>')
    if ui_priority is not None:
        parts.append(f'<w:uiPriority w:val="{ui_priority}"/>')
    parts.append("<w:qFormat/>")
    if p_props:
        parts.append(f"<w:pPr>{p_props}</w:pPr>")
    if r_props:
        parts.append(f"<w:rPr>{r_props}</w:rPr>")
    dflt = ' w:default="1"' if default else ""
    return f'<w:style w:type="{kind}"{dflt} w:styleId="{style_id}">{"".join(parts)}</w:style>'


# --- settings.xml ------------------------------------------------------------------------


def settings_xml() -> str:
    """Children in CT_Settings order (Word rejects them out of order): 100 % zoom; odd and
    even footers; no punctuation compression; fields (the 目录) refreshed on open; the
    compatibility options the layout was calibrated with; Chinese theme language."""
    return (
        f"{_DECL}<w:settings {_NSDECL}>"
        '<w:zoom w:percent="100"/>'
        '<w:defaultTabStop w:val="720"/>'
        "<w:evenAndOddHeaders/>"
        '<w:characterSpacingControl w:val="doNotCompress"/>'
        '<w:updateFields w:val="true"/>'
        "<w:compat><w:useFELayout/>"
        + "".join(
            f'<w:compatSetting w:name="{n}" w:uri="http://schemas.microsoft.com/office/word" '
            f'w:val="{v}"/>'
            for n, v in (
                ("compatibilityMode", 14),
                ("overrideTableStyleFontSizeAndJustification", 1),
                ("enableOpenTypeFeatures", 1),
                ("doNotFlipMirrorIndents", 1),
            )
        )
        + "</w:compat>"
        '<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/>'
        '<w:decimalSymbol w:val="."/><w:listSeparator w:val=","/>'
        "</w:settings>"
    )


# --- section, document, header and footer parts -----------------------------------------


def sect_pr(
    *,
    page_w: int,
    page_h: int,
    margins: tuple[int, int, int, int],
    header: int,
    footer: int,
    line_pitch: int,
    page_start: int | None = 1,
    headers: tuple[str, str] | None = None,
    footers: tuple[str, str] | None = None,
) -> str:
    """Page size, margins (top, bottom, left, right), header/footer references (odd =
    default, even), page numbering and a lines-only document grid.

    Not ``linesAndChars``: LibreOffice then gives each CJK glyph two cells."""
    refs = []
    for tag, ids in (("header", headers), ("footer", footers)):
        if ids:
            refs.append(f'<w:{tag}Reference w:type="default" r:id="{ids[0]}"/>')
            refs.append(f'<w:{tag}Reference w:type="even" r:id="{ids[1]}"/>')
    top, bottom, left, right = margins
    start = f'<w:pgNumType w:start="{page_start}"/>' if page_start is not None else ""
    return (
        f"<w:sectPr>{''.join(refs)}"
        f'<w:pgSz w:w="{page_w}" w:h="{page_h}"/>'
        f'<w:pgMar w:top="{top}" w:right="{right}" w:bottom="{bottom}" w:left="{left}" '
        f'w:header="{header}" w:footer="{footer}" w:gutter="0"/>'
        f'{start}<w:cols w:space="425"/>'
        f'<w:docGrid w:type="lines" w:linePitch="{line_pitch}"/></w:sectPr>'
    )


def document_xml(paragraphs: Iterable[str], section: str) -> str:
    return (
        f"{_DECL}<w:document {_NSDECL_R}><w:body>{''.join(paragraphs)}{section}</w:body>"
        "</w:document>"
    )


def header_xml(paragraphs: Iterable[str]) -> str:
    return f"{_DECL}<w:hdr {_NSDECL_R}>{''.join(paragraphs)}</w:hdr>"


def footer_xml(paragraphs: Iterable[str]) -> str:
    return f"{_DECL}<w:ftr {_NSDECL_R}>{''.join(paragraphs)}</w:ftr>"


# --- document properties -------------------------------------------------------------------


def _w3cdtf(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")  # ``when`` is UTC


def core_xml(
    *, title: str, creator: str, subject: str, description: str, modified_by: str, when: datetime
) -> str:
    """docProps/core.xml (Dublin Core): what Word's 文件 → 信息 shows."""
    stamp = _w3cdtf(when)
    return (
        f"{_DECL}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{esc(title)}</dc:title><dc:subject>{esc(subject)}</dc:subject>"
        f"<dc:creator>{esc(creator)}</dc:creator>"
        f"<dc:description>{esc(description)}</dc:description>"
        f"<cp:lastModifiedBy>{esc(modified_by)}</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def app_xml(*, application: str, company: str = "", pages: int | None = None) -> str:
    """docProps/app.xml: the application that wrote the file (the kit, not Word)."""
    extra = f"<Pages>{pages}</Pages>" if pages is not None else ""
    if company:
        extra += f"<Company>{esc(company)}</Company>"
    return (
        f"{_DECL}<Properties "
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<Application>{esc(application)}</Application><DocSecurity>0</DocSecurity>{extra}"
        "</Properties>"
    )


# --- the package -----------------------------------------------------------------------------

# Part and relationship type names from python-docx (its OPC constants).
_CONTENT_TYPES = {
    "document": CT.WML_DOCUMENT_MAIN,
    "styles": CT.WML_STYLES,
    "settings": CT.WML_SETTINGS,
    "header": CT.WML_HEADER,
    "footer": CT.WML_FOOTER,
    "core": CT.OPC_CORE_PROPERTIES,
    "app": CT.OFC_EXTENDED_PROPERTIES,
}
_REL_TYPES = {
    "document": RT.OFFICE_DOCUMENT,
    "styles": RT.STYLES,
    "settings": RT.SETTINGS,
    "header": RT.HEADER,
    "footer": RT.FOOTER,
    "core": RT.CORE_PROPERTIES,
    "app": RT.EXTENDED_PROPERTIES,
}


def _rels_xml(rels: Sequence[tuple[str, str, str]]) -> str:
    """(id, kind, target) → a relationships part."""
    items = "".join(
        f'<Relationship Id="{rid}" Type="{_REL_TYPES[kind]}" Target="{target}"/>'
        for rid, kind, target in rels
    )
    return (
        f'{_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships">{items}</Relationships>'
    )


def _content_types_xml(parts: Sequence[tuple[str, str]]) -> str:
    overrides = "".join(
        f'<Override PartName="/{name}" ContentType="{_CONTENT_TYPES[kind]}"/>'
        for name, kind in parts
    )
    return (
        f'{_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="{CT.OPC_RELATIONSHIPS}"/>'
        f'<Default Extension="xml" ContentType="{CT.XML}"/>'
        f"{overrides}</Types>"
    )


def header_ids(count: int) -> list[str]:
    """Relationship ids of the document part's headers (footers follow them)."""
    return [f"rId{3 + i}" for i in range(count)]


def docx_package(
    *,
    document: str,
    styles: str,
    settings: str,
    headers: Sequence[str],
    footers: Sequence[str],
    core: str,
    app: str,
    when: datetime,
) -> bytes:
    """Zip the parts of a .docx.  The document part's relationships are rId1 styles,
    rId2 settings, then the headers and the footers in order (see :func:`header_ids`);
    the document's ``w:sectPr`` must refer to them by those ids."""
    parts: list[tuple[str, str, str]] = [  # (part name, content kind, xml)
        ("word/document.xml", "document", document),
        ("word/styles.xml", "styles", styles),
        ("word/settings.xml", "settings", settings),
    ]
    doc_rels = [("rId1", "styles", "styles.xml"), ("rId2", "settings", "settings.xml")]
    for kind, xmls in (("header", headers), ("footer", footers)):
        for xml in xmls:
            rid = f"rId{len(doc_rels) + 1}"
            name = f"{kind}{sum(1 for p in parts if p[1] == kind) + 1}.xml"
            parts.append((f"word/{name}", kind, xml))
            doc_rels.append((rid, kind, name))
    parts += [("docProps/core.xml", "core", core), ("docProps/app.xml", "app", app)]
    package_rels = [
        ("rId1", "document", "word/document.xml"),
        ("rId2", "core", "docProps/core.xml"),
        ("rId3", "app", "docProps/app.xml"),
    ]
    files = [
        ("[Content_Types].xml", _content_types_xml([(n, k) for n, k, _ in parts])),
        ("_rels/.rels", _rels_xml(package_rels)),
        ("word/_rels/document.xml.rels", _rels_xml(doc_rels)),
        *((n, x) for n, _, x in parts),
    ]
    buf = io.BytesIO()
    stamp = when.timetuple()[:6]
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, xml in files:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, xml.encode("utf-8"))
    return buf.getvalue()
