"""The user's messages for the file readers' errors, in the current language.

:mod:`oeuvre.interop` knows nothing of Django: its errors carry a stable ``code``, ``params`` and where
the problem is (file or sheet, line or row, field). This module turns them into French or English
sentences for the pages, the API and the CLI.
"""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.mpp import MppUnavailable

__all__ = ["file_error_message", "file_error_messages", "mpp_unavailable_message", "row_label"]

_MESSAGES: dict[str, Promise] = {
    "empty": gettext_lazy("The file is empty."),
    "too_large": gettext_lazy("The file is larger than %(limit_mib)s MiB."),
    "too_many_rows": gettext_lazy("The file has more than %(limit)s rows."),
    "not_xml": gettext_lazy("This is not an XML file."),
    "xml_syntax": gettext_lazy("The XML is not well formed (%(detail)s)."),
    "xml_entities": gettext_lazy(
        "Documents that declare a DTD (<!DOCTYPE …>) are refused: MS Project never writes one, and it could "
        "carry external entities."
    ),
    "not_mspdi": gettext_lazy("The root element is <%(root)s>, not the <Project> of an MS Project XML file."),
    "not_xlsx": gettext_lazy("This is not an Excel workbook (.xlsx)."),
    "zip_bomb": gettext_lazy(
        "The workbook would expand far beyond its size (part %(member)s; a zip bomb?): it was refused."
    ),
    "wrong_magic": gettext_lazy("The workbook is damaged or is not a real .xlsx file: it was refused."),
    "unreadable": gettext_lazy("The workbook cannot be opened (%(detail)s)."),
    "missing_columns": gettext_lazy("Missing column(s): %(columns)s. The header has: %(header)s."),
    "not_number": gettext_lazy("« %(value)s » is not a number."),
    "not_finite": gettext_lazy("« %(value)s » is not a finite number."),
    "not_date": gettext_lazy("« %(value)s » is not a date (write 2026-03-02 or 02/03/2026)."),
    "not_duration": gettext_lazy("« %(value)s » is not a duration."),
    "negative": gettext_lazy("« %(value)s » must not be negative."),
    "missing_value": gettext_lazy("This value is required."),
    "unknown_value": gettext_lazy("Unknown value « %(value)s »."),
    "no_uid": gettext_lazy("This element has no UID."),
    "duplicate_uid": gettext_lazy("Two tasks have the UID %(uid)s."),
    "unknown_predecessor": gettext_lazy("Task %(task)s follows task %(predecessor)s, which is not in the file."),
    "assignment_incomplete": gettext_lazy("An assignment needs a TaskUID and a ResourceUID."),
    "assignment_unknown_task": gettext_lazy("An assignment names task %(task)s, which is not in the file."),
    "task_no_name": gettext_lazy("Task %(task)s has no name."),
    "effort_in_hours": gettext_lazy("%(value)s person-days in one day: efforts are in days, not hours."),
    "duplicate_code": gettext_lazy("The code « %(code)s » is used twice."),
    "unknown_constraint": gettext_lazy("Unknown constraint « %(value)s »: use SNET, FNLT, MSO or leave it empty."),
    "constraint_needs_date": gettext_lazy("The constraint %(constraint)s needs a date."),
    "bad_predecessor": gettext_lazy(
        "Cannot read the predecessor « %(value)s »: write for example T-001 or T-002:SS+2."
    ),
    "unknown_code": gettext_lazy("Unknown predecessor « %(code)s »."),
    "unsupported": gettext_lazy(
        "Unknown file type %(suffix)s: give MS Project XML (.xml), .mpp or the plan workbook (.xlsx)."
    ),
    "mpxj_timeout": gettext_lazy("MPXJ did not finish reading the file within %(seconds)s s."),
    "mpxj_failed": gettext_lazy("MPXJ cannot read this file (%(detail)s)."),
}

_MPP: dict[str, Promise] = {
    "no_mpxj": gettext_lazy(
        "Reading .mpp files needs the optional MPXJ package: install Œuvre with the « mpp » extra "
        "(pip install 'oeuvre[mpp]'), or save the plan from MS Project as XML."
    ),
    "no_mpxj_jars": gettext_lazy(
        "The MPXJ package is installed but its Java libraries are missing: reinstall the « mpp » extra."
    ),
    "no_java": gettext_lazy(
        "Reading .mpp files needs Java (MPXJ is a Java library): install a Java runtime 11 or later, or save "
        "the plan from MS Project as XML."
    ),
}


def file_error_message(error: FileFormatError) -> str:
    """« plan.xml, line 12, field « Duration » : … » in the current language."""
    template = _MESSAGES.get(error.code)
    try:
        message = str(template) % error.params if template is not None else error.message
    except (KeyError, TypeError, ValueError):
        message = error.message
    where: list[str] = [error.source] if error.source else []
    if error.line is not None:
        where.append(_("line %(n)s") % {"n": error.line})
    if error.row is not None:
        where.append(_("row %(n)s") % {"n": error.row})
    if error.field:
        where.append(_("field « %(name)s »") % {"name": error.field})
    return _("%(where)s: %(message)s") % {"where": ", ".join(where), "message": message} if where else message


def file_error_messages(error: FileFormatError, limit: int = 50) -> list[str]:
    """Every problem a reader reported (the time-entry CSV reports them all), first ``limit`` of them."""
    errors = getattr(error, "errors", None) or [error]
    return [file_error_message(e) for e in errors[:limit]]


def mpp_unavailable_message(error: MppUnavailable) -> str:
    template = _MPP.get(getattr(error, "code", ""))
    return str(template) if template is not None else str(error)


_ROW_KEY = re.compile(r"^row (?P<row>\d+)(?:, (?P<field>\w+))?$")


def row_label(key: str) -> str:
    """The page's wording of an error key the services give per row (« row 5, person »)."""
    match = _ROW_KEY.match(key)
    if match is None:
        return key
    label = _("row %(n)s") % {"n": match.group("row")}
    if match.group("field"):
        label += ", " + _("field « %(name)s »") % {"name": match.group("field")}
    return label
