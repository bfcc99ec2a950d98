"""An iCalendar (RFC 5545) feed of milestones (and other dated events: committees), for Outlook, Thunderbird and
any calendar client.

Each event is an all-day event (``DTSTART;VALUE=DATE``, ``DTEND`` the next day) with a stable UID,
so a client that subscribes to the feed updates the event when the milestone moves instead of adding
a second one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["MilestoneEvent", "milestones_ics"]


@dataclass(frozen=True)
class MilestoneEvent:
    """One all-day event: ``uid`` must stay the same across exports (e.g. ``task-42@project``).

    A milestone is a date, not a meeting: it stays free time (``TRANSP:TRANSPARENT``); a committee is a meeting
    (``busy``, shown as taken time) and may have a ``location``.
    """

    uid: str
    title: str
    day: dt.date
    description: str = ""
    categories: tuple[str, ...] = field(default_factory=tuple)
    url: str = ""
    location: str = ""
    busy: bool = False


def milestones_ics(
    name: str, events: Iterable[MilestoneEvent], *, stamp: dt.datetime, product: str = "-//Œuvre//Planning//FR"
) -> bytes:
    """Build the ``.ics`` bytes.

    Examples
    --------
    >>> data = milestones_ics("Jalons", [MilestoneEvent("m1@p", "Go-live", dt.date(2026, 6, 1))],
    ...                       stamp=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    >>> b"DTSTART;VALUE=DATE:20260601" in data, b"DTEND;VALUE=DATE:20260602" in data
    (True, True)
    """
    from icalendar import Calendar, Event  # here: the stages that only describe events do not pay for it at start-up

    calendar = Calendar()
    calendar.add("prodid", product)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp.astimezone(dt.UTC))
        event.add("dtstart", item.day)
        event.add("dtend", item.day + dt.timedelta(days=1))
        event.add("summary", item.title)
        event.add("transp", "OPAQUE" if item.busy else "TRANSPARENT")
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        if item.categories:
            event.add("categories", list(item.categories))
        if item.url:
            event.add("url", item.url)
        calendar.add_component(event)
    return bytes(calendar.to_ical())
