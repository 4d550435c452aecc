"""Visit form definitions: load them, check the definitions themselves, and check a visit's
answers against its form.

The definitions are `shared_schemas/forms/<form_id>/v<N>.json` (format: the README in that
folder). `pwa/js/forms/check.js` is the same answer checker in JavaScript, so a phone can say
what is missing while offline; tests/forms runs both over the same fixtures and requires the same
result. Change one checker, change the other in the same commit.
"""
import json
import math
import re
from functools import lru_cache
from pathlib import Path

from server.vocabulary import LIMITS, SHARED_SCHEMAS, VISIT_KINDS, VISIT_MODES

FORMS_DIR = SHARED_SCHEMAS / "forms"

ERROR_CODES = (
    "required", "unknown_item", "hidden_item_answered", "not_an_option", "not_text", "too_long",
    "not_a_date", "not_a_number", "out_of_range", "not_people", "note_required", "photo_required",
    "action_required", "concern_required", "mode_not_allowed", "not_an_object",
)
ITEM_TYPES = ("yes_no", "yes_no_na", "rating", "choice", "text", "date", "number", "people", "photo")
FIXED_OPTIONS = {"yes_no": ("yes", "no"), "yes_no_na": ("yes", "no", "na")}
OPTION_TYPES = ("yes_no", "yes_no_na", "rating", "choice")
REQUIREMENTS = ("note", "photo", "action", "concern")

# From shared_schemas/vocabulary.json, which check.js is given too: one home for both checkers.
DEFAULT_MAX_LENGTH = LIMITS["answer"]
NOTE_MAX_LENGTH = LIMITS["note"]
MAX_PEOPLE = LIMITS["people"]
PERSON_FIELD_MAX_LENGTH = LIMITS["person_field"]

KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Exactly JavaScript's \s, spelled out: Python's str.isspace() differs (e.g. on U+FEFF), and the
# two checkers must agree on what a blank answer is.
BLANK_PATTERN = re.compile("[\t\n\x0b\x0c\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]*")

_ITEM_FIELDS = {"key", "type", "label", "help", "required", "requires", "show_if",
                "options", "max_length", "min", "max", "min_photos"}
_FORM_FIELDS = {"form_id", "version", "visit_kind", "title", "modes", "sections"}
_SECTION_FIELDS = {"key", "title", "items"}


class FormDefinitionError(ValueError):
    """A form definition file is broken; the message names the file and what is wrong."""


# --- Loading ---------------------------------------------------------------------------------

def load_forms(forms_dir=None):
    """Every definition, keyed by (form_id, version). Read and checked once, then cached.

    The definitions are shared and read-only (see ReadOnlyDict).
    """
    return _load(_resolved(forms_dir or FORMS_DIR))


@lru_cache(maxsize=None)
def _resolved(forms_dir):
    # Resolving a path asks the file system about every folder in it: once per folder named, not
    # once per visit checked (py-spy found it in every PUT).
    return Path(forms_dir).resolve()


@lru_cache(maxsize=None)
def _load(forms_dir):
    forms = {}
    for path in sorted(forms_dir.glob("*/v*.json")):
        source = path.relative_to(forms_dir).as_posix()
        try:
            form = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as error:
            raise FormDefinitionError(f"{source}: not valid JSON ({error})") from error
        check_definition(form, source)
        if form["form_id"] != path.parent.name or f"v{form['version']}.json" != path.name:
            raise FormDefinitionError(
                f"{source}: form_id and version must match the folder and file name "
                f"(found {form['form_id']!r} version {form['version']!r})")
        forms[(form["form_id"], form["version"])] = _read_only(form)
    return forms


def _refuse(self, *args, **kwargs):
    raise TypeError("form definitions are read-only")


class ReadOnlyDict(dict):
    """A mapping inside a loaded form definition. Definitions are shared by every request rather
    than copied (a copy per sync cost more than checking the answers), so changes are refused."""

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse


class ReadOnlyList(list):
    """A list inside a loaded form definition (see ReadOnlyDict)."""

    __setitem__ = __delitem__ = __iadd__ = __imul__ = append = clear = extend = insert = pop = remove = \
        reverse = sort = _refuse


def _read_only(value):
    """`value` with every dict and list in it made read-only."""
    if isinstance(value, dict):
        return ReadOnlyDict((key, _read_only(item)) for key, item in value.items())
    if isinstance(value, list):
        return ReadOnlyList(_read_only(item) for item in value)
    return value


def get_form(form_id, version):
    """The definition of one version of a form, or None if there is no such form or version."""
    return load_forms().get((form_id, version))


