"""Untrusted XML goes through defusedxml only: no DTD entities, no external references, bounded size."""
from __future__ import annotations

from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from .limits import MAX_FILE_BYTES
from .models import ActivityFileError


def parse_xml(data: bytes, name: str) -> Element:
    if len(data) > MAX_FILE_BYTES:
        raise ActivityFileError(f"{name}: refused, larger than {MAX_FILE_BYTES // 2**20} MiB")
    try:
        return fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ActivityFileError(f"{name}: refused, the XML declares entities or external references "
                                f"({type(exc).__name__}); activity files never need them") from None
    except ParseError as exc:
        raise ActivityFileError(f"{name}: not well-formed XML ({exc})") from None
    except (ValueError, UnicodeError, RecursionError) as exc:
        raise ActivityFileError(f"{name}: unreadable XML ({type(exc).__name__})") from None


def local(tag) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def child(el: Element, name: str) -> Element | None:
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def children(el: Element, name: str) -> list[Element]:
    return [c for c in el if local(c.tag) == name]


def text(el: Element | None, name: str | None = None) -> str | None:
    if el is not None and name is not None:
        el = child(el, name)
    if el is None or el.text is None:
        return None
    return el.text.strip() or None
