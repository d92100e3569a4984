"""Raw WordprocessingML: the only module that spells OOXML tags.

Everything else in :mod:`kit.word` calls these helpers.  Body paragraphs are
built as XML *strings* and parsed in one go (:func:`parse_body`): a volume has
~26,000 paragraphs and python-docx's ``add_paragraph`` is quadratic.
Lengths are twips (1/20 pt) unless a name says otherwise; ``sz`` is half-points.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from docx.oxml import parse_xml
from docx.oxml.ns import qn
from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NSDECL = f'xmlns:w="{W_NS}"'

# CT_Settings children in schema order (ECMA-376 Part 1, 17.15.1.78); Word rejects
# a settings.xml whose children are out of order.
_SETTINGS_NAMES = (
    "writeProtection view zoom removePersonalInformation removeDateAndTime "
    "doNotDisplayPageBoundaries displayBackgroundShape printPostScriptOverText "
    "printFractionalCharacterWidth printFormsData embedTrueTypeFonts embedSystemFonts "
    "saveSubsetFonts saveFormsData mirrorMargins alignBordersAndEdges "
    "bordersDoNotSurroundHeader bordersDoNotSurroundFooter gutterAtTop hideSpellingErrors "
    "hideGrammaticalErrors activeWritingStyle proofState formsDesign attachedTemplate "
    "linkStyles stylePaneFormatFilter stylePaneSortMethod documentType mailMerge "
    "revisionView trackRevisions doNotTrackMoves doNotTrackFormatting documentProtection "
    "autoFormatOverride styleLockTheme styleLockQFSet defaultTabStop autoHyphenation "
    "consecutiveHyphenLimit hyphenationZone doNotHyphenateCaps showEnvelope summaryLength "
    "clickAndTypeStyle defaultTableStyle evenAndOddHeaders bookFoldRevPrinting "
    "bookFoldPrinting bookFoldPrintingSheets drawingGridHorizontalSpacing "
    "drawingGridVerticalSpacing displayHorizontalDrawingGridEvery "
    "displayVerticalDrawingGridEvery doNotUseMarginsForDrawingGridOrigin "
    "drawingGridHorizontalOrigin drawingGridVerticalOrigin doNotShadeFormData "
    "noPunctuationKerning characterSpacingControl printTwoOnOne strictFirstAndLastChars "
    "noLineBreaksAfter noLineBreaksBefore savePreviewPicture doNotValidateAgainstSchema "
    "saveInvalidXml ignoreMixedContent alwaysShowPlaceholderText doNotDemarcateInvalidXml "
    "saveXmlDataOnly useXSLTWhenSaving saveThroughXslTransform showXMLTags "
    "alwaysMergeEmptyNamespace updateFields hdrShapeDefaults footnotePr endnotePr compat "
    "docVars rsids mathPr attachedSchema themeFontLang clrSchemeMapping "
    "doNotIncludeSubdocsInStats doNotAutoCompressFootnotes forceUpgrade captions "
    "readModeInkLockDown smartTagType schemaLibrary shapeDefaults doNotEmbedSmartTags "
    "decimalSymbol listSeparator"
)
_SETTINGS_ORDER = _SETTINGS_NAMES.split()


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
    bold: bool = False,
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
    if bold:
        out.append("<w:b/><w:bCs/>")
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
    keep_next: bool = False,
    keep_lines: bool = False,
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
    """
    out = []
    if style:
        out.append(f'<w:pStyle w:val="{style}"/>')
    if keep_next:
        out.append("<w:keepNext/>")
    if keep_lines:
        out.append("<w:keepLines/>")
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


def toc_entry(text: str, anchor: str, page: int) -> str:
    """Cached result of one TOC1 line: hyperlinked text, dot-leader tab, PAGEREF."""
    inner = run(text) + tab() + field(f"PAGEREF {anchor} \\h", str(page))
    return hyperlink_anchor(anchor, inner)


def toc_instr(levels: str = "1-1") -> str:
    return f'TOC \\o "{levels}" \\h \\z \\u'


def parse_body(paragraph_xml: Iterable[str]) -> list[etree._Element]:
    """Parse many paragraph strings at once; elements get python-docx's classes."""
    wrapper = parse_xml(f"<w:body {_NSDECL}>{''.join(paragraph_xml)}</w:body>")
    return list(wrapper)


def replace_body(body: etree._Element, elements: list[etree._Element]) -> None:
    """Replace the content of ``w:body`` keeping its final ``w:sectPr`` last (linear)."""
    sect_pr = body.find(qn("w:sectPr"))
    for child in list(body):
        body.remove(child)
    body.extend(elements)
    if sect_pr is not None:
        body.append(sect_pr)