def current_forms():
    """The latest version of each form, ordered by form_id: what a phone should start new visits with."""
    latest = {}
    for (form_id, version), form in load_forms().items():
        if form_id not in latest or version > latest[form_id]["version"]:
            latest[form_id] = form
    return [latest[form_id] for form_id in sorted(latest)]


def all_forms():
    """Every version of every form, ordered by (form_id, version). Phones may hold visits started
    on an older version, so the server keeps accepting (and showing) all of them."""
    forms = load_forms()
    return [forms[key] for key in sorted(forms)]


# --- Checking a definition -------------------------------------------------------------------

def check_definition(form, source="<definition>"):
    """Raise FormDefinitionError unless `form` follows the format in shared_schemas/forms/README.md."""
    def fail(message):
        raise FormDefinitionError(f"{source}: {message}")

    if not isinstance(form, dict):
        fail("a definition must be a JSON object")
    _check_fields(form, _FORM_FIELDS, _FORM_FIELDS, "the form", fail)
    if not isinstance(form["form_id"], str) or not KEY_PATTERN.fullmatch(form["form_id"]):
        fail("form_id must be snake_case")
    if not _is_int(form["version"]) or form["version"] < 1:
        fail("version must be a whole number from 1")
    if form["visit_kind"] not in VISIT_KINDS:
        fail(f"visit_kind {form['visit_kind']!r} is not one of {', '.join(VISIT_KINDS)}")
    if not _is_filled(form["title"]):
        fail("title must be a non-empty string")
    modes = form["modes"]
    if (not isinstance(modes, list) or not modes or len(set(map(str, modes))) != len(modes)
            or any(mode not in VISIT_MODES for mode in modes)):
        fail(f"modes must be a non-empty list of distinct codes from {', '.join(VISIT_MODES)}")
    if not isinstance(form["sections"], list) or not form["sections"]:
        fail("sections must be a non-empty list")

    seen = {}  # item key -> item, in order: show_if may only look back
    section_keys = set()
    for section in form["sections"]:
        if not isinstance(section, dict):
            fail("each section must be an object")
        _check_fields(section, _SECTION_FIELDS, _SECTION_FIELDS, "a section", fail)
        if not isinstance(section["key"], str) or not KEY_PATTERN.fullmatch(section["key"]):
            fail(f"section key {section['key']!r} must be snake_case")
        if section["key"] in section_keys:
            fail(f"section key {section['key']!r} is used twice")
        section_keys.add(section["key"])
        if not _is_filled(section["title"]):
            fail(f"section {section['key']!r} needs a title")
        if not isinstance(section["items"], list) or not section["items"]:
            fail(f"section {section['key']!r} needs a non-empty list of items")
        for item in section["items"]:
            _check_item(item, seen, modes, fail)
            seen[item["key"]] = item


def _check_item(item, seen, modes, fail):
    if not isinstance(item, dict):
        fail("each item must be an object")
    _check_fields(item, _ITEM_FIELDS, {"key", "type", "label"}, f"item {item.get('key')!r}", fail)
    key, type_ = item["key"], item["type"]
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        fail(f"item key {key!r} must be snake_case")
    where = f"item {key!r}"
    if key in seen:
        fail(f"{where}: the key is used twice")
    if type_ not in ITEM_TYPES:
        fail(f"{where}: unknown type {type_!r} (known: {', '.join(ITEM_TYPES)})")
    if not _is_filled(item["label"]):
        fail(f"{where}: label must be a non-empty string")
    if "help" in item and not _is_filled(item["help"]):
        fail(f"{where}: help must be a non-empty string when present")
    if "required" in item and not isinstance(item["required"], bool):
        fail(f"{where}: required must be true or false")

    # Fields that only make sense for some types.
    for field, types in (("options", ("rating", "choice")), ("max_length", ("text",)),
                         ("min", ("number",)), ("max", ("number",)), ("min_photos", ("photo",)),
                         ("requires", OPTION_TYPES)):
        if field in item and type_ not in types:
            fail(f"{where}: {field} is only allowed on {' or '.join(types)} items")
    if type_ in ("rating", "choice"):
        options = item.get("options")
        if (not isinstance(options, list) or not options
                or any(not isinstance(o, dict) or set(o) != {"value", "label"} or not _is_filled(o["label"])
                       or not isinstance(o["value"], str) or not KEY_PATTERN.fullmatch(o["value"])
                       for o in options)):
            fail(f"{where}: options must be a non-empty list of {{value, label}} with snake_case values")
        if len({o["value"] for o in options}) != len(options):
            fail(f"{where}: option values must be distinct")
    if "max_length" in item and (not _is_int(item["max_length"]) or item["max_length"] < 1):
        fail(f"{where}: max_length must be a whole number from 1")
    for bound in ("min", "max"):
        if bound in item and _as_number(item[bound]) is None:
            fail(f"{where}: {bound} must be a number")
    if "min" in item and "max" in item and item["min"] > item["max"]:
        fail(f"{where}: min is greater than max")
    if "min_photos" in item and (not _is_int(item["min_photos"]) or item["min_photos"] < 1):
        fail(f"{where}: min_photos must be a whole number from 1")

    if "requires" in item:
        requires = item["requires"]
        if not isinstance(requires, dict) or not set(requires) <= set(REQUIREMENTS):
            fail(f"{where}: requires may only have the keys {', '.join(REQUIREMENTS)}")
        allowed = option_values(item)
        for kind, values in requires.items():
            if not isinstance(values, list) or any(value not in allowed for value in values):
                fail(f"{where}: requires.{kind} must list values from {', '.join(allowed)}")

    if "show_if" in item:
        show_if = item["show_if"]
        if not isinstance(show_if, dict) or set(show_if) != {"item", "in"}:
            fail(f"{where}: show_if must be {{\"item\": ..., \"in\": [...]}}")
        target, values = show_if["item"], show_if["in"]
        if target == "@mode":
            allowed = modes
        elif isinstance(target, str) and target in seen and seen[target]["type"] in OPTION_TYPES:
            allowed = option_values(seen[target])
        else:
            fail(f"{where}: show_if must name \"@mode\" or an earlier yes/no, rating or choice item "
                 f"(found {target!r})")
        if not isinstance(values, list) or not values or any(value not in allowed for value in values):
            fail(f"{where}: show_if.in must list values from {', '.join(allowed)}")


