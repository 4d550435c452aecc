"""One visit as document blocks (its answers labelled from its form, its photos with captions,
the actions it raised, and its concern for those who may read concerns), and one visit on its
own as a PDF. The placement record uses the same blocks for each of its visits.

The answers come from `review.layout`, the layout the office review page shows, so a printed
visit and the reviewed visit list the same items in the same order.
"""
from server.dates import england_day
from server.extensions import db
from server.models import School
from server.services import review
from server.services.concerns import people_by_id
from server.services.documents import MARKING, pdf_layout, wording
from server.services.documents.model import Document, Facts, Heading, Para, PhotoItem, Photos, Section, Table
from server.services.forms import form_items, get_form
from server.vocabulary import labels


def visit_heading(visit, number=None):
    """"Visit 3: Quality-assurance visit on 14 October 2026" — the line the record's index and
    its tests look for."""
    name = labels("visit_kinds").get(visit.kind, visit.kind)
    prefix = f"Visit {number}: " if number is not None else ""
    return f"{prefix}{name} on {wording.day(visit.visit_date)}"


def visit_blocks(visit, shown, actions, concerns, people, today, number=None):
    """Blocks for one visit. `shown` is review.layout(visit); `actions` and `concerns` are the
    visit's own (concerns empty unless the reader may see them); `people` maps user id → User."""
    modes = labels("visit_modes")
    statuses = labels("review_statuses")
    version = shown.version
    note = (f"{modes.get(version.mode, version.mode)} · recorded by {version.author.full_name} · "
            f"received {wording.moment(version.received_at)} (phone: {wording.moment(version.device_completed_at)})")
    if visit.current_version > 1:
        note += f" · version {visit.current_version}, corrected"
    blocks = [Heading(visit_heading(visit, number), note)]
    review_line = statuses.get(visit.review_status, visit.review_status)
    if visit.reviewed_at is not None:
        reviewer = people.get(visit.reviewed_by_id)
        review_line += f" on {wording.moment(visit.reviewed_at)}" + (f" by {reviewer.full_name}" if reviewer else "")
    if visit.review_comment:
        review_line += f". Comment: {visit.review_comment}"
    blocks.append(Para(f"Review: {review_line}", tone="muted"))
    if shown.missing_photos:
        blocks.append(Para(f"{shown.missing_photos} photo(s) declared on the phone have not arrived.", tone="warning"))
    for title, rows in shown.sections:
        blocks.append(Para(title, tone="strong"))
        blocks.append(Facts([(row.label, _answer(row)) for row in rows]))
    pictures = _photo_items(visit, shown)
    if pictures:
        blocks.append(Photos(pictures))
    if actions:
        blocks.append(actions_table(actions, people, today))
    for concern in concerns:
        blocks.append(Para(concern_text(concern, people), tone="concern"))
    return blocks


def _answer(row):
    if row.is_photo_item:
        count = len([p for p in row.photos if p.stored_at is not None])
        return f"{count} photo{'s' if count != 1 else ''} (below)" if count else "No photo"
    value = row.value if row.value is not None else "Not answered"
    return f"{value}\nNote: {row.note}" if row.note else value


def _photo_items(visit, shown):
    """Every stored photo of the shown version, captioned with what it evidences."""
    version = shown.version
    form = get_form(version.form_id, version.form_version)
    item_labels = {item["key"]: item["label"] for item in form_items(form)} if form else {}
    photos = [p for _, rows in shown.sections for row in rows for p in row.photos] + list(shown.other_photos)
    items = []
    for photo in photos:
        if photo.stored_at is None:
            continue
        parts = [part for part in (photo.caption, item_labels.get(photo.item_key)) if part]
        items.append(PhotoItem(photo, " — ".join(parts) or "Photo"))
    return items


def action_state(action, people, today):
    if action.done_at is not None:
        who = people.get(action.done_by_id)
        state = f"Done {wording.day(action.done_at)}" + (f" by {who.full_name}" if who else "")
        return state + (f": {action.done_note}" if action.done_note else "")
    return "Overdue" if action.due_on < today else "Open"


def actions_table(actions, people, today):
    return Table(["Action", "Owner", "Due", "State"],
                 [[a.description, a.owner_name, wording.day(a.due_on), action_state(a, people, today)]
                  for a in actions], widths=[5, 2, 2, 3])


def concern_text(concern, people):
    """A safeguarding concern, its notes and its closure, as one paragraph of text."""
    raised_by = concern.raised_by.full_name if concern.raised_by else "—"
    when = f"phone: {wording.moment(concern.raised_at_device)}, received {wording.moment(concern.received_at)}"
    lines = [f"Safeguarding concern raised by {raised_by} ({when}):", concern.text]
    if concern.immediate_action:
        lines.append(f"Immediate action: {concern.immediate_action}")
    for note in concern.notes:
        author = people.get(note.author_id)
        lines.append(f"{note.kind.replace('_', ' ').capitalize()} ({wording.moment(note.created_at)}"
                     f"{', ' + author.full_name if author else ''}): {note.text}")
    if concern.closed_at is not None:
        closer = people.get(concern.closed_by_id)
        lines.append(f"Closed by the DSL on {wording.moment(concern.closed_at)}"
                     f"{' (' + closer.full_name + ')' if closer else ''}: {concern.outcome}")
    else:
        lines.append("Open: with the DSL.")
    return "\n".join(lines)


def visit_document(visit, with_concerns, produced_by, produced_at):
    """(Document, concerns shown) for one visit; (None, []) when it has no version to show.
    Concerns are in it only when `with_concerns` (the reader may see them)."""
    shown = review.layout(visit)
    if shown is None:
        return None, []
    concerns = list(shown.concerns) if with_concerns else []
    people = people_by_id([visit.reviewed_by_id] + [a.done_by_id for a in shown.actions]
                          + [c.closed_by_id for c in concerns] + [n.author_id for c in concerns for n in c.notes])
    about = Section("About")
    if visit.placement is not None:
        pupil = visit.placement.pupil
        placement = visit.placement
        about.add(Facts([
            ("Pupil", pupil.full_name), ("Date of birth", wording.day(pupil.date_of_birth)),
            ("Year group", str(pupil.year_group)), ("Needs and support", wording.flags(pupil)),
            ("Placement", labels("placement_kinds").get(placement.kind, placement.kind)),
            ("Provider", placement.provider.name if placement.provider else "None (in school)"),
        ]))
    elif visit.provider is not None:
        about.add(Facts([("Provider", visit.provider.name),
                         ("Registration", labels("registration_statuses").get(visit.provider.registration_status))]))
    today = england_day(produced_at)
    body = Section(shown.form_title, visit_blocks(visit, shown, shown.actions, concerns, people, today))
    document = Document(title=visit_heading(visit), subtitle=review.subject_of(visit),
                        school_name=produced_for(visit), produced_by=produced_by.full_name, produced_at=produced_at,
                        marking=MARKING, sections=[about, body],
                        filename=f"visit-{visit.visit_date.isoformat()}.pdf")
    return document, concerns


def produced_for(visit):
    """The name of the school the visit belongs to."""
    return db.session.get(School, visit.school_id).name


def visit_pdf(visit, with_concerns, produced_by, produced_at):
    """(PDF bytes, concerns shown), or (None, []) when the visit has no version to show."""
    document, concerns = visit_document(visit, with_concerns, produced_by, produced_at)
    return (None, []) if document is None else (pdf_layout.render(document), concerns)
