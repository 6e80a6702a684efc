"""Dates that cannot be taken as said, at each step: a day the calendar does not have is
named and asked again, a departure before the arrival is offered the right way round, and a
stay outside this year is told back with its year."""

from __future__ import annotations

from datetime import date

from agente.conversation.dialogue.state import Step
from agente.conversation.nlu.types import IntentName, NoSuchDay
from agente.conversation.replies.format import format_stay, party_text
from tests.unit.conversation.dialogue.desk import ARRIVAL, DEPARTURE, Desk, en

JUNE_STAY = format_stay(ARRIVAL, DEPARTURE, "en")
TWO_ADULTS = party_text(2, 0, 1, "en")
OFFERED_IN, OFFERED_OUT = date(2030, 6, 18), date(2030, 6, 20)
OFFERED = format_stay(OFFERED_IN, OFFERED_OUT, "en")


# --- a day that does not exist --------------------------------------------------------------


async def test_idle_a_day_that_does_not_exist_is_named_and_the_arrival_asked_for(desk: Desk) -> None:
    outcome = await desk.send(
        "Feb 30 to Mar 3 for 2",
        IntentName.CHECK_AVAILABILITY,
        no_such_day=NoSuchDay(30, 2),
        check_out=date(2031, 3, 3),
        adults=2,
    )
    assert outcome.replies == (en("no_such_day", day="February 30"), en("ask_check_in", check_out="March 3, 2031"))
    assert outcome.step is Step.ASK_STAY
    # The valid date keeps its role: March 3 is the departure, never the arrival.
    assert (outcome.slots.check_in, outcome.slots.check_out) == (None, "2031-03-03")


async def test_ask_stay_the_arrival_given_next_keeps_the_departure_and_quotes(desk: Desk) -> None:
    await desk.send(
        "june 31 to july 2", IntentName.CHECK_AVAILABILITY, no_such_day=NoSuchDay(31, 6), check_out=date(2030, 7, 2)
    )
    outcome = await desk.send("sorry, the 30th. 2 adults", check_in=date(2030, 6, 30), adults=2)
    assert outcome.step is Step.CHOOSE_ROOM
    assert (outcome.slots.check_in, outcome.slots.check_out) == ("2030-06-30", "2030-07-02")
    assert outcome.replies[0] == en(
        "quote_header", stay=format_stay(date(2030, 6, 30), date(2030, 7, 2), "en"), party=TWO_ADULTS
    )


async def test_idle_a_day_past_the_end_of_any_month_keeps_the_arrival_and_asks_until_when(desk: Desk) -> None:
    outcome = await desk.send(
        "from the 30th to the 32nd", IntentName.BOOK_ROOM, no_such_day=NoSuchDay(32), check_in=date(2030, 5, 30)
    )
    assert outcome.replies == (en("no_such_day", day="day 32"), en("ask_check_out", check_in="May 30"))
    assert (outcome.slots.check_in, outcome.slots.check_out) == ("2030-05-30", None)


async def test_choose_room_a_correction_to_a_day_that_does_not_exist_asks_again_without_quoting(
    desk: Desk,
) -> None:
    await desk.quoted()
    outcome = await desk.send("make it april 31 instead", no_such_day=NoSuchDay(31, 4))
    assert outcome.replies == (en("no_such_day", day="April 31"), en("ask_dates"))
    assert outcome.step is Step.ASK_STAY and outcome.slots.stay is None


async def test_a_day_that_does_not_exist_is_not_a_misunderstanding(desk: Desk) -> None:
    outcome = await desk.send("30/02", confidence=0.2, no_such_day=NoSuchDay(30, 2))
    assert outcome.understood and outcome.replies[0] == en("no_such_day", day="February 30")


# --- a departure before the arrival -------------------------------------------------------


async def test_idle_a_departure_before_the_arrival_is_offered_the_right_way_round(desk: Desk) -> None:
    outcome = await desk.send(
        "from the 20th to the 18th, 2 adults",
        IntentName.CHECK_AVAILABILITY,
        reversed_stay=(OFFERED_IN, OFFERED_OUT),
        adults=2,
    )
    assert outcome.replies == (en("reversed_stay", stay=OFFERED),)
    assert outcome.step is Step.ASK_STAY
    s = outcome.slots
    # Nothing is quoted, and no stay of a year or a month is made up.
    assert (s.check_in, s.check_out, s.quote) == (None, None, [])
    assert (s.proposed_check_in, s.proposed_check_out) == ("2030-06-18", "2030-06-20")


async def test_ask_stay_yes_takes_the_stay_offered_and_quotes_it(desk: Desk) -> None:
    await desk.send("from the 20th to the 18th, 2 adults", reversed_stay=(OFFERED_IN, OFFERED_OUT), adults=2)
    outcome = await desk.send("yes that's it", IntentName.AFFIRM)
    assert outcome.replies[0] == en("quote_header", stay=OFFERED, party=TWO_ADULTS)
    assert outcome.step is Step.CHOOSE_ROOM
    s = outcome.slots
    assert (s.check_in, s.check_out, s.proposed_check_in) == ("2030-06-18", "2030-06-20", None)


