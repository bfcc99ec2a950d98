"""ReqIF in and out, on the ``reqif`` package, after the hostile-file checks.

Reading gives a :class:`~oeuvre.interop.tabular.Table` — one row per SPEC-OBJECT, one column per attribute
(by its LONG-NAME, as DOORS, Polarion, ReqIF Studio and Enterprise Architect name them), enumerations as
their labels, XHTML sanitised and turned into Markdown — plus the relations between objects. So a ReqIF
file goes through the same column mapping and dry run as a spreadsheet.

Writing builds a ReqIF 1.2 document (``.reqif``) of requirements, their attributes and relations, that
those tools and our own reader read back.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.safety import DEFAULT_LIMITS, Limits, check_magic, check_xml, check_zip
from oeuvre.interop.tabular import Cell, Row, Table
from oeuvre.interop.xhtml import markdown_to_xhtml, xhtml_to_markdown

__all__ = [
    "IDENTIFIER_COLUMN",
    "TYPE_COLUMN",
    "ReqifDocument",
    "ReqifExportItem",
    "ReqifRelation",
    "read_reqif",
    "write_reqif",
]

IDENTIFIER_COLUMN = "ReqIF IDENTIFIER"
TYPE_COLUMN = "ReqIF type"


@dataclass
class ReqifRelation:
    source: str  # SPEC-OBJECT identifiers
    target: str
    kind: str  # the relation type's LONG-NAME


@dataclass
class ReqifDocument:
    table: Table
    relations: list[ReqifRelation] = field(default_factory=list)
    title: str = ""
    tool: str = ""


def _unzip_reqifz(data: bytes, limits: Limits) -> bytes:
    archive = check_zip(data, limits)
    names = [n for n in archive.namelist() if n.lower().endswith(".reqif")]
    if not names:
        raise FileFormatError("the .reqifz archive holds no .reqif file", code="no_reqif")
    with archive.open(names[0]) as member:
        return member.read(limits.max_unzipped_bytes + 1)


def read_reqif(data: bytes, *, zipped: bool = False, limits: Limits = DEFAULT_LIMITS) -> ReqifDocument:
    """Parse a ``.reqif`` (or ``.reqifz`` when ``zipped``) file into a table and its relations."""
    check_magic(data, "reqifz" if zipped else "reqif", limits)
    if zipped:
        data = _unzip_reqifz(data, limits)
    check_xml(data)
    # Well-formedness first, with a parser that can neither resolve entities nor reach the network,
    # so that the error names a line.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        etree.parse(io.BytesIO(data), parser)
    except etree.XMLSyntaxError as exc:
        raise FileFormatError(f"the XML is not well formed: {exc.msg}", code="xml_syntax", line=exc.lineno) from None
    from reqif.parser import ReqIFParser

    try:
        text = data.decode("utf-8-sig")
        bundle = ReqIFParser.parse_from_string(text)
    except UnicodeDecodeError:
        raise FileFormatError("ReqIF files must be UTF-8", code="encoding") from None
    except Exception as exc:  # the package raises assorted exception types on invalid content
        raise FileFormatError(f"this is not a valid ReqIF document: {exc}", code="reqif_invalid") from None
    content = bundle.core_content.req_if_content if bundle.core_content else None
    if content is None:
        raise FileFormatError("the ReqIF document has no content", code="reqif_invalid")

    enum_labels: dict[str, str] = {}
    for data_type in content.data_types or []:
        for value in getattr(data_type, "values", None) or []:
            enum_labels[value.identifier] = value.long_name or value.key or value.identifier
    attribute_names: dict[str, str] = {}
    type_names: dict[str, str] = {}
    for spec_type in content.spec_types or []:
        type_names[spec_type.identifier] = spec_type.long_name or spec_type.identifier
        definitions = getattr(spec_type, "attribute_definitions", None) or getattr(spec_type, "spec_attributes", None)
        for definition in definitions or []:
            attribute_names[definition.identifier] = definition.long_name or definition.identifier

    columns: list[str] = [IDENTIFIER_COLUMN, TYPE_COLUMN]
    records: list[dict[str, Cell]] = []
    for spec_object in content.spec_objects or []:
        record: dict[str, Cell] = {
            IDENTIFIER_COLUMN: spec_object.identifier,
            TYPE_COLUMN: type_names.get(spec_object.spec_object_type, spec_object.spec_object_type),
        }
        for attribute in spec_object.attributes:
            name = attribute_names.get(attribute.definition_ref, attribute.definition_ref)
            record[name] = _value(attribute, enum_labels)
            if name not in columns:
                columns.append(name)
        records.append(record)
    table = Table(columns=columns, header_row=0)
    for index, record in enumerate(records, start=1):
        table.rows.append(Row(number=index, cells=[record.get(c) for c in columns]))

    relations: list[ReqifRelation] = []
    for relation in content.spec_relations or []:
        relations.append(
            ReqifRelation(
                source=relation.source,
                target=relation.target,
                kind=type_names.get(relation.relation_type_ref, relation.relation_type_ref),
            )
        )
    header = bundle.req_if_header
    return ReqifDocument(
        table=table,
        relations=relations,
        title=(header.title or "") if header else "",
        tool=(header.source_tool_id or header.req_if_tool_id or "") if header else "",
    )


def _value(attribute: Any, enum_labels: dict[str, str]) -> Cell:
    from reqif.models.reqif_types import SpecObjectAttributeType as T

    kind = attribute.attribute_type
    value = attribute.value
    if kind == T.ENUMERATION:
        refs = value if isinstance(value, list) else [value]
        return ", ".join(enum_labels.get(str(ref), str(ref)) for ref in refs)
    if kind == T.XHTML:
        return xhtml_to_markdown(str(value))
    if kind == T.INTEGER:
        try:
            return int(value)
        except (TypeError, ValueError):
            return str(value)
    if kind == T.REAL:
        try:
            return float(value)
        except (TypeError, ValueError):
            return str(value)
    if kind == T.BOOLEAN:
        return str(value).lower() == "true"
    if kind == T.DATE:
        try:
            return datetime.fromisoformat(str(value)).date()
        except ValueError:
            return str(value)
    return "" if value is None else str(value)


@dataclass
class ReqifExportItem:
    identifier: str  # stable across exports: re-importing updates rather than duplicates
    reference: str
    title: str
    text: str  # Markdown, exported as XHTML
    enums: dict[str, str] = field(default_factory=dict)  # attribute name -> value key (e.g. "Type": "securite")
    strings: dict[str, str] = field(default_factory=dict)  # further string attributes (e.g. "Source")


def _id(prefix: str, name: str) -> str:
    return f"_{prefix}-{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def write_reqif(
    items: list[ReqifExportItem],
    relations: list[ReqifRelation],
    *,
    title: str,
    enum_values: dict[str, list[tuple[str, str]]],
    string_attributes: list[str],
    tool: str = "Œuvre",
) -> bytes:
    """A ReqIF document of ``items``; ``enum_values`` maps an enumeration attribute to (key, label) pairs."""
    from reqif.models.reqif_core_content import ReqIFCoreContent
    from reqif.models.reqif_data_type import (
        ReqIFDataTypeDefinitionEnumeration,
        ReqIFDataTypeDefinitionString,
        ReqIFDataTypeDefinitionXHTML,
        ReqIFEnumValue,
    )
    from reqif.models.reqif_namespace_info import ReqIFNamespaceInfo
    from reqif.models.reqif_req_if_content import ReqIFReqIFContent
    from reqif.models.reqif_reqif_header import ReqIFReqIFHeader
    from reqif.models.reqif_spec_hierarchy import ReqIFSpecHierarchy
    from reqif.models.reqif_spec_object import ReqIFSpecObject, SpecObjectAttribute
    from reqif.models.reqif_spec_object_type import ReqIFSpecObjectType, SpecAttributeDefinition
    from reqif.models.reqif_spec_relation import ReqIFSpecRelation
    from reqif.models.reqif_spec_relation_type import ReqIFSpecRelationType
    from reqif.models.reqif_specification import ReqIFSpecification
    from reqif.models.reqif_specification_type import ReqIFSpecificationType
    from reqif.models.reqif_types import SpecObjectAttributeType as T
    from reqif.object_lookup import ReqIFObjectLookup
    from reqif.reqif_bundle import ReqIFBundle
    from reqif.unparser import ReqIFUnparser

    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")
    string_type = ReqIFDataTypeDefinitionString(
        identifier=_id("DT", "string"), long_name="T_String", max_length="32000", last_change=now
    )
    xhtml_type = ReqIFDataTypeDefinitionXHTML(identifier=_id("DT", "xhtml"), long_name="T_XHTML", last_change=now)
    data_types: list[Any] = [string_type, xhtml_type]
    enum_value_ids: dict[tuple[str, str], str] = {}
    enum_types: dict[str, Any] = {}
    for attribute, values in enum_values.items():
        enum_items = []
        for position, (key, label) in enumerate(values):
            value_id = _id("EV", f"{attribute}:{key}")
            enum_value_ids[(attribute, key)] = value_id
            enum_items.append(
                ReqIFEnumValue(
                    identifier=value_id, key=str(position), long_name=label, last_change=now, other_content=None
                )
            )
        enum_types[attribute] = ReqIFDataTypeDefinitionEnumeration(
            identifier=_id("DT", f"enum:{attribute}"), long_name=f"T_{attribute}", values=enum_items, last_change=now
        )
        data_types.append(enum_types[attribute])

    definitions: dict[str, Any] = {}

    def define(name: str, kind: Any, datatype: str) -> None:
        definitions[name] = SpecAttributeDefinition(
            attribute_type=kind,
            identifier=_id("AD", name),
            datatype_definition=datatype,
            long_name=name,
            last_change=now,
        )

    define("ReqIF.ForeignID", T.STRING, string_type.identifier)
    define("ReqIF.Name", T.STRING, string_type.identifier)
    define("ReqIF.Text", T.XHTML, xhtml_type.identifier)
    for name in string_attributes:
        define(name, T.STRING, string_type.identifier)
    for name, enum_type in enum_types.items():
        define(name, T.ENUMERATION, enum_type.identifier)
    object_type = ReqIFSpecObjectType(
        identifier=_id("SOT", "requirement"),
        long_name="Requirement",
        attribute_definitions=list(definitions.values()),
        last_change=now,
    )
    relation_kinds = sorted({r.kind for r in relations})
    relation_types = {
        kind: ReqIFSpecRelationType(identifier=_id("SRT", kind), long_name=kind, last_change=now)
        for kind in relation_kinds
    }
    specification_type = ReqIFSpecificationType(identifier=_id("ST", "document"), long_name="Document", last_change=now)

    spec_objects = []
    hierarchy = []
    for item in items:
        attributes = [
            SpecObjectAttribute(T.STRING, definitions["ReqIF.ForeignID"].identifier, item.reference),
            SpecObjectAttribute(T.STRING, definitions["ReqIF.Name"].identifier, item.title),
            SpecObjectAttribute(T.XHTML, definitions["ReqIF.Text"].identifier, markdown_to_xhtml(item.text)),
        ]
        for name in string_attributes:
            if item.strings.get(name):
                attributes.append(SpecObjectAttribute(T.STRING, definitions[name].identifier, item.strings[name]))
        for name in enum_types:
            key = item.enums.get(name, "")
            if key and (name, key) in enum_value_ids:
                attributes.append(
                    SpecObjectAttribute(T.ENUMERATION, definitions[name].identifier, [enum_value_ids[(name, key)]])
                )
        spec_objects.append(
            ReqIFSpecObject(
                identifier=item.identifier,
                attributes=attributes,
                spec_object_type=object_type.identifier,
                last_change=now,
                long_name=item.reference,
            )
        )
        hierarchy.append(
            ReqIFSpecHierarchy(
                identifier=_id("SH", item.identifier),
                spec_object=item.identifier,
                level=1,
                last_change=now,
                is_self_closed=False,
            )
        )
    spec_relations = [
        ReqIFSpecRelation(
            identifier=_id("SR", f"{r.source}:{r.kind}:{r.target}"),
            relation_type_ref=relation_types[r.kind].identifier,
            source=r.source,
            target=r.target,
            last_change=now,
        )
        for r in relations
    ]
    specification = ReqIFSpecification(
        identifier=_id("SP", title),
        long_name=title,
        specification_type=specification_type.identifier,
        children=hierarchy,
        last_change=now,
    )
    content = ReqIFReqIFContent(
        data_types=data_types,
        spec_types=[object_type, *relation_types.values(), specification_type],
        spec_objects=spec_objects,
        spec_relations=spec_relations,
        specifications=[specification],
    )
    bundle = ReqIFBundle(
        namespace_info=ReqIFNamespaceInfo.create_default(),
        req_if_header=ReqIFReqIFHeader(
            identifier=_id("H", title),
            creation_time=now,
            req_if_tool_id=tool,
            req_if_version="1.0",
            source_tool_id=tool,
            title=title,
        ),
        core_content=ReqIFCoreContent(req_if_content=content),
        tool_extensions_tag_exists=False,
        lookup=ReqIFObjectLookup.empty(),
        exceptions=[],
    )
    xml: str = ReqIFUnparser.unparse(bundle)
    return xml.encode("utf-8")
