"""The minutes importer: the seed minutes read by hand, and formats the seeds do not show.

The expected values below were written out by reading each file in ../shared/seeds, not by
running the parser.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.programme.minutes import (
    MinutesProposal,
    NotMinutesError,
    Person,
    html_to_text,
    parse_minutes,
)

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
if not SEEDS.is_dir():  # a worktree under /work: the seeds sit beside it
    SEEDS = Path("/work/shared/seeds")


def seed(prefix: str) -> str:
    paths = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not paths:
        pytest.skip(f"seed {prefix} not found in {SEEDS}")
    return paths[0].read_text(encoding="utf-8")


def people(found: list[Person]) -> list[tuple[str, str | None, str | None, bool]]:
    return [(p.name, p.role, p.organisation, p.chair) for p in found]


# --- 001: the Executive of 19 July 2016 --------------------------------------------------------


@pytest.fixture(scope="module")
def executive() -> MinutesProposal:
    return parse_minutes(seed("001"))


def test_001_meeting_and_date(executive: MinutesProposal) -> None:
    assert executive.meeting == "Chorley Public Service Reform Executive"
    assert executive.date == dt.date(2016, 7, 19)


def test_001_attendees_with_roles_organisations_and_the_chair(executive: MinutesProposal) -> None:
    assert people(executive.attendees) == [
        ("Councillor Alistair Bradley", None, None, True),
        ("Paul Leadbetter", "Leader of the Opposition", "Chorley Council", False),
        ("Gary Hall", "Chief Executive", "Chorley Council", False),
        (
            "Carole Spencer",
            "Strategy and Development Manager",
            "Lancashire Teaching Hospitals NHS Trust",
            False,
        ),
        ("Sue Moore", None, "Lancashire Care NHS Foundation Trust", False),
        ("Steve Winterson", None, "Lancashire Care NHS Foundation Trust", False),
        ("Dr Shashidhar Khandavalli", None, "The Chorley Surgery", False),
        ("Andrea Trafford", "GP Business Manager", None, False),
        (
            "County Councillor Tony Martin",
            "Cabinet Member for Adult and Community Services",
            "Lancashire County Council",
            False,
        ),
        ("Mel Ormesher", None, "Lancashire County Council", False),
        ("Jon Clegg", "Early Action", "Lancashire Constabulary", False),
        ("Allan Jones", "Business Advocate", None, False),
        ("Vicky Willett", None, "Chorley Council", False),
    ]


def test_001_apologies_and_observers(executive: MinutesProposal) -> None:
    assert people(executive.apologies) == [
        ("Diane Gradwell", None, "VCFS Network", False),
        ("Beverley Glenn", None, "Department for Work and Pensions", False),
        ("John Buck", None, "Lancashire Fire and Rescue", False),
        ("Janet Hodgson", None, "Runshaw College", False),
    ]
    assert [p.name for p in executive.observers] == ["Councillor Hasina Khan", "Hayley Hughes"]
    assert executive.observers[1].role == "Officer"


def test_001_items(executive: MinutesProposal) -> None:
    assert [(i.number, i.title) for i in executive.items] == [
        ("1", "WELCOME AND APOLOGIES FOR ABSENCE"),
        ("2", "MINUTES AND MATTERS ARISING FROM EXECUTIVE MEETING ON 17.05.16"),
        ("3", "YEAR 1 PROGRAMME UPDATE AND HEADLINE FINDINGS"),
        ("4", "OUR HEALTH, OUR CARE PROGRAMME"),
        ("5", "UPDATES ON LANCASHIRE COUNTY COUNCIL DEVELOPMENTS"),
        ("6", "ANY OTHER BUSINESS"),
        ("7", "DATE OF NEXT MEETING"),
    ]
    assert "Carole Spencer presented an overview" in executive.items[3].text
    assert executive.items[1].decisions == [
        "Minutes agreed as correct record, with no matters arising."
    ]
    assert any("approved the proposal in principle" in d for d in executive.items[5].decisions)
    assert executive.items[4].decisions == []


def test_001_actions_with_owners_due_dates_and_updates(executive: MinutesProposal) -> None:
    found = [
        (a.item, a.wording.split(" ", 4)[:4], a.owner, a.owner_person, a.due, a.updates)
        for a in executive.actions
    ]
    assert found == [
        (
            "2",
            ["Vicky", "to", "contact", "LCC"],
            "Vicky",
            "Vicky Willett",
            None,
            [
                "issue raised with Safeguarding Team (LCC), but no update as yet, agreed to "
                "clear through Extended MDT group."
            ],
        ),
        (
            "2",
            ["Steve", "to", "provide", "contact"],
            "Steve",
            "Steve Winterson",
            None,
            [
                "cleared as contact received, and dashboard to be progressed as part of "
                "evaluation in September."
            ],
        ),
        (
            "2",
            ["Executive", "to", "consider", "the"],
            "Executive",
            None,
            None,
            ["cleared as responses received from Executive"],
        ),
        (
            "2",
            ["Cllr", "Bradley", "to", "send"],
            "Cllr Bradley",
            "Councillor Alistair Bradley",
            None,
            [
                "in progress, further information obtained including links with WPEH strategy "
                "to support informed response – consultation closes 14th August."
            ],
        ),
        ("3", ["Executive", "to", "consider", "the"], "Executive", None, None, []),
        ("3", ["PMO", "to", "arrange", "discussions"], "PMO", None, "2016-09", []),
        (
            "6",
            ["Dr", "Dr", "Khandavalli", "to"],
            "Dr Dr Khandavalli",
            "Dr Shashidhar Khandavalli",
            "2016-09",
            [],
        ),
    ]
    assert executive.actions[0].wording == (
        "Vicky to contact LCC regarding Child Protection Order concern"
    )


def test_001_next_meetings(executive: MinutesProposal) -> None:
    assert executive.next_meeting == dt.date(2016, 9, 27)
    assert executive.later_meetings == [dt.date(2016, 11, 22)]


def test_001_warnings_name_what_is_missing(executive: MinutesProposal) -> None:
    assert "No organisation written for Andrea Trafford." in executive.warnings
    assert not any("No owner" in w for w in executive.warnings)


# --- 002 and 003: the minutes of one agenda item -----------------------------------------------


def test_002_one_agenda_item_without_actions() -> None:
    proposal = parse_minutes(seed("002"))
    assert proposal.meeting is None and proposal.date is None
    assert proposal.attendees == [] and proposal.apologies == []
    assert [(i.number, i.title) for i in proposal.items] == [(None, "Outline Business Case")]
    assert proposal.items[0].text.startswith("Vicky Willett explained that the Outline Business")
    assert "Supporting documents" not in proposal.items[0].text
    assert proposal.actions == []
    assert proposal.next_meeting is None
    assert any("one agenda item" in w for w in proposal.warnings)


def test_003_bare_action_lines_and_the_decision() -> None:
    proposal = parse_minutes(seed("003"))
    assert [(i.number, i.title) for i in proposal.items] == [
        (None, "Overview Evaluation (Year One)")
    ]
    assert [(a.owner, a.due) for a in proposal.actions] == [
        ("Implementation Group", "November"),
        ("Executive members", None),
    ]
    assert proposal.actions[0].wording.startswith(
        "Implementation Group to develop proposals on workstreams and present this back"
    )
    assert proposal.actions[1].wording.startswith(
        "Executive members to communicate support for evaluation findings"
    )
    assert proposal.items[0].decisions == [
        "The Executive approved the findings from the Year One evaluation, and recommendations "
        "which were to:"
    ]
    # The bulleted comments and numbered recommendations are text, not items or actions.
    assert "· Placed based service integration;" in proposal.items[0].text
    assert proposal.next_meeting is None


# --- 004: a programme update paper, not minutes ------------------------------------------------


def test_004_a_paper_is_refused_with_the_reason() -> None:
    with pytest.raises(NotMinutesError, match="does not look like minutes") as refused:
        parse_minutes(seed("004"))
    assert "purpose of this paper" in str(refused.value)
    assert "no attendance list" in str(refused.value)


def test_an_agenda_is_not_minutes() -> None:
    agenda = (
        "AGENDA\n\nHealth and Wellbeing Board\n\n1. Welcome\n\n2. Apologies\n\n"
        "3. Minutes of the last meeting\n\n4. Any other business\n"
    )
    with pytest.raises(NotMinutesError):
        parse_minutes(agenda)


def test_empty_text_is_not_minutes() -> None:
    with pytest.raises(NotMinutesError, match="empty"):
        parse_minutes(" \n\xa0\n")


# --- formats the seeds do not show -------------------------------------------------------------

HTML_MINUTES = """<!DOCTYPE html><html><head><title>Minutes</title>
<style>p { color: red }</style></head><body>
<h1>South Ribble Community Safety Partnership</h1>
<p>Minutes of the meeting held on Wednesday, 8th March 2017 at the Civic Centre</p>
<h2>Present</h2>
<ul><li>Councillor Jane Doe (Chair)</li>
<li>Mark Smith (Community Safety Manager, South Ribble Borough Council)</li>
<li>Inspector Amy Lee (Lancashire Constabulary)</li></ul>
<p><strong>Apologies:</strong> Tom Brown (Lancashire Fire and Rescue Service)</p>
<p><strong>In attendance:</strong> Priya Patel (Minute taker)</p>
<h3>1. Apologies</h3><p>Apologies were noted.</p>
<h3>2. Anti-social behaviour hotspots</h3>
<p>Mark Smith presented the hotspot map &amp; the partners discussed patrols.<br>
The Partnership agreed to extend the pilot to Leyland.</p>
<p>ACTION: Mark Smith to circulate the map to members by 31 March 2017</p>
<h3>3. Date of next meeting</h3>
<p>The next meeting will be held on 14/06/2017 at 10am.</p>
</body></html>"""


def test_html_minutes() -> None:
    proposal = parse_minutes(HTML_MINUTES)
    assert proposal.meeting == "South Ribble Community Safety Partnership"
    assert proposal.date == dt.date(2017, 3, 8)
    assert people(proposal.attendees) == [
        ("Councillor Jane Doe", None, None, True),
        (
            "Mark Smith",
            "Community Safety Manager",
            "South Ribble Borough Council",
            False,
        ),
        ("Inspector Amy Lee", None, "Lancashire Constabulary", False),
    ]
    assert people(proposal.apologies) == [
        ("Tom Brown", None, "Lancashire Fire and Rescue Service", False)
    ]
    assert people(proposal.observers) == [("Priya Patel", "Minute taker", None, False)]
    assert [(i.number, i.title) for i in proposal.items] == [
        ("1", "Apologies"),
        ("2", "Anti-social behaviour hotspots"),
        ("3", "Date of next meeting"),
    ]
    assert "hotspot map & the partners" in proposal.items[1].text
    assert proposal.items[1].decisions == ["The Partnership agreed to extend the pilot to Leyland."]
    [action] = proposal.actions
    assert (action.owner, action.owner_person, action.due, action.item) == (
        "Mark Smith",
        "Mark Smith",
        "2017-03-31",
        "2",
    )
    assert proposal.next_meeting == dt.date(2017, 6, 14)
    assert "color" not in " ".join(i.text for i in proposal.items)


def test_html_to_text_keeps_paragraph_breaks() -> None:
    text = html_to_text("<p>One&nbsp;two</p><p>Three<br>four</p><ul><li>five</li></ul>")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines == ["One two", "Three", "four", "· five"]


BARE_ACTIONS = """Chorley Integrated Wellbeing Implementation Group

