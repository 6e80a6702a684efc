from __future__ import annotations

from datetime import date, timedelta

import pytest

from agente.conversation.nlu.entities.dates import extract_stay
from agente.conversation.nlu.types import NoSuchDay, StayDates

SUNDAY = date(2026, 11, 29)
WEDNESDAY = date(2026, 12, 16)
SATURDAY = date(2026, 12, 5)


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


RANGES = [
    ("es", "hola, quiero reservar del 12 al 15 de diciembre", d(12, 12), d(12, 15)),
    ("es", "12 al 15 dic", d(12, 12), d(12, 15)),
    ("es", "12-15/12 para dos personas", d(12, 12), d(12, 15)),
    ("es", "12/12 - 15/12", d(12, 12), d(12, 15)),
    ("es", "del 28 de diciembre al 2 de enero", d(12, 28), d(1, 2, 2027)),
    ("es", "del 26/12 al 2/1", d(12, 26), d(1, 2, 2027)),
    ("es", "entre el 7 y el 10 de marzo", d(3, 7, 2027), d(3, 10, 2027)),
    ("es", "del 30 al 2", d(11, 30), d(12, 2)),
    ("es", "llegada el 5, salida el 8", d(12, 5), d(12, 8)),
    ("es", "salgo el 10 y llego el 7", d(12, 7), d(12, 10)),
    ("es", "el 15 de enero salimos y entramos el 12", d(1, 12, 2027), d(1, 15, 2027)),
    ("es", "del 23/12/2026 al 27/12/2026", d(12, 23), d(12, 27)),
    ("es", "15.12.2026 - 18.12.2026", d(12, 15), d(12, 18)),
    ("es", "2026-12-15 al 2026-12-18", d(12, 15), d(12, 18)),
    ("es", "los dias 15-18 de enero", d(1, 15, 2027), d(1, 18, 2027)),
    ("es", "para el 3 de dic hasta el 6", d(12, 3), d(12, 6)),
    ("es", "del lunes al jueves", d(11, 30), d(12, 3)),
    ("es", "entro el jueves y salgo el domingo", d(12, 3), d(12, 6)),
    ("es", "llego hoy y me voy el miercoles", d(11, 29), d(12, 2)),
    ("es", "para mañana hasta el domingo", d(11, 30), d(12, 6)),
    ("es", "quiero para el 14 y 15 de diciembre", d(12, 14), d(12, 16)),
    ("es", "del 12 al 15, no perdon, del 13 al 16", d(12, 13), d(12, 16)),
    ("es", "llego el 12, mejor el 13", d(12, 13), None),
    ("es", "vamos el fin de semana del 12 de diciembre", d(12, 11), d(12, 13)),
    ("en", "Hi, do you have a room from the 3rd to the 5th?", d(12, 3), d(12, 5)),
    ("en", "from Dec 3 to Dec 5", d(12, 3), d(12, 5)),
    ("en", "between the 3rd and the 6th of March", d(3, 3, 2027), d(3, 6, 2027)),
    ("en", "Dec 28 - Jan 2, 2 adults 1 kid", d(12, 28), d(1, 2, 2027)),
    ("en", "December 24th through the 27th", d(12, 24), d(12, 27)),
    ("en", "Is there availability Jan 15-18?", d(1, 15, 2027), d(1, 18, 2027)),
    ("en", "can we do the 18th-21st?", d(12, 18), d(12, 21)),
    ("en", "check in 12/20 check out 12/23", d(12, 20), d(12, 23)),
    ("en", "arrive 12/10/2026 depart 12/14/2026", d(12, 10), d(12, 14)),
    ("en", "20/12 - 23/12", d(12, 20), d(12, 23)),
    ("en", "arriving on the 20th of January, leaving on the 23rd", d(1, 20, 2027), d(1, 23, 2027)),
    ("en", "we'd like to stay from the twenty-first to the twenty-fourth", d(12, 21), d(12, 24)),
    ("en", "Friday the 4th to Sunday the 6th", d(12, 4), d(12, 6)),
    ("en", "Monday 7th to Friday 11th December", d(12, 7), d(12, 11)),
    ("en", "we'll be there on Saturday and leave Tuesday", d(12, 5), d(12, 8)),
    ("en", "arriving fri, leaving sun", d(12, 4), d(12, 6)),
    ("en", "coming thursday until sunday", d(12, 3), d(12, 6)),
    ("en", "tmrw till friday pls", d(11, 30), d(12, 4)),
    ("en", "the weekend of the 12th", d(12, 11), d(12, 13)),
    ("en", "tonight and tomorrow night", d(11, 29), d(12, 1)),
    ("es", "hoy y mañana", d(11, 29), d(12, 1)),
    ("es", "el 22 y 23", d(12, 22), d(12, 24)),
    ("es", "reserva para este sabado y domingo", d(12, 5), d(12, 6)),
    ("en", "Sat to Tue", d(12, 5), d(12, 8)),
    ("es", "del 12 al 15 del mes que viene", d(12, 12), d(12, 15)),
    ("en", "christmas eve to new year's day", d(12, 24), d(1, 1, 2027)),
    ("en", "the night of the 24th", d(12, 24), d(12, 25)),
    ("en", "1/15-1/20", d(1, 15, 2027), d(1, 20, 2027)),
    ("en", "arriving 4/2, leaving 4/5", d(4, 2, 2027), d(4, 5, 2027)),
    ("en", "we stayed Dec 1-3 2026", d(12, 1), d(12, 3)),
    ("es", "el 31 de abril", None, None),
    ("en", "hmm what about 19 to 22 instead?", d(12, 19), d(12, 22)),
    ("es", "19 al 22 mejor", d(12, 19), d(12, 22)),
    ("en", "2 to 4 pm", None, None),
    ("en", "2 to 3 people, dec 5-7", d(12, 5), d(12, 7)),
    ("en", "dec 10 to 13. my partner's birthday is actually on the 12th", d(12, 10), d(12, 13)),
    ("es", "del 10 al 13, el cumpleaños de mi mujer es el 12", d(12, 10), d(12, 13)),
    ("en", "it's our anniversary on the 12th, 3 nights please", d(12, 12), d(12, 15)),
]