def _check_fields(obj, allowed, needed, where, fail):
    missing = sorted(needed - set(obj))
    extra = sorted(set(obj) - allowed)
    if missing:
        fail(f"{where} is missing {', '.join(missing)}")
    if extra:
        fail(f"{where} has unknown fields {', '.join(extra)}")


def option_values(item):
    """The values an option-type item accepts (empty for other types)."""
    if item["type"] in FIXED_OPTIONS:
        return FIXED_OPTIONS[item["type"]]
    return tuple(option["value"] for option in item.get("options", ()))


def form_items(form):
    """Every item of a form, in order, across its sections."""
    return [item for section in form["sections"] for item in section["items"]]


@lru_cache(maxsize=None)
def asked_keys(form_id, version):
    """The keys of every item one version of a form asks (empty for an unknown form). Built once
    per version: the to-do asks it of every review a school holds."""
    form = get_form(form_id, version)
    return frozenset(item["key"] for item in form_items(form)) if form else frozenset()


# --- Checking a visit's answers --------------------------------------------------------------

def visible_item_keys(form, payload):
    """The keys of the items shown for these answers and this mode.

    An item is shown when it has no show_if, or when the item it names is itself shown and was
    answered with one of the listed values ("@mode": the visit's mode is one of them). show_if
    only looks back, so one pass in order is enough.
    """
    mode = payload.get("mode")
    answers = payload.get("answers")
    answers = answers if isinstance(answers, dict) else {}
    shown = set()
    for item in form_items(form):
        show_if = item.get("show_if")
        if show_if is None:
            shown.add(item["key"])
        elif show_if["item"] == "@mode":
            if isinstance(mode, str) and mode in show_if["in"]:
                shown.add(item["key"])
        elif show_if["item"] in shown:
            answer = answers.get(show_if["item"])
            value = answer.get("value") if isinstance(answer, dict) else None
            if isinstance(value, str) and value in show_if["in"]:
                shown.add(item["key"])
    return shown


def check_answers(form, payload):
    """Check a visit payload against its form definition.

    Returns {item key | "@mode" | "@form": sorted list of error codes}; {} means valid. The codes
    and what each means are listed in shared_schemas/forms/README.md.
    """
    errors = {}

    def add(key, code):
        errors.setdefault(key, set()).add(code)

    if not isinstance(payload, dict):
        return {"@form": ["not_an_object"]}
    _check_envelope(form, payload, add)
    if errors:
        # The rest cannot be read reliably; say what is wrong with the shape first.
        return _sorted(errors)

    answers = payload["answers"]
    photos = _links(payload.get("photos"))
    actions = _links(payload.get("actions"))
    concern_raised = payload.get("concern") is not None  # the envelope check made sure it has text

    mode = payload.get("mode")
    if mode is None or _is_blank(mode):
        add("@mode", "required")
    elif not isinstance(mode, str) or mode not in form["modes"]:
        add("@mode", "mode_not_allowed")

    items = {item["key"]: item for item in form_items(form)}
    shown = visible_item_keys(form, payload)
    for key in answers:
        if key not in items or items[key]["type"] == "photo":
            add(key, "unknown_item")  # photo items take no answer: their evidence is the photos

    for key, item in items.items():
        if key not in shown:
            if key in answers and item["type"] != "photo":
                add(key, "hidden_item_answered")
            continue
        if item["type"] == "photo":
            if item.get("required") and photos.count(key) < item.get("min_photos", 1):
                add(key, "photo_required")
            continue
        if key not in answers:
            if item.get("required"):
                add(key, "required")
            continue
        for code in _check_answer(item, answers[key], photos, actions, concern_raised):
            add(key, code)

    # Photos and actions must point at an item the user could see.
    for key in photos + actions:
        if key not in items:
            add(key, "unknown_item")
        elif key not in shown:
            add(key, "hidden_item_answered")
    return _sorted(errors)