def set_content(container: etree._Element, paragraph_xml: Iterable[str]) -> None:
    """Replace all children of a story container (footer, header) with paragraphs."""
    for child in list(container):
        container.remove(child)
    container.extend(parse_body(paragraph_xml))


# --- styles.xml --------------------------------------------------------------------------


def styles_xml(doc_defaults_rpr: str, doc_defaults_ppr: str, styles: Iterable[str]) -> str:
    """A complete styles part: our docDefaults and styles only (no theme fonts)."""
    return (
        f"<w:styles {_NSDECL}><w:docDefaults>"
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
    default: bool = False,
    ui_priority: int | None = None,
    p_props: str = "",
    r_props: str = "",
) -> str:
    """One ``w:style`` (kind: paragraph or character)."""
    parts = [f'<w:name w:val="{esc(name)}"/>']
    if based_on:
        parts.append(f'<w:basedOn w:val="{based_on}"/>')
    if next_style:
        parts.append(f'<w:next w:val="{next_style}"/>')
    if ui_priority is not None:
        parts.append(f'<w:uiPriority w:val="{ui_priority}"/>')
    parts.append("<w:qFormat/>")
    if p_props:
        parts.append(f"<w:pPr>{p_props}</w:pPr>")
    if r_props:
        parts.append(f"<w:rPr>{r_props}</w:rPr>")
    dflt = ' w:default="1"' if default else ""
    return f'<w:style w:type="{kind}"{dflt} w:styleId="{style_id}">{"".join(parts)}</w:style>'


def replace_styles(styles_element: etree._Element, xml: str) -> None:
    """Swap the children of the styles part's root for those of ``xml``."""
    new = parse_xml(xml)
    for child in list(styles_element):
        styles_element.remove(child)
    styles_element.extend(list(new))


# --- settings.xml ------------------------------------------------------------------------


def set_setting(settings: etree._Element, tag: str, attrs: dict[str, str] | None = None) -> None:
    """Add or replace ``w:<tag>`` in settings, at its schema position."""
    for old in settings.findall(qn(f"w:{tag}")):
        settings.remove(old)
    el = etree.SubElement(settings, qn(f"w:{tag}"))
    for k, v in (attrs or {}).items():
        el.set(qn(f"w:{k}"), v)
    settings.remove(el)
    rank = _SETTINGS_ORDER.index(tag)
    for i, child in enumerate(settings):
        local = etree.QName(child).localname
        if local in _SETTINGS_ORDER and _SETTINGS_ORDER.index(local) > rank:
            settings.insert(i, el)
            return
    settings.append(el)


def east_asian_settings(settings: etree._Element) -> None:
    """Refresh fields on open; Chinese theme language; no punctuation compression."""
    set_setting(settings, "evenAndOddHeaders")
    set_setting(settings, "characterSpacingControl", {"val": "doNotCompress"})
    set_setting(settings, "updateFields", {"val": "true"})
    set_setting(settings, "themeFontLang", {"val": "en-US", "eastAsia": "zh-CN"})


# --- section -----------------------------------------------------------------------------


def setup_section(
    sect_pr: etree._Element,
    *,
    page_w: int,
    page_h: int,
    margins: tuple[int, int, int, int],
    header: int,
    footer: int,
    line_pitch: int,
    page_start: int | None = 1,
) -> None:
    """Page size, margins (top, bottom, left, right), page numbering and a lines-only
    document grid.  Header/footer references already in ``sect_pr`` are kept.

    Not ``linesAndChars``: LibreOffice then gives each CJK glyph two cells."""
    keep = [c for c in sect_pr if c.tag in (qn("w:headerReference"), qn("w:footerReference"))]
    for child in list(sect_pr):
        sect_pr.remove(child)
    sect_pr.extend(keep)
    top, bottom, left, right = margins
    start = f'<w:pgNumType w:start="{page_start}"/>' if page_start is not None else ""
    xml = (
        f"<w:x {_NSDECL}>"
        f'<w:pgSz w:w="{page_w}" w:h="{page_h}"/>'
        f'<w:pgMar w:top="{top}" w:right="{right}" w:bottom="{bottom}" w:left="{left}" '
        f'w:header="{header}" w:footer="{footer}" w:gutter="0"/>'
        f'{start}<w:cols w:space="425"/>'
        f'<w:docGrid w:type="lines" w:linePitch="{line_pitch}"/></w:x>'
    )
    sect_pr.extend(list(parse_xml(xml)))