@pytest.mark.parametrize("language, text, check_in, check_out", RANGES)
def test_stay_ranges(language: str, text: str, check_in: date | None, check_out: date | None) -> None:
    stay = extract_stay(text, language, SUNDAY)
    assert (stay.check_in, stay.check_out) == (check_in, check_out)
    if check_in is not None and check_out is not None:
        assert stay.nights == (check_out - check_in).days


DURATIONS = [
    ("es", "para mañana, 2 noches", d(11, 30), 2),
    ("es", "pasado mañana una noche porfa", d(12, 1), 1),
    ("es", "3 noches desde el viernes", d(12, 4), 3),
    ("es", "el 20 de enero por 2 noches", d(1, 20, 2027), 2),
    ("es", "el proximo viernes, tres noches", d(12, 4), 3),
    ("es", "una semana a partir del 3 de febrero", d(2, 3, 2027), 7),
    ("es", "quiero 2 semanas a partir del 10 de enero", d(1, 10, 2027), 14),
    ("es", "el 12 llegamos a las 14:00 y nos quedamos 4 noches", d(12, 12), 4),
    ("es", "el primero de enero 2 noches", d(1, 1, 2027), 2),
    ("es", "dentro de 2 semanas, 3 noches", d(12, 13), 3),
    ("es", "necesito habitacion para esta noche", d(11, 29), 1),
    ("en", "next Friday for 3 nights", d(12, 4), 3),
    ("en", "tomorrow for two nights", d(11, 30), 2),
    ("en", "day after tomorrow, one night", d(12, 1), 1),
    ("en", "need a room tonight", d(11, 29), 1),
    ("en", "we need 2 rooms for 3 nights starting Saturday", d(12, 5), 3),
    ("en", "a couple of nights from the 9th", d(12, 9), 2),
    ("en", "3 nights from Monday", d(11, 30), 3),
    ("en", "in 3 days for 2 nights", d(12, 2), 2),
    ("en", "looking for a room this Saturday night", d(12, 5), 1),
    ("en", "one week starting December 10th", d(12, 10), 7),
    # A number right after "room" is the stay's length here, not a room number.
    ("en", "need a room 2 nights from december 10, 2 adults", d(12, 10), 2),
    ("es", "necesito habitacion 3 noches desde el 10 de dic", d(12, 10), 3),
]


@pytest.mark.parametrize("language, text, check_in, nights", DURATIONS)
def test_stay_from_check_in_and_nights(language: str, text: str, check_in: date, nights: int) -> None:
    stay = extract_stay(text, language, SUNDAY)
    assert stay == StayDates(check_in=check_in, check_out=check_in + timedelta(days=nights), nights=nights)


