"""Actions as minutes really write them: bare lines, running prose, what was agreed or resolved,
owners after the action, and action logs in tables, in formats the seeds do not show.

The samples are in tests/programme/samples; the expected actions below were written out by
reading each sample, not by running the parser.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from joinedup.programme.minutes import MinutesProposal, NotMinutesError, parse_minutes

SAMPLES = Path(__file__).resolve().parent / "samples"

ActionRow = tuple[str | None, str, str | None, str | None, str | None]


def sample(name: str) -> MinutesProposal:
    return parse_minutes((SAMPLES / name).read_text(encoding="utf-8"))


def actions(proposal: MinutesProposal) -> list[ActionRow]:
    """Each action as (item, wording, owner as written, the attendee it is, due)."""
    return [(a.item, a.wording, a.owner, a.owner_person, a.due) for a in proposal.actions]


# --- a modern.gov council page ----------------------------------------------------------------


def test_modern_gov_page_resolutions_and_agreed_prose() -> None:
    proposal = sample("modern_gov_board.html")
    assert proposal.meeting == "Health and Wellbeing Board"
    assert proposal.date == dt.date(2016, 3, 9)
    assert [(i.number, i.title) for i in proposal.items] == [
        ("23", "Declarations of Any Interests"),
        ("24", "Minutes of the last meeting"),
        ("25", "NHS Health Checks: uptake in the borough"),
        ("26", "Pharmaceutical Needs Assessment"),
        ("27", "Date of the next meeting"),
    ]
    assert actions(proposal) == [
        (
            "25",
            "the Director of Public Health be asked to bring a report on uptake by practice to "
            "the next meeting",
            "Director of Public Health",
            "Fiona Grant",  # the attendee whose role it is
            "next meeting",
        ),
        (
            "25",
            "a letter be sent to all GP practices encouraging them to invite eligible patients",
            None,
            None,
            None,
        ),
        (
            "26",
            "It was agreed that Healthwatch Westshire would publicise the consultation through "
            "its newsletter by 31 March 2016",
            "Healthwatch Westshire",
            None,
            "2016-03-31",
        ),
    ]
    # Approving the minutes and noting a report are decisions, not actions.
    assert proposal.items[1].decisions == [
        "RESOLVED – That the minutes of the meeting held on 13 January 2016 be approved as a "
        "correct record and signed by the Chair."
    ]
    assert proposal.next_meeting == dt.date(2016, 5, 11)
    assert "mgLocale" not in " ".join(item.text for item in proposal.items)


# --- plain text, numbered items and paragraphs ------------------------------------------------


def test_numbered_items_and_paragraphs_in_plain_text() -> None:
    proposal = sample("numbered_items.txt")
    assert proposal.date == dt.date(2016, 3, 3)
    assert [p.name for p in proposal.attendees] == [
        "Janet Moss",
        "Sgt Paul Dean",
        "Kerry Long",
        "Ahmed Rashid",
        "Beth Carey",
    ]
    assert proposal.attendees[2].organisation == "Westshire Fire and Rescue Service"
    assert [i.number for i in proposal.items] == ["1", "2", "3", "4", "5", "6"]
    assert actions(proposal) == [
        (
            "2",
            "KL to circulate the home fire safety referral form to all partners by 18 March 2016",
            "KL",
            "Kerry Long",
            "2016-03-18",
        ),
        (
            "3",
            "Paul Dean to share the hotspot map with the housing team before the next meeting",
            "Paul Dean",
            "Sgt Paul Dean",
            "next meeting",
        ),
        (
            "3",
            "Ahmed Rashid will arrange a walkabout with residents of Mill Court in April",
            "Ahmed Rashid",
            "Ahmed Rashid",
            "2016-04",
        ),
        (
            "3",
            "It was agreed that the Partnership would fund two additional evening patrols "
            "(ongoing)",
            "Partnership",
            None,
            "ongoing",
        ),
        (
            "4",
            "Janet Moss will write to the County Council to request the funding figures for "
            "2016/17",
            "Janet Moss",
            "Janet Moss",
            None,
        ),
        ("4", "Draft strategy to be circulated to members for comment", None, None, None),
    ]
    assert proposal.items[1].decisions == [
        "The minutes of the meeting on 14 January 2016 were agreed as a true record."
    ]
    assert proposal.next_meeting == dt.date(2016, 5, 5)


# --- a Word document saved as text, with bullets and tabs -------------------------------------


def test_word_export_with_bullets_tabs_and_owners_after_the_action() -> None:
    proposal = sample("word_export.txt")
    assert proposal.meeting == "Riverside Integrated Neighbourhood Team – Steering Group"
    assert proposal.date == dt.date(2016, 4, 12)
    assert [(p.name, p.organisation, p.chair) for p in proposal.attendees] == [
        ("Claire Booth", "Riverside CCG", True),
        ("Tom Ellis", "Riverside Borough Council", False),
        ("Nadia Khan", "Westshire Care NHS Foundation Trust", False),
        ("Grace Okafor", None, False),  # "Age UK Riverside" names no kind of body: a role
    ]
    assert [(i.number, i.title) for i in proposal.items] == [
        ("1", "Welcome and introductions"),
        ("2", "Neighbourhood team pilot – progress"),
        ("3", "Volunteer befriending"),
        ("4", "AOB"),
    ]
    assert actions(proposal) == [
        (
            "2",
            "Tom Ellis to contact the practice managers about referrals by the end of April",
            "Tom Ellis",
            "Tom Ellis",
            "2016-04",
        ),
        ("2", "Share the case studies with the Board", "NK", "Nadia Khan", None),
        ("2", "GO to draft an outcomes form – ongoing", "GO", "Grace Okafor", "ongoing"),
        ("3", "Volunteer handbook to be updated and reissued", None, None, None),
        ("3", "Update the referral criteria for befriending", "CB", "Claire Booth", None),
    ]
    assert proposal.next_meeting == dt.date(2016, 5, 10)


# --- an action log as an HTML table ------------------------------------------------------------


def test_an_action_log_table_in_html_with_paragraphs_in_its_cells() -> None:
    proposal = sample("action_log_table.html")
    assert proposal.date == dt.date(2016, 6, 21)
    assert actions(proposal) == [
        (
            "2",
            "Produce the benefits realisation plan for the Integrated Action Team",
            "DC",
            "Dan Cole",
            "2016-06-30",
        ),
        (
            "2",
            "Confirm the data sharing agreement with the CCG",
            "Priya Nair",
            "Priya Nair",
            "ongoing",
        ),
        ("2", "Nominate a police lead for the hub", "Mike Ross", "Mike Ross", "next meeting"),
        (
            "3",
            "Spend forecast to be revised and reported to the Executive by 12 August 2016",
            "PMO",
            None,
            "2016-08-12",
        ),
    ]
    assert [a.updates for a in proposal.actions[:3]] == [
        ["Draft shared with the PMO; final version to the next meeting."],
        [],
        ["Complete – Insp. Lee nominated"],
    ]
    # A due date in the action log is not the date of the next meeting.
    assert proposal.next_meeting == dt.date(2016, 7, 19)
    assert proposal.later_meetings == []


# --- actions only as bare lines inside items --------------------------------------------------


def test_bare_action_lines_among_narrative_and_subheadings() -> None:
    proposal = sample("bare_lines.txt")
    assert proposal.attendees[-1].organisation == "Riverside Primary School"  # wrapped line
    assert actions(proposal) == [
        ("3", "Draft terms of reference to be circulated to members", None, None, None),
        (
            "3",
            "AB to report back on the pilot at the next meeting",
            "AB",
            "Alan Brooks",
            "next meeting",
        ),
        (
            "4",
            "Jane Smith to circulate the paper by 30 June",
            "Jane Smith",
            "Jane Smith",
            "2016-06-30",
        ),
        (
            "4",
            "RG and SP to agree the data sharing protocol by the next meeting",
            "RG and SP",
            None,  # two people: the officer splits it
            "next meeting",
        ),
        (
            "4",
            "Health visiting referral pathway to be reviewed by end of September",
            None,
            None,
            "2016-09",
        ),
        (
            "5",
            "Sunil Patel will share the new neighbourhood policing contacts with members",
            "Sunil Patel",
            "Sunil Patel",
            None,
        ),
    ]
    no_owner = [w for w in proposal.warnings if w.startswith("No owner written")]
    assert len(no_owner) == 2
    assert proposal.next_meeting == dt.date(2016, 8, 9)


SUMMARY_OF_ACTIONS = """Riverside Board