19th July 2016

Present: Anna Bell (Chair, Chorley Council), Chris Dunn (Lancashire Care NHS Foundation Trust),
Sam Ahmed (Chorley and South Ribble CCG)

Apologies: Emma Fox

1. Apologies

Apologies were noted as above.

2. Terms of reference

Members discussed the draft terms of reference.

Draft terms of reference to be circulated to members

AB to report back on the pilot at the next meeting

CD and SA to agree a data sharing agreement by 01/09/2016

3. Date of next meeting

Date of next meeting: Tuesday 20 September
"""


def test_bare_action_lines() -> None:
    proposal = parse_minutes(BARE_ACTIONS)
    assert proposal.date == dt.date(2016, 7, 19)
    assert [p.name for p in proposal.attendees] == ["Anna Bell", "Chris Dunn", "Sam Ahmed"]
    assert proposal.attendees[0].chair and proposal.attendees[0].organisation == "Chorley Council"
    assert proposal.attendees[2].organisation == "Chorley and South Ribble CCG"
    assert people(proposal.apologies) == [("Emma Fox", None, None, False)]
    assert [(a.wording, a.owner, a.owner_person, a.due) for a in proposal.actions] == [
        ("Draft terms of reference to be circulated to members", None, None, None),
        (
            "AB to report back on the pilot at the next meeting",
            "AB",
            "Anna Bell",
            "next meeting",
        ),
        (
            "CD and SA to agree a data sharing agreement by 01/09/2016",
            "CD and SA",
            None,
            "2016-09-01",
        ),
    ]
    assert any("Draft terms of reference" in w and "No owner" in w for w in proposal.warnings)
    # "Tuesday 20 September" has no year: the first 20 September after the meeting.
    assert proposal.next_meeting == dt.date(2016, 9, 20)


TABLE_ACTIONS = """MINUTES OF THE HEALTH AND WELLBEING PARTNERSHIP