@pytest.mark.parametrize(
    "language, text, reference, check_in, check_out",
    [
        ("es", "este fin de semana para 2", SUNDAY, d(12, 4), d(12, 6)),
        ("es", "este finde tienen sitio?", WEDNESDAY, d(12, 18), d(12, 20)),
        ("es", "el finde que viene", SUNDAY, d(12, 4), d(12, 6)),
        ("en", "do you have anything this weekend?", SATURDAY, d(12, 5), d(12, 6)),
        ("en", "next weekend please", SATURDAY, d(12, 11), d(12, 13)),
        ("en", "next friday, 2 nights", WEDNESDAY, d(12, 18), d(12, 20)),
        ("en", "this friday, 2 nights", WEDNESDAY, d(12, 18), d(12, 20)),
        ("en", "Friday next week, one night", WEDNESDAY, d(12, 25), d(12, 26)),
        ("es", "el viernes de la semana que viene, una noche", WEDNESDAY, d(12, 25), d(12, 26)),
        ("es", "el 5 de enero 2 noches", WEDNESDAY, d(1, 5, 2027), d(1, 7, 2027)),
        ("en", "from the 28th to the 3rd", WEDNESDAY, d(12, 28), d(1, 3, 2027)),
        ("es", "este viernes, 2 noches", d(12, 4), d(12, 4), d(12, 6)),
        ("es", "el viernes, 2 noches", d(12, 4), d(12, 11), d(12, 13)),
        ("en", "this friday to sunday", d(12, 4), d(12, 4), d(12, 6)),
    ],
)
def test_stay_relative_to_the_reference(
    language: str, text: str, reference: date, check_in: date, check_out: date
) -> None:
    stay = extract_stay(text, language, reference)
    assert (stay.check_in, stay.check_out, stay.in_past) == (check_in, check_out, False)


@pytest.mark.parametrize(
    "language, text, check_in",
    [
        ("es", "para el sabado", d(12, 5)),
        ("es", "tienen libre el 31?", d(12, 31)),
        ("es", "1ro de enero", d(1, 1, 2027)),
        ("en", "on the 7th", d(12, 7)),
        ("en", "I'll be arriving at 3pm on the 10th", d(12, 10)),
        ("en", "is the 4th of July available", d(7, 4, 2027)),
        ("es", "el domingo", d(12, 6)),
        ("es", "este domingo", d(11, 29)),
    ],
)
def test_stay_with_only_an_arrival(language: str, text: str, check_in: date) -> None:
    assert extract_stay(text, language, SUNDAY) == StayDates(check_in=check_in)


@pytest.mark.parametrize(
    "language, text, check_out",
    [("es", "hasta el domingo", d(12, 6)), ("es", "me voy el 10", d(12, 10)), ("en", "until the 7th", d(12, 7))],
)
def test_stay_with_only_a_departure(language: str, text: str, check_out: date) -> None:
    assert extract_stay(text, language, SUNDAY) == StayDates(check_out=check_out)


@pytest.mark.parametrize(
    "language, text, nights",
    [
        ("es", "queria reservar 3 noches", 3),
        ("es", "una semana", 7),
        ("es", "un par de noches", 2),
        ("en", "for two nights", 2),
        ("en", "a fortnight", 14),
        ("en", "price is $1,250.00 for 3 nights", 3),
    ],
)
def test_nights_alone(language: str, text: str, nights: int) -> None:
    assert extract_stay(text, language, SUNDAY) == StayDates(nights=nights)


@pytest.mark.parametrize(
    "language, text, check_in",
    [
        ("es", "estuve alojado el 3 de marzo de 2025, necesito la factura", d(3, 3, 2025)),
        ("es", "llegamos ayer y el aire no va", d(11, 28)),
        ("en", "I stayed with you on March 3, 2025", d(3, 3, 2025)),
        ("en", "last monday I stayed in room 305", d(11, 23)),
        ("en", "we arrived the day before yesterday", d(11, 27)),
        ("es", "estuve el finde pasado y me cobraron el parking dos veces", d(11, 20)),
    ],
)
def test_explicit_past_dates_are_kept_and_flagged(language: str, text: str, check_in: date) -> None:
    stay = extract_stay(text, language, SUNDAY)
    assert (stay.check_in, stay.in_past) == (check_in, True)


