"""Validate every XML part of a .docx against the ECMA-376 transitional schemas (tests/word/xsd).

Markup compatibility (ECMA-376 Part 3) is applied first, as a consumer does:
``mc:AlternateContent`` is replaced by its ``mc:Fallback``, and elements and attributes in
the namespaces ``mc:Ignorable`` lists (w14, w15 …, which these schemas do not cover) are
dropped.
"""

from __future__ import annotations

import functools
import zipfile
from pathlib import Path

from lxml import etree

XSD = Path(__file__).with_name("xsd")
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# Addresses the Dublin Core schemas are imported by, mapped to the local copies.
_LOCAL = {
    "http://www.w3.org/2001/03/xml.xsd": "dc/xml.xsd",
    "http://www.w3.org/2001/xml.xsd": "dc/xml.xsd",
    "http://dublincore.org/schemas/xmls/qdc/2003/04/02/dc.xsd": "dc/dc.xsd",
    "http://dublincore.org/schemas/xmls/qdc/2003/04/02/dcterms.xsd": "dc/dcterms.xsd",
    "http://dublincore.org/schemas/xmls/qdc/2003/04/02/dcmitype.xsd": "dc/dcmitype.xsd",
}
_ENTRIES = {  # namespace → its entry schema
    "http://www.w3.org/XML/1998/namespace": "dc/xml.xsd",
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main": "wml.xsd",
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties":
        "shared-documentPropertiesExtended.xsd",
    "http://schemas.openxmlformats.org/package/2006/content-types":
        "opc-xsd/opc-contentTypes.xsd",
    "http://schemas.openxmlformats.org/package/2006/metadata/core-properties":
        "opc-xsd/opc-coreProperties.xsd",
    "http://schemas.openxmlformats.org/package/2006/relationships":
        "opc-xsd/opc-relationships.xsd",
}


class _Resolver(etree.Resolver):
    def resolve(self, url, pubid, context):
        if url in _LOCAL:
            return self.resolve_filename(str(XSD / _LOCAL[url]), context)
        if url.startswith("http"):
            raise OSError(f"schema not available offline: {url}")
        return None


@functools.cache
def schema() -> etree.XMLSchema:
    """One driver schema importing each namespace's entry file."""
    imports = "".join(
        f'<xsd:import namespace="{ns}" schemaLocation="{loc}"/>' for ns, loc in _ENTRIES.items()
    )
    driver = (
        '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        f'targetNamespace="urn:kit:driver">{imports}</xsd:schema>'
    )
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_Resolver())
    doc = etree.fromstring(driver.encode(), parser, base_url=str(XSD / "driver.xsd"))
    return etree.XMLSchema(etree.ElementTree(doc))


def apply_markup_compatibility(root: etree._Element) -> etree._Element:
    """Fallbacks for AlternateContent; ignorable namespaces dropped (ECMA-376 Part 3)."""
    ignorable = {
        root.nsmap.get(prefix)
        for el in root.iter()
        if isinstance(el.tag, str)
        for prefix in (el.get(f"{{{MC}}}Ignorable") or "").split()
    }
    ignorable.discard(None)
    for alt in list(root.iter(f"{{{MC}}}AlternateContent")):
        fallback = alt.find(f"{{{MC}}}Fallback")
        parent = alt.getparent()
        at = parent.index(alt)
        parent.remove(alt)
        for child in reversed(list(fallback) if fallback is not None else []):
            parent.insert(at, child)
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if etree.QName(el).namespace in ignorable and el.getparent() is not None:
            el.getparent().remove(el)
            continue
        for name in list(el.attrib):
            if etree.QName(name).namespace in ignorable | {MC}:
                del el.attrib[name]
    return root


def part_errors(name: str, data: bytes) -> list[str]:
    """Schema errors of one part ("" list when valid)."""
    root = apply_markup_compatibility(etree.fromstring(data))
    sch = schema()
    if sch.validate(root):
        return []
    return [f"{name}:{e.line}: {e.message}" for e in sch.error_log]


def docx_errors(path: str | Path) -> list[str]:
    """Errors of every XML part (``*.xml``, ``*.rels``) of the package at ``path``."""
    errors: list[str] = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                errors += part_errors(name, zf.read(name))
    return errors