Date: 19/07/2016

Attendees
Jo King – Public Health Lead, Lancashire County Council
Raj Singh – Lancashire Teaching Hospitals NHS Trust

Apologies – Lee Cole (Runshaw College)

1. Welcome and apologies
Jo King welcomed members.

2. Action log
Action | Owner | Due | Update
Refresh the locality profile | JK | 30/09/2016 | Data received from the CCG
Book the venue for the workshop | Raj Singh | next meeting |

3. Any other business
None.

The next meeting will be held on Tuesday, 18 October 2016.
"""


def test_action_owner_due_table() -> None:
    proposal = parse_minutes(TABLE_ACTIONS)
    assert proposal.meeting == "MINUTES OF THE HEALTH AND WELLBEING PARTNERSHIP"
    assert proposal.date == dt.date(2016, 7, 19)
    assert people(proposal.attendees) == [
        ("Jo King", "Public Health Lead", "Lancashire County Council", False),
        ("Raj Singh", None, "Lancashire Teaching Hospitals NHS Trust", False),
    ]
    assert people(proposal.apologies) == [("Lee Cole", None, "Runshaw College", False)]
    assert [(i.number, i.title) for i in proposal.items] == [
        ("1", "Welcome and apologies"),
        ("2", "Action log"),
        ("3", "Any other business"),
    ]
    assert [(a.wording, a.owner, a.owner_person, a.due, a.updates) for a in proposal.actions] == [
        (
            "Refresh the locality profile",
            "JK",
            "Jo King",
            "2016-09-30",
            ["Data received from the CCG"],
        ),
        ("Book the venue for the workshop", "Raj Singh", "Raj Singh", "next meeting", []),
    ]
    assert proposal.next_meeting == dt.date(2016, 10, 18)
    assert "No chair marked among the attendees." in proposal.warnings


ACTION_DASH_OWNER = """Preston Locality Board