def test_a_date_without_year_is_never_moved_into_the_past() -> None:
    stay = extract_stay("del 12 al 15 de noviembre", "es", SUNDAY)
    assert (stay.check_in, stay.check_out, stay.in_past) == (d(11, 12, 2027), d(11, 15, 2027), False)


@pytest.mark.parametrize(
    "language, text",
    [
        ("es", "me parece caro 1.250,00 €"),
        ("es", "el precio de 120,50 por noche me parece bien"),
        ("es", "llámame al +34 612345678"),
        ("es", "mi reserva AH7C3P9Q"),
        ("es", "la habitacion 12 no tiene agua"),
        ("es", "llegamos a las 12"),
        ("es", "somos 2 adultos y 2 niños de 3 y 5 años"),
        ("es", "quiero 2 habitaciones"),
        ("es", "el codigo postal es 28013"),
        ("es", "nos vemos! hasta mañana"),
        ("es", "semana que viene"),
        ("es", "hola"),
        ("en", "call +44 20 7946 0958"),
        ("en", "we're on the 3rd floor"),
        ("en", "see you tomorrow!"),
        ("en", "check out is at 11?"),
        ("en", "2 adults and 3 kids in 2 rooms"),
        ("en", "thanks!"),
    ],
)
def test_numbers_that_are_not_stay_dates(language: str, text: str) -> None:
    assert extract_stay(text, language, SUNDAY) == StayDates()


# --- dates told back honestly ---------------------------------------------------------------


@pytest.mark.parametrize(
    "language, text, missing, check_in, check_out",
    [
        ("es", "del 30 de febrero al 3 de marzo", NoSuchDay(30, 2), None, d(3, 3, 2027)),
        ("en", "the 30th of February to March 3", NoSuchDay(30, 2), None, d(3, 3, 2027)),
        ("en", "april 31 to may 3 for 2", NoSuchDay(31, 4), None, d(5, 3, 2027)),
        ("es", "hola quiero habitacion del 31 de junio al 2 de julio", NoSuchDay(31, 6), None, d(7, 2, 2027)),
        ("en", "sep 31st - oct 2nd", NoSuchDay(31, 9), None, d(10, 2, 2027)),
        ("en", "31/11 to 2/12", NoSuchDay(31, 11), None, d(12, 2)),
        ("es", "del 28 al 31 de abril", NoSuchDay(31, 4), d(4, 28, 2027), None),
        ("es", "del 29 al 32 de enero", NoSuchDay(32, 1), d(1, 29, 2027), None),
        ("es", "del 30 al 32", NoSuchDay(32), d(11, 30), None),
        ("en", "from the 30th to the 32nd", NoSuchDay(32), d(11, 30), None),
        ("es", "el 31 de septiembre llegamos, 2 noches", NoSuchDay(31, 9), None, None),
        ("es", "29 de febrero 2 noches", NoSuchDay(29, 2, 2027), None, None),
    ],
)
def test_a_day_the_calendar_does_not_have_is_told_back_and_the_other_keeps_its_role(
    language: str, text: str, missing: NoSuchDay, check_in: date | None, check_out: date | None
) -> None:
    stay = extract_stay(text, language, SUNDAY)
    assert (stay.no_such_day, stay.check_in, stay.check_out) == (missing, check_in, check_out)


def test_a_leap_day_that_exists_is_a_date() -> None:
    stay = extract_stay("february 29 2028 to march 2", "en", SUNDAY)
    assert (stay.check_in, stay.check_out, stay.no_such_day) == (d(2, 29, 2028), d(3, 2, 2028), None)


@pytest.mark.parametrize(
    "language, text, likely",
    [
        ("es", "del 5 al 3 de enero", (d(1, 3, 2027), d(1, 5, 2027))),
        ("en", "from the 20th to the 18th", (d(12, 18), d(12, 20))),
        ("en", "from jan 20 to jan 18", (d(1, 18, 2027), d(1, 20, 2027))),
        ("es", "del 20 al 18 de diciembre", (d(12, 18), d(12, 20))),
        ("es", "entramos el 14 y salimos el 11", (d(12, 11), d(12, 14))),
        ("en", "check in 15th check out 12th", (d(12, 12), d(12, 15))),
        ("es", "del 10 de marzo al 5 de marzo", (d(3, 5, 2027), d(3, 10, 2027))),
        ("es", "del 5/1/2027 al 3/1/2027", (d(1, 3, 2027), d(1, 5, 2027))),
    ],
)
def test_a_departure_before_the_arrival_is_offered_the_right_way_round(
    language: str, text: str, likely: tuple[date, date]
) -> None:
    stay = extract_stay(text, language, SUNDAY)
    assert stay == StayDates(reversed_stay=likely)