Minutes of the meeting held on 3 May 2016

Present: Jo King (Chair, Riverside Council), Sam Lee (Riverside CCG)

1. Welcome

Jo welcomed members.

2. Budget

The budget was discussed.

Summary of actions

1. JK to circulate the budget by 20 May 2016

2. Book the venue for the June workshop (SL)

3) Sam Lee – confirm the CCG figures

| Action | Owner | Due |
|---|---|---|
| Refresh the profile | SL | 30/06/2016 |

Action\tBy whom\tBy when
Write to partners\tJK\tJune

3. Date of next meeting

7 June 2016
"""


def test_a_numbered_summary_of_actions_and_tables_in_markdown_and_tabs() -> None:
    proposal = parse_minutes(SUMMARY_OF_ACTIONS)
    # "3) Sam Lee – confirm ..." is an action in the list, not the third item.
    assert [(i.number, i.title) for i in proposal.items] == [
        ("1", "Welcome"),
        ("2", "Budget"),
        ("3", "Date of next meeting"),
    ]
    assert actions(proposal) == [
        ("2", "JK to circulate the budget by 20 May 2016", "JK", "Jo King", "2016-05-20"),
        ("2", "Book the venue for the June workshop", "SL", "Sam Lee", None),
        ("2", "confirm the CCG figures", "Sam Lee", "Sam Lee", None),
        ("2", "Refresh the profile", "SL", "Sam Lee", "2016-06-30"),
        ("2", "Write to partners", "JK", "Jo King", "2016-06"),
    ]
    assert proposal.next_meeting == dt.date(2016, 6, 7)


# --- one line at a time ------------------------------------------------------------------------

FRAME = """Riverside Early Help Partnership
Minutes of the meeting held on Tuesday 19 January 2016