Thursday, 2 February 2017

PRESENT: Alan Bishop (Preston City Council), Beth Carter (Lancashire Constabulary) in the Chair

1. Apologies

None.

2. Housing pilot

The board considered the housing pilot report. The report would be shared with partners.

Action – AB

3. Date of Next Meeting

The next meeting will be held on 2nd March 2017.
"""


def test_action_dash_owner_under_its_paragraph() -> None:
    proposal = parse_minutes(ACTION_DASH_OWNER)
    assert [(p.name, p.chair) for p in proposal.attendees] == [
        ("Alan Bishop", False),
        ("Beth Carter", True),
    ]
    [action] = proposal.actions
    assert action.wording.startswith("The board considered the housing pilot report")
    assert (action.owner, action.owner_person) == ("AB", "Alan Bishop")
    assert proposal.next_meeting == dt.date(2017, 3, 2)


def test_an_ambiguous_owner_is_not_resolved() -> None:
    text = BARE_ACTIONS.replace("Emma Fox", "Emma Fox\n\nObservers: Andy Brown").replace(
        "Sam Ahmed (Chorley", "Adam Baker (Chorley"
    )
    proposal = parse_minutes(text)
    action = next(a for a in proposal.actions if a.owner == "AB")
    assert action.owner_person is None  # Anna Bell or Adam Baker


# --- robustness --------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    try:
        proposal = parse_minutes(text)
    except NotMinutesError as refused:
        assert str(refused)
    else:
        assert isinstance(proposal, MinutesProposal)
        json.dumps(proposal.as_dict())


fragments = st.sampled_from(
    [
        "PRESENT:",
        "Apologies: ",
        "Present",
        "In attendance",
        "1. Apologies",
        "2. Minutes",
        "ACTION: ",
        "Action – AB",
        "Update - ",
        "Date of next meeting",
        "Action | Owner | Due",
        " | ",
        "AB to report back",
        "to be circulated",
        "(Chair, Chorley Council)",
        "19/07/2016",
        "31/02/2016",
        "Tuesday, 19 July 2016",
        "Agenda item",
        "Minutes:",
        "<p>",
        "</li>",
        "&amp;",
        "·",
        "\n",
        "\n\n",
        "(",
        ")",
        ", ",
        " and ",
        "Gary Hall",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(fragments, st.text(max_size=12)), max_size=30).map("".join))
def test_never_raises_on_minutes_like_text(text: str) -> None:
    try:
        proposal = parse_minutes(text)
    except NotMinutesError as refused:
        assert str(refused)
    else:
        json.dumps(proposal.as_dict())


# --- the command -------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_json(tmp_path: Path) -> None:
    path = tmp_path / "minutes.html"
    path.write_text(HTML_MINUTES, encoding="utf-8")
    result = runner.invoke(app, ["minutes", "parse", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["date"] == "2017-03-08"
    assert data["next_meeting"] == "2017-06-14"
    assert data["actions"][0]["owner"] == "Mark Smith"


def test_cli_human_readable() -> None:
    paths = sorted(SEEDS.glob("001_*.txt"))
    if not paths:
        pytest.skip("seed 001 not found")
    result = runner.invoke(app, ["minutes", "parse", str(paths[0])])
    assert result.exit_code == 0, result.output
    assert "Councillor Alistair Bradley [chair]" in result.output
    assert "Next meeting: 2016-09-27 (then 2016-11-22)" in result.output


def test_cli_refuses_a_paper(tmp_path: Path) -> None:
    path = tmp_path / "paper.txt"
    path.write_text(
        "PROGRAMME UPDATE\n\nPURPOSE\n\nThe purpose of this paper is to advise members.\n\n"
        "RECOMMENDATION\n\nMembers are asked to give approval to the plans.\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["minutes", "parse", str(path), "--json"])
    assert result.exit_code == 1
    assert "does not look like minutes" in result.output


def test_cli_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["minutes", "parse", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert "Could not read" in result.output


COUNCIL_PAGE = """<html><body><div class="mgContent">
<h2>Executive Cabinet - Thursday, 22nd September, 2016 6.00 pm</h2>
<p><b>Present:</b> Councillor Alistair Bradley (Chair), Councillor Peter Wilson (Vice-Chair)
and Councillors Beverley Murray and Paul Walmsley</p>
<p><b>Also in attendance:</b> Gary Hall (Chief Executive)</p>
<p>Apologies were received from Councillor Adrian Lowe.</p>
<table><tr><th>Action</th><th>Owner</th><th>Due</th></tr>
<tr><td>Publish the consultation</td><td>PW</td><td>October 2016</td></tr>
<tr><td>Report back on the pilot</td><td>Gary Hall</td><td>at the next meeting</td></tr></table>
<h3>16.EC.1 Minutes of meeting Thursday, 18 August 2016 of Executive Cabinet</h3>
<p>RESOLVED – That the minutes be approved as a correct record.</p>
<h3>16.EC.2 Town centre masterplan</h3>
<p>Members discussed the masterplan.</p>
<p>The next meeting will be on Thursday 20 October 2016 at 6pm.</p>
</div></body></html>"""


def test_a_council_minutes_page_with_an_html_action_table() -> None:
    proposal = parse_minutes(COUNCIL_PAGE)
    assert proposal.meeting == "Executive Cabinet"
    assert proposal.date == dt.date(2016, 9, 22)
    assert people(proposal.attendees) == [
        ("Councillor Alistair Bradley", None, None, True),
        ("Councillor Peter Wilson", "Vice-Chair", None, False),
        ("Councillor Beverley Murray", None, None, False),
        ("Councillor Paul Walmsley", None, None, False),
    ]
    assert people(proposal.observers) == [("Gary Hall", "Chief Executive", None, False)]
    assert [p.name for p in proposal.apologies] == ["Councillor Adrian Lowe"]
    assert [(i.number, i.title) for i in proposal.items if i.number] == [
        ("16.EC.1", "Minutes of meeting Thursday, 18 August 2016 of Executive Cabinet"),
        ("16.EC.2", "Town centre masterplan"),
    ]
    assert proposal.items[1].decisions == [
        "RESOLVED – That the minutes be approved as a correct record."
    ]
    assert [(a.wording, a.owner, a.owner_person, a.due) for a in proposal.actions] == [
        # PW: Peter Wilson or Paul Walmsley, so left for the officer to say.
        ("Publish the consultation", "PW", None, "2016-10"),
        # An officer in attendance can own an action.
        ("Report back on the pilot", "Gary Hall", "Gary Hall", "next meeting"),
    ]
    assert proposal.next_meeting == dt.date(2016, 10, 20)


BULLETED_LISTS = """Minutes of the Chorley Health Board