@pytest.mark.parametrize(
    "language, text, check_in, check_out",
    [
        ("es", "del 30 al 2", d(11, 30), d(12, 2)),
        ("es", "del 25 al 3 de enero", d(12, 25), d(1, 3, 2027)),
        ("en", "from the 28th to the 3rd", d(12, 28), d(1, 3, 2027)),
        ("es", "del 28 de diciembre al 2 de enero", d(12, 28), d(1, 2, 2027)),
        ("es", "del 3 al 28", d(12, 3), d(12, 28)),
    ],
)
def test_a_stay_crossing_into_the_next_month_is_not_turned_around(
    language: str, text: str, check_in: date, check_out: date
) -> None:
    stay = extract_stay(text, language, SUNDAY)
    assert (stay.check_in, stay.check_out, stay.reversed_stay) == (check_in, check_out, None)


JANUARY_STAY = (d(1, 10, 2027), d(1, 13, 2027))


@pytest.mark.parametrize(
    "language, text, check_in, check_out",
    [
        ("en", "make it the 16th to the 19th instead", d(1, 16, 2027), d(1, 19, 2027)),
        ("es", "mejor del 16 al 19", d(1, 16, 2027), d(1, 19, 2027)),
        ("es", "y del 28 al 2?", d(1, 28, 2027), d(2, 2, 2027)),
        ("en", "actually the 14th", d(1, 14, 2027), None),
        ("en", "can we leave on the 15th instead", None, d(1, 15, 2027)),
        ("es", "nos vamos el 20 mejor", None, d(1, 20, 2027)),
        ("en", "until sunday then", None, d(1, 17, 2027)),
        # A month said wins over the one discussed.
        ("es", "mejor del 16 al 19 de febrero", d(2, 16, 2027), d(2, 19, 2027)),
    ],
)
def test_days_without_a_month_keep_the_month_of_the_stay_discussed(
    language: str, text: str, check_in: date | None, check_out: date | None
) -> None:
    stay = extract_stay(text, language, SUNDAY, discussed=JANUARY_STAY)
    assert (stay.check_in, stay.check_out) == (check_in, check_out)


def test_a_discussed_month_whose_day_has_passed_gives_the_next_one() -> None:
    stay = extract_stay("make it the 2nd to the 5th", "en", date(2027, 1, 8), discussed=JANUARY_STAY)
    assert (stay.check_in, stay.check_out) == (d(2, 2, 2027), d(2, 5, 2027))


def test_an_arrival_alone_after_a_departure_is_the_last_such_day_before_it() -> None:
    stay = extract_stay("perdon, el 28", "es", SUNDAY, discussed=(None, d(3, 3, 2027)))
    assert stay.check_in == d(2, 28, 2027)


@pytest.mark.parametrize(
    "language, text, check_in, check_out",
    [
        ("es", "del 12 al 15, en marzo", d(3, 12, 2027), d(3, 15, 2027)),
        ("en", "12-15 for 2 ppl in march", d(3, 12, 2027), d(3, 15, 2027)),
        ("en", "we're thinking april, the 3rd to the 6th", d(4, 3, 2027), d(4, 6, 2027)),
        ("es", "para abril, del 3 al 6, somos 3", d(4, 3, 2027), d(4, 6, 2027)),
        ("en", "2 adults, 12th to 15th, sometime in march", d(3, 12, 2027), d(3, 15, 2027)),
        ("en", "12-15 in may", d(5, 12, 2027), d(5, 15, 2027)),
        ("es", "del 28 al 2, en marzo", d(3, 28, 2027), d(4, 2, 2027)),
        ("es", "el 12 hasta el 15 el mes que viene", d(12, 12), d(12, 15)),
        ("es", "en junio: llegamos el 12 y nos vamos el 15", d(6, 12, 2027), d(6, 15, 2027)),
        # "may" the verb names no month; two months leave the days as they are.
        ("en", "may we book 12-15 please", d(12, 12), d(12, 15)),
        ("es", "del 12 al 15, en marzo o en abril", d(12, 12), d(12, 15)),
    ],
)
def test_a_month_said_apart_is_the_month_of_bare_days(
    language: str, text: str, check_in: date, check_out: date
) -> None:
    stay = extract_stay(text, language, SUNDAY)
    assert (stay.check_in, stay.check_out) == (check_in, check_out)