def _check_envelope(form, payload, add):
    if payload.get("form_id") != form["form_id"] or not _same_number(payload.get("form_version"), form["version"]):
        add("@form", "not_an_option")
    if not isinstance(payload.get("answers"), dict):
        add("@form", "not_an_object")
    for name in ("photos", "actions"):
        links = payload.get(name)
        if links is not None and (not isinstance(links, list) or any(
                not isinstance(link, dict) or not (link.get("item_key") is None or isinstance(link["item_key"], str))
                for link in links)):
            add("@form", "not_an_object")
    concern = payload.get("concern")
    if concern is not None and not (isinstance(concern, dict) and _is_filled(concern.get("text"))):
        add("@form", "not_an_object")


def _check_answer(item, answer, photos, actions, concern_raised):
    """Error codes for one shown item's answer."""
    if not isinstance(answer, dict) or not set(answer) <= {"value", "note"}:
        return ["not_an_object"]
    note = answer.get("note")
    if note is not None and not isinstance(note, str):
        return ["not_an_object"]

    codes = []
    if note is not None and len(note) > NOTE_MAX_LENGTH:
        codes.append("too_long")
    value = answer.get("value")
    if value is None or _is_blank(value) or (item["type"] == "people" and value == []):
        if item.get("required"):
            codes.append("required")
        return codes

    type_ = item["type"]
    if type_ in OPTION_TYPES:
        if not isinstance(value, str) or value not in option_values(item):
            codes.append("not_an_option")
            return codes
        requires = item.get("requires", {})
        if value in requires.get("note", ()) and (note is None or _is_blank(note)):
            codes.append("note_required")
        if value in requires.get("photo", ()) and item["key"] not in photos:
            codes.append("photo_required")
        if value in requires.get("action", ()) and item["key"] not in actions:
            codes.append("action_required")
        if value in requires.get("concern", ()) and not concern_raised:
            codes.append("concern_required")
    elif type_ == "text":
        if not isinstance(value, str):
            codes.append("not_text")
        elif len(value) > item.get("max_length", DEFAULT_MAX_LENGTH):
            codes.append("too_long")
    elif type_ == "date":
        if not _is_date(value):
            codes.append("not_a_date")
    elif type_ == "number":
        number = _as_number(value)
        if number is None:
            codes.append("not_a_number")
        elif number < item.get("min", -math.inf) or number > item.get("max", math.inf):
            codes.append("out_of_range")
    elif type_ == "people":
        if not _is_people(value):
            codes.append("not_people")
    return codes


# --- Small value tests, mirrored one for one in check.js -------------------------------------

def _sorted(errors):
    return {key: sorted(codes) for key, codes in errors.items()}


def _links(links):
    """The item keys that photos or actions point at (one entry per photo or action)."""
    return [link["item_key"] for link in links or () if isinstance(link.get("item_key"), str)]


def _is_blank(value):
    return isinstance(value, str) and BLANK_PATTERN.fullmatch(value) is not None


def _is_filled(value, max_length=None):
    return (isinstance(value, str) and not _is_blank(value)
            and (max_length is None or len(value) <= max_length))


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _as_number(value):
    """The value as a float, or None if it is not a finite JSON number (true/false are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer too big for a double: JavaScript would read it as Infinity
        return None
    return number if math.isfinite(number) else None


def _same_number(value, expected):
    number = _as_number(value)
    return number is not None and number == expected


def _is_date(value):
    if not isinstance(value, str) or not DATE_PATTERN.fullmatch(value):
        return False
    year, month, day = int(value[:4]), int(value[5:7]), int(value[8:])
    return year >= 1 and 1 <= month <= 12 and 1 <= day <= _days_in_month(year, month)


def _days_in_month(year, month):
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _is_people(value):
    return isinstance(value, list) and len(value) <= MAX_PEOPLE and all(
        isinstance(person, dict) and set(person) == {"name", "role"}
        and _is_filled(person["name"], PERSON_FIELD_MAX_LENGTH)
        and _is_filled(person["role"], PERSON_FIELD_MAX_LENGTH)
        for person in value)
