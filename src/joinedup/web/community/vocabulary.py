"""The fixed words of the community directory: needs, kinds of asset, sectors, ages and days.

One vocabulary of needs serves the directory (what an asset is for), the gap analysis (what a
ward needs) and signposting (what a person needs), so the three always speak of the same thing.
Plain Python: the models, the importer and the gap analysis all read it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Labelled(StrEnum):
    """An enumeration whose members carry a label for people to read."""

    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]

    @classmethod
    def read(cls, text: str) -> Self:
        """The member whose value or label is ``text`` (any case); a ValueError if none is."""
        wanted = text.strip().casefold()
        for member in cls:
            if wanted in (member.value.casefold(), member.label.casefold()):
                return member
        raise ValueError(f"{text!r} is not one of: {', '.join(m.label for m in cls)}")


class Need(Labelled):
    LONELINESS = "loneliness", "Loneliness and isolation"
    DEBT = "debt", "Debt and money worries"
    FOOD_POVERTY = "food_poverty", "Food poverty"
    PHYSICAL_INACTIVITY = "physical_inactivity", "Physical inactivity"
    CARER_STRAIN = "carer_strain", "Carer strain"
    DIGITAL_EXCLUSION = "digital_exclusion", "Digital exclusion"
    CHILDHOOD_OBESITY = "childhood_obesity", "Childhood obesity"
    MENTAL_WELLBEING = "mental_wellbeing", "Low mood and mental wellbeing"


class AssetKind(Labelled):
    BEFRIENDING = "befriending", "Befriending"
    LUNCH_CLUB = "lunch_club", "Lunch club"
    DEBT_ADVICE = "debt_advice", "Debt advice"
    FOOD_BANK = "food_bank", "Food bank"
    EXERCISE = "exercise", "Exercise and physical activity"
    CARERS_GROUP = "carers_group", "Carers' group"
    DIGITAL_SKILLS = "digital_skills", "Digital skills"
    MENTAL_HEALTH_SUPPORT = "mental_health_support", "Mental health support"
    SOCIAL_PRESCRIBING = "social_prescribing", "Social prescribing"
    FAMILY_ACTIVITY = "family_activity", "Family activity"
    SOCIAL_GROUP = "social_group", "Social group"


class Sector(Labelled):
    VOLUNTARY = "voluntary", "Voluntary"
    COMMUNITY = "community", "Community"
    FAITH = "faith", "Faith"
    PUBLIC = "public", "Public"


class AgeGroup(Labelled):
    ALL_AGES = "all_ages", "All ages"
    CHILDREN_AND_FAMILIES = "children_and_families", "Children and families"
    YOUNG_PEOPLE = "young_people", "Young people (11 to 25)"
    ADULTS = "adults", "Adults (18 and over)"
    OLDER_PEOPLE = "older_people", "Older people (65 and over)"


class Day(Labelled):
    MONDAY = "mon", "Monday"
    TUESDAY = "tue", "Tuesday"
    WEDNESDAY = "wed", "Wednesday"
    THURSDAY = "thu", "Thursday"
    FRIDAY = "fri", "Friday"
    SATURDAY = "sat", "Saturday"
    SUNDAY = "sun", "Sunday"


class TakeUp(Labelled):
    """What became of a referral to an asset."""

    REFERRED = "referred", "Referred: not heard yet"
    ATTENDED = "attended", "Attended"
    STILL_ATTENDING = "still_attending", "Still attending"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"


# Which community needs may meet a need a case records in each domain of a person's life
# (governance.sharing.Domain): where the finder starts; the worker can change it.
DOMAIN_NEEDS: dict[str, tuple[Need, ...]] = {
    "loneliness": (Need.LONELINESS,),
    "money": (Need.DEBT, Need.FOOD_POVERTY),
    "housing": (Need.DEBT,),
    "physical_health": (Need.PHYSICAL_INACTIVITY,),
    "mental_health": (Need.MENTAL_WELLBEING, Need.LONELINESS),
    "family": (Need.CARER_STRAIN, Need.CHILDHOOD_OBESITY),
    "substance_use": (Need.MENTAL_WELLBEING,),
    "safety": (),
}


def needs_for_domains(domains: list[str]) -> list[Need]:
    """The community needs that may meet needs in these domains, each once, in vocabulary order.

    >>> [n.value for n in needs_for_domains(["money", "loneliness"])]
    ['loneliness', 'debt', 'food_poverty']
    """
    wanted = {need for domain in domains for need in DOMAIN_NEEDS.get(domain, ())}
    return [need for need in Need if need in wanted]


def parse_days(text: str) -> list[Day]:
    """Days named in ``text``, separated by commas, semicolons or spaces, in week order.

    >>> [d.value for d in parse_days("Wednesday, mon")]
    ['mon', 'wed']
    """
    words = [w for w in text.replace(";", ",").replace(" ", ",").split(",") if w.strip()]
    named = {_day(word) for word in words}
    return [day for day in Day if day in named]


def _day(word: str) -> Day:
    wanted = word.strip().casefold()
    for day in Day:
        if wanted in (day.value, day.label.casefold()):
            return day
    raise ValueError(f"{word!r} is not a day of the week")