@pytest.mark.parametrize(
    "language, text, check_in, check_out",
    [
        ("en", "the weekend of the 19th to 21st", d(12, 19), d(12, 21)),
        ("es", "este finde, del 6 al 8", d(12, 6), d(12, 8)),
        ("es", "el finde del 19 al 21", d(12, 19), d(12, 21)),
        ("es", "el fin de semana del 19 al 21 de marzo", d(3, 19, 2027), d(3, 21, 2027)),
        ("en", "this weekend the 4th to 6th", d(12, 4), d(12, 6)),
        ("en", "next weekend, from the 12th to the 14th", d(12, 12), d(12, 14)),
    ],
)
def test_days_said_win_over_a_vague_weekend(language: str, text: str, check_in: date, check_out: date) -> None:
    stay = extract_stay(text, language, SUNDAY)
    assert (stay.check_in, stay.check_out) == (check_in, check_out)


@pytest.mark.parametrize(
    "language, text, check_in, check_out",
    [
        ("es", "llegamos el 10 y nos vamos el martes siguiente", d(12, 10), d(12, 15)),
        ("en", "arriving the 10th, leaving the following tuesday", d(12, 10), d(12, 15)),
        ("es", "llegamos el lunes 7 y nos vamos el martes de la semana siguiente", d(12, 7), d(12, 15)),
        ("en", "arrive monday the 7th, leave tuesday of the following week", d(12, 7), d(12, 15)),
        ("es", "llego el 10 y me voy 3 dias despues", d(12, 10), d(12, 13)),
        ("en", "arriving the 3rd, leaving 4 days later", d(12, 3), d(12, 7)),
        ("es", "llego el 10 y me voy al dia siguiente", d(12, 10), d(12, 11)),
        ("en", "from the 3rd for 4 nights", d(12, 3), d(12, 7)),
        ("en", "3rd thru 5th", d(12, 3), d(12, 5)),
    ],
)
def test_a_second_date_said_from_the_first_is_placed_from_it(
    language: str, text: str, check_in: date, check_out: date
) -> None:
    stay = extract_stay(text, language, SUNDAY)
    assert (stay.check_in, stay.check_out, stay.nights) == (check_in, check_out, (check_out - check_in).days)


def test_the_day_after_an_arrival_discussed_is_its_departure() -> None:
    stay = extract_stay("the day after", "en", SUNDAY, discussed=(d(12, 10), None))
    assert stay.check_out == d(12, 11)


@pytest.mark.parametrize(
    "language, text",
    [
        ("en", "30 to 35 minutes from the airport?"),
        ("es", "entre 30 y 35 euros"),
        ("es", "somos 30 al 35 personas"),
    ],
)
def test_numbers_past_31_that_are_not_days(language: str, text: str) -> None:
    assert extract_stay(text, language, SUNDAY) == StayDates()


def test_a_day_alone_when_only_the_arrival_is_known_is_the_first_such_day_after_it() -> None:
    # "Arriving January 28: until which day?" - "el 2" is 2 February, not 2 January.
    stay = extract_stay("el 2", "es", SUNDAY, discussed=(d(1, 28, 2027), None))
    assert stay.check_in == d(2, 2, 2027)
    stay = extract_stay("llegamos el 2", "es", SUNDAY, discussed=(d(1, 28, 2027), None))
    assert stay.check_in == d(1, 2, 2027)


def test_a_day_of_an_occasion_does_not_override_a_weekend() -> None:
    stay = extract_stay("this weekend, it's my birthday on the 5th", "en", SUNDAY)
    assert (stay.check_in, stay.check_out) == (d(12, 4), d(12, 6))


def test_a_leap_day_takes_the_year_of_the_departure() -> None:
    stay = extract_stay("del 29 de febrero al 2 de marzo de 2028", "es", SUNDAY)
    assert (stay.check_in, stay.check_out, stay.no_such_day) == (d(2, 29, 2028), d(3, 2, 2028), None)
