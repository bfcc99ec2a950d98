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
import re
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
    "CHAPTER_COLUMN",
    "CHAPTER_SEPARATOR",
    "IDENTIFIER_COLUMN",
    "TITLE_ATTRIBUTES",
    "TITLE_COLUMN",
    "TYPE_COLUMN",
    "ReqifDocument",
    "ReqifExportItem",
    "ReqifRelation",
    "read_reqif",
    "relation_kind",
    "short_title",
    "write_reqif",
]

IDENTIFIER_COLUMN = "ReqIF IDENTIFIER"
TYPE_COLUMN = "ReqIF type"
TITLE_COLUMN = "ReqIF title"  # ReqIF.Name, else ReqIF.ChapterName, else the text's first sentence
CHAPTER_COLUMN = "ReqIF chapter"  # the headings above the object in the SPECIFICATION tree, " > " between levels
CHAPTER_SEPARATOR = " > "
TITLE_LIMIT = 300
DERIVED_TITLE_LIMIT = 120
# Attributes that hold a title, most specific first (ReqIF's standard names, then DOORS, Enterprise Architect…).
TITLE_ATTRIBUTES = ("ReqIF.Name", "ReqIF.ChapterName", "Object Heading", "Name", "Title", "Heading", "Summary")


@dataclass
class ReqifRelation:
    source: str  # SPEC-OBJECT identifiers
    target: str
    kind: str  # what the relation type means: refines, satisfies, derives… or its name when unknown
    name: str = ""  # the relation type's LONG-NAME as the file gives it


@dataclass
class ReqifDocument:
    table: Table
    relations: list[ReqifRelation] = field(default_factory=list)
    title: str = ""
    tool: str = ""
    headings: int = 0  # objects read as chapters, not requirements


# ReqIF relation type names as tools write them -> the kind they mean. A name that matches none is kept as is.
_RELATION_WORDS: dict[str, tuple[str, ...]] = {
    "refines": ("refine", "refines", "refined by", "is refined by", "parent", "child", "decomposes", "contains"),
    "satisfies": ("satisfy", "satisfies", "satisfied by", "is satisfied by", "fulfils", "fulfills", "implements"),
    "derives": ("derive", "derives", "derived", "derived from", "derives from", "is derived from", "derivation"),
    "depends": ("depend", "depends", "depends on", "dependency", "requires", "uses"),
    "verifies": ("verify", "verifies", "verified by", "is verified by", "tests", "tested by", "validates"),
    "traces": ("trace", "traces", "trace to", "traces to", "link", "links", "relation", "related", "relates to"),
    "conflicts": ("conflict", "conflicts", "conflicts with"),
}
_RELATION_KEYS = {word: kind for kind, words in _RELATION_WORDS.items() for word in words}
_HEADING_TYPES = re.compile(r"heading|chapter|section|titre|chapitre|kapitel|überschrift|folder", re.IGNORECASE)


_NCNAME = re.compile(r"[A-Za-z_][\w.\-]*")


def _ncname(identifier: str) -> str:
    """An identifier as XML Schema's ID wants it (RMF writes bare UUIDs that start with a digit): kept when valid,
    else prefixed with "_" and its other characters replaced, the same way on every read so a re-import matches."""
    if _NCNAME.fullmatch(identifier):
        return identifier
    return "_" + re.sub(r"[^\w.\-]", "_", identifier)


def relation_kind(name: str) -> str:
    """The kind a relation type's name means (``"Satisfied By"`` → ``satisfies``); an unknown name is kept."""
    plain = " ".join(re.sub(r"[^a-z]+", " ", name.lower().replace("reqif.", "")).split())
    return _RELATION_KEYS.get(plain, name)


def _one_line(text: str) -> str:
    """Markdown to one plain line: no emphasis markers, list bullets, heading marks or table bars."""
    text = re.sub(r"(\*\*|__|`)", "", text)
    text = re.sub(r"^\s*(#+|[-*+>]|\|)\s*", "", text, flags=re.MULTILINE)
    return " ".join(text.replace("|", " ").split())