async def test_ask_stay_no_to_the_stay_offered_asks_for_the_dates_and_keeps_the_request(desk: Desk) -> None:
    await desk.send("from the 20th to the 18th, 2 adults", reversed_stay=(OFFERED_IN, OFFERED_OUT), adults=2)
    outcome = await desk.send("no", IntentName.DENY)
    assert outcome.replies == (en("ask_dates"),)
    assert outcome.step is Step.ASK_STAY
    assert (outcome.slots.proposed_check_in, outcome.slots.adults) == (None, 2)


async def test_ask_stay_other_dates_instead_of_an_answer_replace_the_offer(desk: Desk) -> None:
    await desk.send("from the 20th to the 18th, 2 adults", reversed_stay=(OFFERED_IN, OFFERED_OUT), adults=2)
    outcome = await desk.send("no wait, june 10 to 13", IntentName.DENY, check_in=ARRIVAL, check_out=DEPARTURE)
    assert outcome.replies[0] == en("quote_header", stay=JUNE_STAY, party=TWO_ADULTS)
    assert outcome.slots.proposed_check_in is None


async def test_choose_room_a_reversed_correction_keeps_the_quote_until_the_guest_says_yes(desk: Desk) -> None:
    await desk.quoted()
    outcome = await desk.send("actually the 20th to the 18th", reversed_stay=(OFFERED_IN, OFFERED_OUT))
    assert outcome.replies == (en("reversed_stay", stay=OFFERED),)
    assert outcome.slots.stay == (ARRIVAL, DEPARTURE)
    outcome = await desk.send("yep", IntentName.AFFIRM)
    assert outcome.replies[0] == en("quote_header", stay=OFFERED, party=TWO_ADULTS)
    assert outcome.slots.stay == (OFFERED_IN, OFFERED_OUT)


async def test_ask_stay_a_question_meanwhile_asks_about_the_offer_again(desk: Desk) -> None:
    await desk.send("from the 20th to the 18th, 2 adults", reversed_stay=(OFFERED_IN, OFFERED_OUT), adults=2)
    outcome = await desk.send("is there parking?", IntentName.FAQ, topic="parking")
    assert outcome.replies[-1] == en("resume", question=en("reversed_stay", stay=OFFERED))


async def test_modify_what_a_reversed_change_is_offered_and_yes_quotes_it(desk: Desk) -> None:
    booking = await desk.booked()
    await desk.send(
        f"{booking.reference} ana@example.com",
        IntentName.MODIFY_BOOKING,
        booking_ref=booking.reference,
        email="ana@example.com",
    )
    outcome = await desk.send("the 20th to the 18th", reversed_stay=(OFFERED_IN, OFFERED_OUT))
    assert outcome.replies == (en("reversed_stay", stay=OFFERED),) and outcome.step is Step.MODIFY_WHAT
    assert desk.slots.stay == (ARRIVAL, DEPARTURE)
    outcome = await desk.send("yes", IntentName.AFFIRM)
    assert outcome.step is Step.CONFIRM_MODIFY
    assert outcome.replies == (
        en("confirm_modify", room="Standard Double", stay=OFFERED, party=TWO_ADULTS, total="USD 200.00", fees_note=""),
    )


# --- the year -------------------------------------------------------------------------------


async def test_a_stay_next_year_is_quoted_with_its_year(desk: Desk) -> None:
    check_in, check_out = date(2031, 1, 10), date(2031, 1, 13)
    outcome = await desk.send(
        "jan 10 to 13 for 2", IntentName.CHECK_AVAILABILITY, check_in=check_in, check_out=check_out, adults=2
    )
    assert outcome.replies[0] == en("quote_header", stay="January 10–13, 2031, 3 nights", party=TWO_ADULTS)


async def test_a_stay_this_year_is_quoted_without_it(desk: Desk) -> None:
    outcome = await desk.quoted()
    assert outcome.replies[0] == en("quote_header", stay="June 10–13, 3 nights", party=TWO_ADULTS)


async def test_a_past_date_is_named_when_refused(desk: Desk) -> None:
    outcome = await desk.send(
        "nov 3 to 5 2029",
        IntentName.BOOK_ROOM,
        check_in=date(2029, 11, 3),
        check_out=date(2029, 11, 5),
        dates_in_past=True,
    )
    assert outcome.replies == (en("dates_in_past", day="November 3, 2029"),)
    assert outcome.step is Step.ASK_STAY and outcome.slots.stay is None


# --- until which day? -------------------------------------------------------------------------


async def test_ask_stay_a_day_after_the_arrival_answers_until_which_day(desk: Desk) -> None:
    await desk.send("a room for 2 from June 10", IntentName.CHECK_AVAILABILITY, check_in=ARRIVAL, adults=2)
    assert desk.step is Step.ASK_STAY
    outcome = await desk.send("the 13th", check_in=DEPARTURE)
    assert outcome.step is Step.CHOOSE_ROOM and outcome.slots.stay == (ARRIVAL, DEPARTURE)


async def test_ask_stay_a_day_before_the_arrival_is_a_new_arrival(desk: Desk) -> None:
    await desk.send("a room for 2 from June 10", IntentName.CHECK_AVAILABILITY, check_in=ARRIVAL, adults=2)
    outcome = await desk.send("sorry, the 8th", check_in=date(2030, 6, 8))
    assert outcome.replies == (en("ask_check_out", check_in="June 8"),)
    assert (outcome.slots.check_in, outcome.slots.check_out) == ("2030-06-08", None)