Present: Alan Brooks (Chair, Riverside Borough Council), Jane Smith (Westshire County Council),
Rachel Green (Riverside CCG)

1. Apologies

None.

2. The pilot

{line}

3. Date of next meeting

The next meeting will be on Tuesday 15 March 2016.
"""


def read_line(line: str) -> list[tuple[str, str | None, str | None, str | None]]:
    proposal = parse_minutes(FRAME.format(line=line))
    return [(a.wording, a.owner, a.owner_person, a.due) for a in proposal.actions]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "AB to report back on the pilot at the next meeting",
            (
                "AB to report back on the pilot at the next meeting",
                "AB",
                "Alan Brooks",
                "next meeting",
            ),
        ),
        (
            "Draft terms of reference to be circulated to members",
            ("Draft terms of reference to be circulated to members", None, None, None),
        ),
        (
            "Jane Smith to circulate the paper by 30 June",
            (
                "Jane Smith to circulate the paper by 30 June",
                "Jane Smith",
                "Jane Smith",
                "2016-06-30",
            ),
        ),
        (
            "Action: Rachel Green to book the venue",
            ("Rachel Green to book the venue", "Rachel Green", "Rachel Green", None),
        ),
        (
            "The group agreed a new referral form.\n\nACTION – JS",
            ("The group agreed a new referral form", "JS", "Jane Smith", None),
        ),
        (
            "It was agreed that the Council would write to the Minister by 12 March 2016.",
            (
                "It was agreed that the Council would write to the Minister by 12 March 2016",
                "Council",
                None,
                "2016-03-12",
            ),
        ),
        (
            "Agreed: Rachel Green will share the referral figures with the group",
            (
                "Rachel Green will share the referral figures with the group",
                "Rachel Green",
                "Rachel Green",
                None,
            ),
        ),
        (
            "Resolved: That a letter be sent to all GP practices",
            ("a letter be sent to all GP practices", None, None, None),
        ),
        (
            "RESOLVED – That the Director of Public Health be asked to report back by the next "
            "meeting.",
            (
                "the Director of Public Health be asked to report back by the next meeting",
                "Director of Public Health",
                None,
                "next meeting",
            ),
        ),
        (
            "Circulate the revised budget to partners (JS)",
            ("Circulate the revised budget to partners", "JS", "Jane Smith", None),
        ),
        (
            "Update the risk register – Action: PMO",
            ("Update the risk register", "PMO", None, None),
        ),
        (
            "JS to keep the locality profile up to date (ongoing)",
            ("JS to keep the locality profile up to date (ongoing)", "JS", "Jane Smith", "ongoing"),
        ),
        (
            "Members discussed the pilot. Rachel Green to share the evaluation by 12 March 2016.",
            (
                "Rachel Green to share the evaluation by 12 March 2016",
                "Rachel Green",
                "Rachel Green",
                "2016-03-12",
            ),
        ),
        (
            "The Board agreed that JS would draft a response to the consultation.",
            (
                "The Board agreed that JS would draft a response to the consultation",
                "JS",
                "Jane Smith",
                None,
            ),
        ),
        (
            "ACTION: JS/RG – circulate the paper",
            ("circulate the paper", "JS/RG", None, None),  # two owners: left for the officer
        ),
        (
            "Action: circulate the paper – JS",
            ("circulate the paper", "JS", "Jane Smith", None),
        ),
        (
            "RESOLVED that:\n(a) the report be noted;\n(b) the Chair write to the Minister.",
            ("the Chair write to the Minister", "Chair", None, None),
        ),
        (
            "RESOLVED: (1) That the report be noted. (2) That officers prepare a business case "
            "by 30 April 2016.",
            ("officers prepare a business case by 30 April 2016", "officers", None, "2016-04-30"),
        ),
        (
            "Members discussed the paper. Action: JS to circulate it.",
            ("JS to circulate it", "JS", "Jane Smith", None),
        ),
        (
            "The board considered the pilot report.\n\nAction by: RG",
            ("The board considered the pilot report", "RG", "Rachel Green", None),
        ),
        (
            "Circulate the paper (Jane Smith)",
            ("Circulate the paper", "Jane Smith", "Jane Smith", None),
        ),
        (
            "Book the room for the workshop by 2 February 2016",
            ("Book the room for the workshop by 2 February 2016", None, None, "2016-02-02"),
        ),
    ],
)
def test_a_line_that_sets_an_action(
    line: str, expected: tuple[str, str | None, str | None, str | None]
) -> None:
    assert read_line(line) == [expected]


@pytest.mark.parametrize(
    "line",
    [
        "The group noted the update.",
        "Members were asked to note the report.",
        "Members to note the report.",
        # Past narrative: what was to happen before the meeting.
        "It was noted that the report was to be presented in 2014.",
        "The report was to be presented in 2014.",
        "Alan Brooks was to circulate the paper in 2015.",
        "It had been agreed that the Council would publish the strategy.",
        "In 2014 it was agreed that the Council would publish a strategy.",
        # Decisions in the passive, or recording a view.
        "It was agreed that the budget would be reviewed quarterly.",
        "RESOLVED – That the minutes be approved as a correct record.",
        "Partners agreed that the work fits with the wider strategy.",
        "The Executive will be updated on progress.",
        "Next steps to be agreed",
        # Headings and short phrases that start with a capital and contain "to".
        "Response to consultation",
        "Report back from the task group",
        "Update on the pilot",
        "Actions from the last meeting",
        "Thanks to all partners for their comments.",
        "Welcome to the new members of the group.",
        "Looking forward to the next phase of work.",
        "Opportunity to link with other local testbeds",
        "Resources needed to build at scale need to be sustainable.",
        # Attendance, and a person's initials after what they did, not what they are to do.
        "Apologies were noted as above.",
        "Alan Brooks in the Chair",
        "Actions updated as follows:",
        "That was the best attended meeting so far.",
        "Jane Smith presented the report (JS).",
    ],
)
def test_a_line_that_sets_no_action(line: str) -> None:
    assert read_line(line) == []


# --- robustness: never raises, never invents an owner -----------------------------------------


def squashed(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def assert_owners_written(text: str, proposal: MinutesProposal) -> None:
    """Every owner is words of the text; every person an owner resolves to attended."""
    written = (squashed(text), squashed(html.unescape(text)))
    present = {p.name for p in proposal.attendees + proposal.observers}
    for action in proposal.actions:
        if action.owner is not None:
            assert action.owner.strip()
            assert any(squashed(action.owner) in whole for whole in written), action
        if action.owner_person is not None:
            assert action.owner_person in present, action


owners = st.sampled_from(
    ["AB", "JS", "RG and SP", "Jane Smith", "Alan Brooks", "The group", "PMO", "Council", "It"]
)
verbs = st.sampled_from(
    [" to circulate the paper", " will report back", " to be circulated", " would write", " noted"]
)
tails = st.sampled_from(
    ["", " by 30 June", " by the next meeting", " (JS)", " – Action: PMO", " (ongoing)", "."]
)
leads = st.sampled_from(
    ["", "Action: ", "ACTION – ", "Agreed: ", "Resolved: That ", "It was agreed that ", "· "]
)
sentences = st.tuples(leads, owners, verbs, tails).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(sentences, min_size=1, max_size=6))
def test_action_sentences_never_raise_and_owners_are_written(lines: list[str]) -> None:
    text = FRAME.format(line="\n\n".join(lines))
    proposal = parse_minutes(text)
    assert_owners_written(text, proposal)


fragments = st.sampled_from(
    [
        "Present: Alan Brooks (Chair, Riverside Borough Council), Jane Smith",
        "Apologies: ",
        "1. The pilot\n",
        "2) Next steps\n",
        "RESOLVED – That:\n",
        "(1) ",
        "Action | Owner | Due\n",
        " | ",
        "<li>",
        "<td><p>",
        "</p></td>",
        "</tr><tr>",
        "&amp;",
        "\t",
        "o\t",
        "•\t",
        "AB to report back",
        "to be circulated",
        "It was agreed that",
        " would ",
        "(JS)",
        "– Action: ",
        "ongoing",
        " by 12 March 2016",
        "\n",
        "\n\n",
        "(",
        ")",
        "23.\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(fragments, st.text(max_size=10)), max_size=30).map("".join))
def test_any_text_never_raises_and_owners_are_written(text: str) -> None:
    try:
        proposal = parse_minutes(text)
    except NotMinutesError as refused:
        assert str(refused)
        return
    assert_owners_written(text, proposal)


narrative_subjects = st.sampled_from(
    ["The group", "Members", "The Board", "Partners", "Jane Smith", "The Chair", "It"]
)
narrative_verbs = st.sampled_from(
    [
        " noted",
        " were asked to note",
        " discussed",
        " welcomed",
        " was noted that",
        " had been asked to review",
        " agreed that the report would be received",
        " presented",
        " thanked partners for",
    ]
)
narrative_objects = st.sampled_from(
    [" the update", " the report", " the figures for 2014", " the pilot", " progress", ""]
)
narrative = st.tuples(narrative_subjects, narrative_verbs, narrative_objects).map(
    lambda parts: "".join(parts) + "."
)


@settings(max_examples=150, deadline=None)
@given(st.lists(narrative, min_size=1, max_size=5).map(" ".join))
def test_narrative_sets_no_action(paragraph: str) -> None:
    assert read_line(paragraph) == []


def test_headings_on_lines_of_their_own_one_person_a_line_and_no_apologies() -> None:
    proposal = parse_minutes(
        "Implementation Group\n"
        "Minutes of the meeting held on 3 March 2016\n\n"
        "Present\n"
        "Jane Smith, Chorley Council (Chair)\n"
        "Ab Bee, Lancashire Police\n"
        "Cy Dee, Ed Eff\n\n"
        "Apologies\n"
        "none received\n\n"
        "1. Welcome\n"
        "The chair welcomed members.\n\n"
        "Date of next meeting: 5 May 2016\n"
    )
    attendees = [(p.name, p.organisation, p.chair) for p in proposal.attendees]
    assert attendees == [
        ("Jane Smith", "Chorley Council", True),
        ("Ab Bee", "Lancashire Police", False),
        ("Cy Dee", None, False),
        ("Ed Eff", None, False),
    ]
    assert proposal.apologies == []
    assert proposal.next_meeting == dt.date(2016, 5, 5)