def short_title(text: str, limit: int = DERIVED_TITLE_LIMIT) -> str:
    """A title from a text: its first sentence (or line), cut at a word under ``limit`` characters with "…"."""
    first = ""
    for line in text.strip().splitlines():
        if line.strip() and not re.fullmatch(r"[\s|:-]+", line):
            first = _one_line(line)
            break
    match = re.search(r"(?<=[.!?;:])\s", first)
    if match and match.start() >= 10:
        first = first[: match.start()].rstrip(".;: ")
    if len(first) <= limit:
        return first
    cut = first[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


@dataclass
class _Object:
    identifier: str
    type_name: str
    values: dict[str, Cell]
    kinds: dict[str, str]


@dataclass
class _Part:
    objects: dict[str, _Object]
    order: list[tuple[str, tuple[str, ...]]]  # (identifier, chapter path) in the specifications' order
    headings: set[str]
    relations: list[ReqifRelation]
    title: str
    tool: str


def _members(data: bytes, limits: Limits) -> list[tuple[str, bytes]]:
    archive = check_zip(data, limits)
    names = sorted(n for n in archive.namelist() if n.lower().endswith(".reqif"))
    if not names:
        raise FileFormatError("the .reqifz archive holds no .reqif file", code="no_reqif")
    parts = []
    for name in names:
        with archive.open(name) as member:
            parts.append((name, member.read(limits.max_unzipped_bytes + 1)))
    return parts


def read_reqif(data: bytes, *, zipped: bool = False, limits: Limits = DEFAULT_LIMITS) -> ReqifDocument:
    """Parse a ``.reqif`` (or ``.reqifz`` when ``zipped``: every ``.reqif`` it holds) into a table and relations.

    One row per requirement, in the order of the SPECIFICATION trees; objects that are headings (a chapter name and
    no text, or a heading type without text, or an empty object with children) are not rows but give the
    ``ReqIF chapter`` column of the rows below them.
    """
    check_magic(data, "reqifz" if zipped else "reqif", limits)
    members = _members(data, limits) if zipped else [("", data)]
    parts = [_read_part(content, name) for name, content in members]
    objects: dict[str, _Object] = {}
    order: list[tuple[str, tuple[str, ...]]] = []
    headings: set[str] = set()
    relations: list[ReqifRelation] = []
    for part in parts:
        objects.update(part.objects)
        order.extend(part.order)
        headings |= part.headings
        relations.extend(part.relations)
    columns: list[str] = [IDENTIFIER_COLUMN, TYPE_COLUMN, TITLE_COLUMN]
    chapters = any(path for _identifier, path in order if path)
    if chapters:
        columns.append(CHAPTER_COLUMN)
    records: list[dict[str, Cell]] = []
    for identifier, path in order:
        if identifier in headings:
            continue
        obj = objects[identifier]
        record: dict[str, Cell] = {
            IDENTIFIER_COLUMN: identifier,
            TYPE_COLUMN: obj.type_name,
            TITLE_COLUMN: _title(obj),
        }
        if chapters:
            record[CHAPTER_COLUMN] = CHAPTER_SEPARATOR.join(path)
        for name, value in obj.values.items():
            record[name] = value
            if name not in columns:
                columns.append(name)
        records.append(record)
    table = Table(columns=columns, header_row=0)
    for index, record in enumerate(records, start=1):
        table.rows.append(Row(number=index, cells=[record.get(c) for c in columns]))
    return ReqifDocument(
        table=table,
        relations=relations,
        title=" / ".join(p.title for p in parts if p.title),
        tool=next((p.tool for p in parts if p.tool), ""),
        headings=len(headings),
    )


def _text_of(obj: _Object, name: str) -> str:
    value = obj.values.get(name)
    return "" if value is None else str(value).strip()


def _title(obj: _Object) -> str:
    names = {name.lower(): name for name in obj.values}
    for wanted in TITLE_ATTRIBUTES:
        text = _one_line(_text_of(obj, names.get(wanted.lower(), wanted)))
        if text:
            return text if len(text) <= TITLE_LIMIT else short_title(text, TITLE_LIMIT)
    text = _text_of(obj, "ReqIF.Text") or next(
        (str(v) for n, v in obj.values.items() if obj.kinds.get(n) in {"XHTML", "STRING"} and str(v or "").strip()),
        "",
    )
    return short_title(text) or obj.identifier


def _is_heading(obj: _Object, has_children: bool) -> bool:
    """A chapter rather than a requirement: a heading type (Polarion's "Heading", StrictDoc's "SECTION"), a chapter
    name without text (DOORS, ReqIF Studio), a chapter name over children, or an empty object over children."""
    if _HEADING_TYPES.search(obj.type_name):
        return True
    chapter = _text_of(obj, "ReqIF.ChapterName")
    text = _text_of(obj, "ReqIF.Text")
    if chapter and (not text or has_children):
        return True
    return has_children and not any(str(v or "").strip() for v in obj.values.values())


def _read_part(data: bytes, member: str) -> _Part:
    check_xml(data)
    # Well-formedness first, with a parser that can neither resolve entities nor reach the network,
    # so that the error names a line.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    where = f"{member}: " if member else ""
    try:
        etree.parse(io.BytesIO(data), parser)
    except etree.XMLSyntaxError as exc:
        raise FileFormatError(
            f"{where}the XML is not well formed: {exc.msg}", code="xml_syntax", line=exc.lineno
        ) from None
    from reqif.parser import ReqIFParser

    try:
        text = data.decode("utf-8-sig")
        bundle = ReqIFParser.parse_from_string(text)
    except UnicodeDecodeError:
        raise FileFormatError("ReqIF files must be UTF-8", code="encoding") from None
    except Exception as exc:  # the package raises assorted exception types on invalid content
        raise FileFormatError(f"{where}this is not a valid ReqIF document: {exc}", code="reqif_invalid") from None
    content = bundle.core_content.req_if_content if bundle.core_content else None
    if content is None:
        raise FileFormatError(f"{where}the ReqIF document has no content", code="reqif_invalid")

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

    objects: dict[str, _Object] = {}
    for spec_object in content.spec_objects or []:
        values: dict[str, Cell] = {}
        kinds: dict[str, str] = {}
        for attribute in spec_object.attributes:
            name = attribute_names.get(attribute.definition_ref, attribute.definition_ref)
            values[name] = _value(attribute, enum_labels)
            kinds[name] = str(getattr(attribute.attribute_type, "name", attribute.attribute_type))
        type_ref = spec_object.spec_object_type
        identifier = _ncname(spec_object.identifier)
        objects[identifier] = _Object(identifier, type_names.get(type_ref, type_ref or ""), values, kinds)

    order: list[tuple[str, tuple[str, ...]]] = []
    headings: set[str] = set()
    placed: set[str] = set()
    specifications = content.specifications or []

    def walk(nodes: list[Any], path: tuple[str, ...]) -> None:
        for node in nodes:
            obj = objects.get(_ncname(node.spec_object or ""))
            if obj is None or obj.identifier in placed:
                continue
            placed.add(obj.identifier)
            children = node.children or []
            if _is_heading(obj, bool(children)):
                headings.add(obj.identifier)
                here = (*path, _title(obj).replace(CHAPTER_SEPARATOR, " - "))
                order.append((obj.identifier, here))
                walk(children, here)
            else:
                order.append((obj.identifier, path))
                walk(children, path)

    for specification in specifications:
        top = (specification.long_name or specification.identifier,) if len(specifications) > 1 else ()
        walk(specification.children or [], top)
    order.extend((identifier, ()) for identifier in objects if identifier not in placed)

    relations = [
        ReqifRelation(
            source=_ncname(relation.source or ""),
            target=_ncname(relation.target or ""),
            kind=relation_kind(type_names.get(relation.relation_type_ref, relation.relation_type_ref or "")),
            name=type_names.get(relation.relation_type_ref, relation.relation_type_ref or ""),
        )
        for relation in content.spec_relations or []
    ]
    header = bundle.req_if_header
    return _Part(
        objects=objects,
        order=order,
        headings=headings,
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


ExtraValue = str | int | float | bool


@dataclass
class ReqifExportItem:
    identifier: str  # stable across exports: re-importing updates rather than duplicates
    reference: str
    title: str
    text: str  # Markdown, exported as XHTML
    enums: dict[str, str] = field(default_factory=dict)  # attribute name -> value key (e.g. "Type": "securite")
    strings: dict[str, str] = field(default_factory=dict)  # further string attributes
    chapter: str = ""  # chapter path, CHAPTER_SEPARATOR between levels: written as heading objects above the item
    extras: dict[str, ExtraValue] = field(default_factory=dict)  # attributes read from another tool, written back


def _id(prefix: str, name: str) -> str:
    return f"_{prefix}-{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def write_reqif(
    items: list[ReqifExportItem],
    relations: list[ReqifRelation],
    *,
    title: str,
    enum_values: dict[str, list[tuple[str, str]]],
    string_attributes: list[str] | None = None,
    tool: str = "Œuvre",
) -> bytes:
    """A ReqIF 1.2 document of ``items`` that validates against the schema in strict mode.

    ``enum_values`` maps an enumeration attribute to (key, label) pairs. Chapters become heading objects
    (``ReqIF.ChapterName``) of their own type, the items their children, in the items' order. Extra attributes
    are written with the type their value has (string, integer, real, boolean).
    """
    from reqif.models.reqif_core_content import ReqIFCoreContent
    from reqif.models.reqif_data_type import (
        ReqIFDataTypeDefinitionBoolean,
        ReqIFDataTypeDefinitionEnumeration,
        ReqIFDataTypeDefinitionInteger,
        ReqIFDataTypeDefinitionReal,
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

    string_attributes = string_attributes or []
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")
    string_type = ReqIFDataTypeDefinitionString(
        identifier=_id("DT", "string"), long_name="T_String", max_length="32000", last_change=now
    )
    xhtml_type = ReqIFDataTypeDefinitionXHTML(identifier=_id("DT", "xhtml"), long_name="T_XHTML", last_change=now)
    integer_type = ReqIFDataTypeDefinitionInteger(
        identifier=_id("DT", "integer"),
        long_name="T_Integer",
        max_value="9223372036854775807",
        min_value="-9223372036854775808",
        last_change=now,
    )
    real_type = ReqIFDataTypeDefinitionReal(
        identifier=_id("DT", "real"),
        long_name="T_Real",
        accuracy=10,
        max_value="1.0E300",
        min_value="-1.0E300",
        last_change=now,
        is_self_closed=True,
    )
    boolean_type = ReqIFDataTypeDefinitionBoolean(
        identifier=_id("DT", "boolean"), long_name="T_Boolean", last_change=now
    )
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
                    identifier=value_id, key=str(position), long_name=label, last_change=now, other_content=""
                )
            )
        enum_types[attribute] = ReqIFDataTypeDefinitionEnumeration(
            identifier=_id("DT", f"enum:{attribute}"), long_name=f"T_{attribute}", values=enum_items, last_change=now
        )
        data_types.append(enum_types[attribute])

    definitions: dict[str, Any] = {}

    def define(name: str, kind: Any, datatype: str, scope: str = "requirement") -> Any:
        definition = SpecAttributeDefinition(
            attribute_type=kind,
            identifier=_id("AD", f"{scope}:{name}" if scope != "requirement" else name),
            datatype_definition=datatype,
            long_name=name,
            last_change=now,
            multi_valued=False if kind == T.ENUMERATION else None,
        )
        if scope == "requirement":
            definitions[name] = definition
        return definition

    define("ReqIF.ForeignID", T.STRING, string_type.identifier)
    define("ReqIF.Name", T.STRING, string_type.identifier)
    define("ReqIF.Text", T.XHTML, xhtml_type.identifier)
    for name in string_attributes:
        define(name, T.STRING, string_type.identifier)
    for name, enum_type in enum_types.items():
        define(name, T.ENUMERATION, enum_type.identifier)
    # Extra attributes: one definition per name, typed by its values (any string among them makes it a string).
    extra_kinds: dict[str, Any] = {}
    typed = {T.INTEGER: integer_type, T.REAL: real_type, T.BOOLEAN: boolean_type, T.STRING: string_type}
    for item in items:
        for name, value in item.extras.items():
            if name in definitions and name not in extra_kinds:
                continue  # an extra attribute named like one we write: ours wins
            kind = (
                T.BOOLEAN
                if isinstance(value, bool)
                else T.INTEGER
                if isinstance(value, int)
                else T.REAL
                if isinstance(value, float)
                else T.STRING
            )
            previous = extra_kinds.get(name)
            if previous is not None and previous != kind:
                kind = T.REAL if {previous, kind} == {T.INTEGER, T.REAL} else T.STRING
            extra_kinds[name] = kind
    for name, kind in extra_kinds.items():
        define(name, kind, typed[kind].identifier)
        if typed[kind] not in data_types:
            data_types.append(typed[kind])
    object_type = ReqIFSpecObjectType(
        identifier=_id("SOT", "requirement"),
        long_name="Requirement",
        attribute_definitions=list(definitions.values()),
        last_change=now,
    )
    chapter_name = define("ReqIF.ChapterName", T.STRING, string_type.identifier, scope="heading")
    heading_type = ReqIFSpecObjectType(
        identifier=_id("SOT", "heading"), long_name="Heading", attribute_definitions=[chapter_name], last_change=now
    )
    relation_names = sorted({r.name or r.kind for r in relations})
    relation_types = {
        name: ReqIFSpecRelationType(identifier=_id("SRT", name), long_name=name, last_change=now)
        for name in relation_names
    }
    specification_type = ReqIFSpecificationType(identifier=_id("ST", "document"), long_name="Document", last_change=now)

    def extra_value(kind: Any, value: ExtraValue) -> str:
        if kind == T.BOOLEAN:
            return "true" if value else "false"
        if kind == T.REAL:
            return repr(float(value))
        return _keep_breaks(str(value))

    spec_objects: list[Any] = []
    top: list[Any] = []
    chapters: dict[tuple[str, ...], Any] = {}

    def chapter_node(path: tuple[str, ...]) -> Any:
        node = chapters.get(path)
        if node is not None:
            return node
        parent = chapter_node(path[:-1]) if len(path) > 1 else None
        identifier = _id("CH", f"{title}:{CHAPTER_SEPARATOR.join(path)}")
        spec_objects.append(
            ReqIFSpecObject(
                identifier=identifier,
                attributes=[SpecObjectAttribute(T.STRING, chapter_name.identifier, path[-1])],
                spec_object_type=heading_type.identifier,
                last_change=now,
            )
        )
        node = ReqIFSpecHierarchy(
            identifier=_id("SH", identifier), spec_object=identifier, level=len(path), last_change=now, children=[]
        )
        node.is_self_closed = False
        (parent.children if parent is not None else top).append(node)
        chapters[path] = node
        return node

    for item in items:
        attributes = [
            SpecObjectAttribute(T.STRING, definitions["ReqIF.ForeignID"].identifier, item.reference),
            SpecObjectAttribute(T.STRING, definitions["ReqIF.Name"].identifier, item.title),
            SpecObjectAttribute(T.XHTML, definitions["ReqIF.Text"].identifier, markdown_to_xhtml(item.text)),
        ]
        for name in string_attributes:
            if item.strings.get(name):
                attributes.append(
                    SpecObjectAttribute(T.STRING, definitions[name].identifier, _keep_breaks(item.strings[name]))
                )
        for name in enum_types:
            key = item.enums.get(name, "")
            if key and (name, key) in enum_value_ids:
                attributes.append(
                    SpecObjectAttribute(T.ENUMERATION, definitions[name].identifier, [enum_value_ids[(name, key)]])
                )
        for name, value in item.extras.items():
            kind = extra_kinds.get(name)
            if kind is not None and value not in (None, ""):
                attributes.append(SpecObjectAttribute(kind, definitions[name].identifier, extra_value(kind, value)))
        spec_objects.append(
            ReqIFSpecObject(
                identifier=item.identifier,
                attributes=attributes,
                spec_object_type=object_type.identifier,
                last_change=now,
                long_name=item.reference,
            )
        )
        path = tuple(p for p in item.chapter.split(CHAPTER_SEPARATOR) if p.strip()) if item.chapter else ()
        parent = chapter_node(path) if path else None
        leaf = ReqIFSpecHierarchy(
            identifier=_id("SH", item.identifier),
            spec_object=item.identifier,
            level=len(path) + 1,
            last_change=now,
            is_self_closed=False,
        )
        (parent.children if parent is not None else top).append(leaf)
    spec_relations = [
        ReqIFSpecRelation(
            identifier=_id("SR", f"{r.source}:{r.name or r.kind}:{r.target}"),
            relation_type_ref=relation_types[r.name or r.kind].identifier,
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
        children=top,
        last_change=now,
    )
    object_types = [object_type, heading_type] if chapters else [object_type]
    content = ReqIFReqIFContent(
        data_types=data_types,
        spec_types=[*object_types, *relation_types.values(), specification_type],
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
    for mark, reference in _BREAK_REFERENCES.items():
        xml = xml.replace(mark, reference)
    return xml.encode("utf-8")


# A string value is written in an XML attribute (THE-VALUE), where a parser turns line breaks and tabs into
# spaces unless they are character references. The unparser escapes "&", so the breaks go through it as
# private-use characters, replaced by their references afterwards.
_BREAK_MARKS = {"\r\n": "\ue00a", "\n": "\ue00a", "\r": "\ue00d", "\t": "\ue009"}
_BREAK_REFERENCES = {"\ue00a": "&#10;", "\ue00d": "&#13;", "\ue009": "&#9;"}


def _keep_breaks(text: str) -> str:
    for char, mark in _BREAK_MARKS.items():
        text = text.replace(char, mark)
    return text