Held on July 19, 2016

Members present:
· Gary Hall (Chief Executive, Chorley Council)
· Dr Sarah James (Chair, Chorley and South Ribble CCG)
· Mel Ormesher (Lancashire County Council)

Apologies for absence: Sue Moore (Lancashire Care NHS Foundation Trust); Jon Clegg (Lancashire Constabulary)

Item 1: Welcome
The chair welcomed everyone.

Item 2: Finance report
Members noted the report. It was agreed that the budget would be reviewed quarterly.
Circulate the budget to all partners. ACTION: GH

Action points:
· Mel to share the asset review timetable
· Confirm venue for the October workshop

Item 3: Date of next meeting
Tuesday 13th September 2016, 2pm, Town Hall
"""


def test_bulleted_attendance_inline_action_owner_and_an_action_points_list() -> None:
    proposal = parse_minutes(BULLETED_LISTS)
    assert proposal.date == dt.date(2016, 7, 19)
    assert people(proposal.attendees) == [
        ("Gary Hall", "Chief Executive", "Chorley Council", False),
        ("Dr Sarah James", None, "Chorley and South Ribble CCG", True),
        ("Mel Ormesher", None, "Lancashire County Council", False),
    ]
    assert [p.name for p in proposal.apologies] == ["Sue Moore", "Jon Clegg"]
    assert [(i.number, i.title) for i in proposal.items] == [
        ("1", "Welcome"),
        ("2", "Finance report"),
        ("3", "Date of next meeting"),
    ]
    assert proposal.items[1].decisions == [
        "It was agreed that the budget would be reviewed quarterly."
    ]
    assert [(a.wording, a.owner, a.owner_person) for a in proposal.actions] == [
        ("Circulate the budget to all partners", "GH", "Gary Hall"),
        ("Mel to share the asset review timetable", "Mel", "Mel Ormesher"),
        ("Confirm venue for the October workshop", None, None),
    ]
    assert proposal.next_meeting == dt.date(2016, 9, 13)


ONE_PER_LINE = """Chorley Community Safety Partnership
Minutes – 2016-07-19

