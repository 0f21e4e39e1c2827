"""Opening a person's record: the one path the page and the API share.

The relationship is checked first, so that someone without one learns nothing, not even whether
the person exists; the refusal or the view is audited either way.
"""

from __future__ import annotations

from dataclasses import dataclass

from joinedup.home import resolve_home
from joinedup.linkage.persons import PersonDetails, UnknownPersonError, person_details
from joinedup.linkage.published import NotLinkedError
from joinedup.web.accounts.models import User
from joinedup.web.people import access


class NoRelationshipError(PermissionError):
    """No legitimate relationship with this person now (recorded as ``access.denied``)."""


class PersonNotFoundError(LookupError):
    """A relationship, but the person is not in the published index (merged away, say)."""


@dataclass(frozen=True)
class OpenedPerson:
    details: PersonDetails
    why: access.Relationship


def open_person(user: User, person_key: str, path: str, *, viewed: bool = True) -> OpenedPerson:
    """The person's details for ``user``, or refused. ``viewed=False`` for a request that shows
    none of them (flagging the linkage, say): it records its own audit event instead."""
    why = access.relationship(user, person_key)
    if why is None:
        access.record_refusal(user, person_key, path)
        raise NoRelationshipError(person_key)
    try:
        details = person_details(resolve_home(), person_key)
    except (UnknownPersonError, NotLinkedError) as error:
        raise PersonNotFoundError(person_key) from error
    if viewed:
        access.record_view(user, person_key, why)
    return OpenedPerson(details, why)
