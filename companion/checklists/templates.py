"""Moment of Truth checklist templates: the format, its validation, JSON/YAML import and export.

A template file is a small, versioned document:

    format: agent-companion/checklist-template
    version: 1
    name: Moment of Truth
    line_of_business: Billing            # optional: per client / line of business
    items:
      - key: greet
        text: Greet the customer and own the call
        due_within_seconds: 15           # optional: the item is due early in the call
      - key: close
        text: Close warmly
        closing: true                    # optional: shown near the end of the call

Import is strict: anything malformed, oversized or hostile (unknown fields, control characters, YAML anchors
and aliases, deep nesting, huge strings) is refused with a message naming the problem and where it is, and
nothing is changed; every problem of the file is named at once, each with its place. Texts are data: they are always shown as plain text.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from companion.errors import InvalidInput

FORMAT = "agent-companion/checklist-template"
VERSION = 1
MAX_FILE_BYTES = 64 * 1024
MAX_ITEMS = 20
MAX_NAME = 80
MAX_TEXT = 140
MAX_DUE_SECONDS = 3600
KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")

_TOP_FIELDS = {"format", "version", "name", "line_of_business", "items"}
_ITEM_FIELDS = {"key", "text", "due_within_seconds", "closing"}


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    due_within_seconds: int | None = None
    closing: bool = False


@dataclass(frozen=True)
class Template:
    name: str
    items: tuple[Item, ...]
    line_of_business: str | None = None

    def to_document(self) -> dict[str, Any]:
        items = []
        for item in self.items:
            entry: dict[str, Any] = {"key": item.key, "text": item.text}
            if item.due_within_seconds is not None:
                entry["due_within_seconds"] = item.due_within_seconds
            if item.closing:
                entry["closing"] = True
            items.append(entry)
        doc: dict[str, Any] = {"format": FORMAT, "version": VERSION, "name": self.name}
        if self.line_of_business:
            doc["line_of_business"] = self.line_of_business
        doc["items"] = items
        return doc


# -- validation -------------------------------------------------------------------------------------------
def check_text(value: Any, where: str, limit: int, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{where}: must be text")
    value = value.strip()
    if not value:
        if required:
            raise InvalidInput(f"{where}: must not be empty")
        return None
    if len(value) > limit:
        raise InvalidInput(f"{where}: longer than {limit} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in value):
        # control, format (bidi marks, zero-width) and line/paragraph separators: can disguise a text
        raise InvalidInput(f"{where}: contains control characters")
    return value


def check_fields(obj: Any, allowed: set[str], where: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise InvalidInput(f"{where}: must be a mapping of fields")
    unknown = sorted(str(k)[:40] for k in obj if k not in allowed)
    if unknown:
        raise InvalidInput(f"{where}: unknown field(s) {', '.join(unknown)}")
    return obj


class TemplateProblems(InvalidInput):
    """A template with one or more problems: ``problems`` lists each with its place ("items[3].text: must not
    be empty"), in document order; ``str()`` is all of them, joined by "; "."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


def validate(doc: Any) -> Template:
    """Turn a parsed document into a Template, or raise :class:`TemplateProblems` listing EVERY problem with
    its place (a person fixing a file fixes them all at once, not one per import attempt).

    A document that is not a checklist template at all (not a mapping, another format, a newer version)
    stops at that one problem: its fields would mean nothing."""
    problems: list[str] = []

    def collect(check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except TemplateProblems as exc:
            problems.extend(exc.problems)
        except InvalidInput as exc:
            problems.append(str(exc))
        return None

    if not isinstance(doc, dict):
        raise TemplateProblems(["template: must be a mapping of fields"])
    if doc.get("format") != FORMAT:
        raise TemplateProblems([f"template: not a checklist template (format must be {FORMAT!r})"])
    version = doc.get("version")
    if type(version) is not int:
        raise TemplateProblems(["template: version must be a whole number"])
    if version > VERSION:
        raise TemplateProblems([f"template: made by a newer Agent Companion (version {version}; this one reads "
                                f"{VERSION}). Update Agent Companion to import it."])
    if version < 1:
        raise TemplateProblems(["template: unknown version"])
    collect(check_fields, doc, _TOP_FIELDS, "template")
    name = collect(check_text, doc.get("name"), "name", MAX_NAME)
    line = collect(check_text, doc.get("line_of_business"), "line_of_business", MAX_NAME, required=False)
    raw_items = doc.get("items")
    items, seen = [], set()
    if not isinstance(raw_items, list) or not raw_items:
        problems.append("items: must be a non-empty list")
        raw_items = []
    elif len(raw_items) > MAX_ITEMS:
        problems.append(f"items: more than {MAX_ITEMS} items")
        raw_items = raw_items[:MAX_ITEMS * 5]  # still say what is wrong inside, within reason
    for index, raw in enumerate(raw_items):
        where = f"items[{index + 1}]"
        entry = collect(check_fields, raw, _ITEM_FIELDS, where)
        if entry is None:
            if not isinstance(raw, dict):
                continue
            entry = raw  # unknown fields named above; the known ones are still checked
        key = entry.get("key")
        if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
            problems.append(f"{where}.key: 1-32 lower-case letters, digits, - or _")
        elif key in seen:
            problems.append(f"{where}.key: {key!r} is used twice")
        else:
            seen.add(key)
        text = collect(check_text, entry.get("text"), f"{where}.text", MAX_TEXT)
        due = entry.get("due_within_seconds")
        if due is not None and (type(due) is not int or not 1 <= due <= MAX_DUE_SECONDS):
            problems.append(f"{where}.due_within_seconds: a whole number from 1 to {MAX_DUE_SECONDS}")
        closing = entry.get("closing", False)
        if type(closing) is not bool:
            problems.append(f"{where}.closing: true or false")
        items.append(Item(key if isinstance(key, str) else "", text or "", due, closing is True))
    if problems:
        raise TemplateProblems(problems)
    return Template(name or "", tuple(items), line)


# -- files ------------------------------------------------------------------------------------------------
def _safe_yaml(text: str) -> Any:
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        """Safe YAML without anchors/aliases (no alias bombs) and with bounded nesting."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                raise InvalidInput("the file uses YAML aliases, which templates do not allow")
            event = self.peek_event()
            if getattr(event, "anchor", None):
                raise InvalidInput("the file uses YAML anchors, which templates do not allow")
            self._depth = getattr(self, "_depth", 0) + 1
            try:
                if self._depth > 10:
                    raise InvalidInput("the file is nested too deeply")
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

    try:
        return yaml.load(text, Loader=NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise InvalidInput(f"the file is not valid YAML ({str(exc).splitlines()[0][:120]})") from None


def parse(data: bytes, filename: str = "") -> Template:
    """Parse and validate a template file (JSON, or YAML for .yaml/.yml names; UTF-8, with or without BOM)."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_FILE_BYTES // 1024} KiB; a template is much smaller")
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark (Windows editors save one) is not part of the text
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text") from None
    if filename.lower().endswith((".yaml", ".yml")):
        doc = _safe_yaml(text)
    else:
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise InvalidInput(f"the file is not valid JSON ({str(exc)[:120]})") from None
    return validate(doc)


def dump(template: Template, fmt: str = "json") -> bytes:
    doc = template.to_document()
    if fmt == "json":
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "yaml":
        import yaml

        return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}")


def default_template() -> Template:
    """The shipped Moment of Truth template (resources/checklists/moment-of-truth.json)."""
    from companion import resources

    return parse(resources.path("checklists/moment-of-truth.json").read_bytes(), "moment-of-truth.json")