Attendees:
John Smith, Head of Housing, Chorley Council
Jane Doe, Lancashire Constabulary
Kim Lowe, Chair

In attendance
Name | Organisation
Pat Green | Lancashire County Council

Apologies
Bob Stone, Runshaw College

1) Introduction to the new service
Response to consultation
The group reviewed progress. Thanks to all partners.
JS to circulate notes by 31-07-2016.
Kim to chair the task group.

2) Next meeting
Next meeting: to be confirmed
"""


def test_a_name_per_line_a_table_of_names_and_lines_that_are_not_actions() -> None:
    proposal = parse_minutes(ONE_PER_LINE)
    assert proposal.date == dt.date(2016, 7, 19)
    assert people(proposal.attendees) == [
        ("John Smith", "Head of Housing", "Chorley Council", False),
        ("Jane Doe", None, "Lancashire Constabulary", False),
        ("Kim Lowe", None, None, True),
    ]
    assert people(proposal.observers) == [("Pat Green", None, "Lancashire County Council", False)]
    assert people(proposal.apologies) == [("Bob Stone", None, "Runshaw College", False)]
    assert [(i.number, i.title) for i in proposal.items] == [
        ("1", "Introduction to the new service"),
        ("2", "Next meeting"),
    ]
    # "Response to consultation" and "Thanks to all partners" are not actions.
    assert [(a.owner, a.owner_person, a.due) for a in proposal.actions] == [
        ("JS", "John Smith", "2016-07-31"),
        ("Kim", "Kim Lowe", None),
    ]
    assert proposal.next_meeting is None
    assert "No date of the next meeting found." in proposal.warnings


CHAIR_LINE = """Chorley Health and Wellbeing Partnership
Minutes of the meeting held on 3rd May 2017

Chair: Dr Sarah James (Chorley and South Ribble CCG)
Present: Gary Hall (Chorley Council), Dr Sarah James, Mel Ormesher (Lancashire County Council)
Apologies: None
Minute taker: Hayley Hughes (Chorley Council)

1. Apologies
None.

2. Winter plan
All partners to share their winter plans with the PMO by 1 June 2017.
Action: Hayley
"""


def test_a_chair_line_no_apologies_and_an_owner_line_under_an_action() -> None:
    proposal = parse_minutes(CHAIR_LINE)
    assert proposal.meeting == "Chorley Health and Wellbeing Partnership"
    assert proposal.date == dt.date(2017, 5, 3)
    assert people(proposal.attendees) == [
        ("Gary Hall", None, "Chorley Council", False),
        ("Dr Sarah James", None, "Chorley and South Ribble CCG", True),
        ("Mel Ormesher", None, "Lancashire County Council", False),
    ]
    assert proposal.apologies == []
    assert people(proposal.observers) == [
        ("Hayley Hughes", "Minute taker", "Chorley Council", False)
    ]
    [action] = proposal.actions
    assert action.wording == (
        "All partners to share their winter plans with the PMO by 1 June 2017"
    )
    assert (action.owner, action.owner_person, action.due) == (
        "Hayley",
        "Hayley Hughes",
        "2017-06-01",
    )


def test_an_agenda_with_an_apologies_heading_is_not_minutes() -> None:
    agenda = (
        "Chorley Public Service Reform Executive\n\nAGENDA\n\nApologies for absence\n\n"
        "1. Welcome\n\n2. Minutes of the last meeting\n\n3. Programme update (paper attached)\n"
    )
    with pytest.raises(NotMinutesError):
        parse_minutes(agenda)
