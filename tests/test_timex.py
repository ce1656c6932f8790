"""Time expressions against a Tuesday anchor (2025-08-26), German and English."""

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsbeam.transforms.extract.timex import find_timexes, iso_week, nearest_year

TUESDAY = date(2025, 8, 26)


def one(text, language="de", anchor=TUESDAY):
    (t,) = find_timexes(text, language, anchor)
    return t.text, t.type, t.value, t.modifier


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Trump sprach am Montag (Ortszeit) mit Reportern.",
            ("am Montag (Ortszeit)", "DATE", "2025-08-25", None),
        ),
        ("Wadephul schrieb am Dienstag auf X.", ("am Dienstag", "DATE", "2025-08-26", None)),
        ("Er kommt am kommenden Freitag.", ("am kommenden Freitag", "DATE", "2025-08-29", None)),
        (
            "Das Treffen in der vergangenen Woche war gut.",
            ("in der vergangenen Woche", "DATE", "2025-W34", None),
        ),
        ("Trump hatte Mitte August ein Gipfeltreffen.", ("Mitte August", "DATE", "2025-08", "MID")),
        ("Anfang März 2024 begann es.", ("Anfang März 2024", "DATE", "2024-03", "START")),
        ("Ende Dezember war es kalt.", ("Ende Dezember", "DATE", "2024-12", "END")),
        ("Der Gipfel am 18. August endete spät.", ("am 18. August", "DATE", "2025-08-18", None)),
        ("Gestern regnete es.", ("Gestern", "DATE", "2025-08-25", None)),
        ("Das war vor zwei Wochen.", ("vor zwei Wochen", "DATE", "2025-W33", None)),
        ("Das geschah vor drei Tagen.", ("vor drei Tagen", "DATE", "2025-08-23", None)),
        ("Der Krieg dauert seit drei Jahren.", ("seit drei Jahren", "DURATION", "P3Y", None)),
        ("Die Sitzung beginnt um 14:30 Uhr.", ("um 14:30 Uhr", "TIME", "2025-08-26T14:30", None)),
    ],
)
def test_german_expressions(sentence, expected):
    assert one(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("She spoke on Monday.", ("on Monday", "DATE", "2025-08-25", None)),
        ("They meet next Friday.", ("next Friday", "DATE", "2025-08-29", None)),
        ("Last week was busy.", ("Last week", "DATE", "2025-W34", None)),
        ("The summit in mid-August failed.", ("in mid-August", "DATE", "2025-08", "MID")),
        ("It was signed on August 18.", ("on August 18", "DATE", "2025-08-18", None)),
        ("It happened two weeks ago.", ("two weeks ago", "DATE", "2025-W33", None)),
        ("The vote is at 3 p.m.", ("at 3 p.m.", "TIME", "2025-08-26T15:00", None)),
        ("They have argued for three years.", ("for three years", "DURATION", "P3Y", None)),
        ("Yesterday the talks ended.", ("Yesterday", "DATE", "2025-08-25", None)),
    ],
)
def test_english_expressions(sentence, expected):
    assert one(sentence, "en") == expected


def test_a_weekday_is_read_back_from_the_anchor_across_a_year_boundary():
    assert one("Am Mittwoch kam er.", anchor=date(2026, 1, 1)) == (
        "Am Mittwoch",
        "DATE",
        "2025-12-31",
        None,
    )


def test_date_without_year_takes_the_year_nearest_the_anchor():
    assert nearest_year(12, 30, date(2026, 1, 5)) == 2025
    assert nearest_year(1, 10, date(2025, 12, 28)) == 2026
    assert iso_week(date(2025, 8, 19)) == "2025-W34"


def test_offsets_point_at_the_expression_and_overlaps_keep_the_longest():
    text = "Trump sprach am Montag (Ortszeit) und am 18. August."
    found = find_timexes(text, "de", TUESDAY)
    assert [text[t.start : t.end] for t in found] == ["am Montag (Ortszeit)", "am 18. August"]


def test_a_language_without_rules_gives_nothing():
    assert find_timexes("lundi", "fr", TUESDAY) == []


# --- TimeML extents, the nine phenomena of issue 15, both languages ---------------

PUBLISHED = date(2011, 2, 16)  # a Wednesday


def extent(text, language="de", anchor=PUBLISHED, mode=None):
    """(extent, type, value, modifier) of every expression, in text order."""
    return [
        (text[t.extent_start : t.extent_end], t.type, t.value, t.modifier)
        for t in find_timexes(text, language, anchor, mode)
    ]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # 1. a leading preposition is in the phrase, not in the TimeML extent
        (
            "Sie kamen am 27. September 1940.",
            "de",
            [("27. September 1940", "DATE", "1940-09-27", None)],
        ),  # noqa: E501
        ("They met on Thursday.", "en", [("Thursday", "DATE", "2011-02-10", None)]),
        ("It opened in May 2008.", "en", [("May 2008", "DATE", "2008-05", None)]),
        # 3. bare years, years in phrases, BC years
        ("Der Krieg begann 1939.", "de", [("1939", "DATE", "1939", None)]),
        ("Ende 1941 stockte der Angriff.", "de", [("Ende 1941", "DATE", "1941", "END")]),
        ("Anfang 1945 war es vorbei.", "de", [("Anfang 1945", "DATE", "1945", "START")]),
        ("Im Jahr 1939 begann es.", "de", [("Jahr 1939", "DATE", "1939", None)]),
        ("Sales fell in early 2011.", "en", [("early 2011", "DATE", "2011", "START")]),
        ("Rom siegte 264 v. Chr. bei Messina.", "de", [("264 v. Chr.", "DATE", "BC0264", None)]),
        ("Im 20. Jahrhundert", "de", [("20. Jahrhundert", "DATE", "19", None)]),
        ("the cars of the 1970s", "en", [("the 1970s", "DATE", "197", None)]),
        # 4. durations
        ("The talks lasted 90 days.", "en", [("90 days", "DURATION", "P90D", None)]),
        ("It took a month.", "en", [("a month", "DURATION", "P1M", None)]),
        (
            "the biggest fall in the past decade",
            "en",
            [("the past decade", "DURATION", "P10Y", None)],
        ),  # noqa: E501
        ("Die Kämpfe dauerten 15 Tage.", "de", [("15 Tage", "DURATION", "P15D", None)]),
        ("Nach 48 Stunden", "de", [("48 Stunden", "DURATION", "PT48H", None)]),
        ("the annual report", "en", [("annual", "DURATION", "P1Y", None)]),
        # 6. vague references
        ("The store currently sells music.", "en", [("currently", "DATE", "PRESENT_REF", None)]),
        ("Das ist jetzt anders.", "de", [("jetzt", "DATE", "PRESENT_REF", None)]),
        ("Prices rose recently.", "en", [("recently", "DATE", "PAST_REF", None)]),
        ("Das kommt bald.", "de", [("bald", "DATE", "FUTURE_REF", None)]),
        # 7. seasons and parts of days
        (
            "Im Sommer 1940 griff die Luftwaffe an.",
            "de",
            [("Sommer 1940", "DATE", "1940-SU", None)],
        ),  # noqa: E501
        ("GM said Thursday night that", "en", [("Thursday night", "TIME", "2011-02-10TNI", None)]),
        (
            "Am Morgen des 22. Juni 1941",
            "de",
            [("Morgen des 22. Juni 1941", "TIME", "1941-06-22TMO", None)],
        ),  # noqa: E501
        ("Apple announced this morning", "en", [("this morning", "TIME", "2011-02-16TMO", None)]),
        # 8. clock times, day numbers inside ranges
        (
            "The take-off, at 08:30 UTC, was normal.",
            "en",
            [("08:30 UTC", "TIME", "2011-02-16T08:30Z", None)],
        ),  # noqa: E501
        (
            "zwischen dem 15. und 21. Mai 1942",
            "de",
            [("15.", "DATE", "1942-05-15", None), ("21. Mai 1942", "DATE", "1942-05-21", None)],
        ),
        # quarters (English)
        (
            "losses in the fourth quarter of 2005",
            "en",
            [("the fourth quarter of 2005", "DATE", "2005-Q4", None)],
        ),  # noqa: E501
        (
            "In the first quarter of last year",
            "en",
            [("the first quarter of last year", "DATE", "2010-Q1", None)],
        ),  # noqa: E501
    ],
)
def test_timeml_extents_types_and_values(text, language, expected):
    assert extent(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # 9. false positives: the verb "may", names with month words, counted things
        ("The contract may be signed by the board.", "en"),
        ("This may take place as planned.", "en"),
        ("General August Ritter von Kral befahl den Angriff.", "de"),
        ("Der Autor Mai-Majewski schrieb das Buch.", "de"),
        ("Die Rote Armee griff mit 1500 Panzern an.", "de"),
        ("Es kamen 34 Schiffe und 1370 Landungsboote.", "de"),
        ("The firm hired over 2000 workers.", "en"),
    ],
)
def test_words_that_look_like_time_expressions_are_not(text, language):
    assert [t for t in find_timexes(text, language, PUBLISHED) if t.type != "DURATION"] == []


def test_narrative_text_reads_dates_without_a_year_against_the_last_one_mentioned():
    text = (
        "Am 1. September 1939 begann der Krieg. Am 17. September marschierte die Rote "
        "Armee ein. Zwei Tage später fiel die Stadt. Am selben Tag floh die Regierung. "
        "Ende des Jahres war Polen besetzt. Heute erinnert ein Denkmal daran."
    )
    found = find_timexes(text, "de", PUBLISHED, "narrative")
    assert [(t.text, t.value, t.anchored_on) for t in found] == [
        ("Am 1. September 1939", "1939-09-01", "none"),
        ("Am 17. September", "1939-09-17", "text"),
        ("Zwei Tage später", "1939-09-19", "text"),
        ("Am selben Tag", "1939-09-19", "text"),
        ("Ende des Jahres", "1939", "text"),
        ("Heute", "PRESENT_REF", "none"),
    ]


def test_news_reads_dates_without_a_year_against_the_publication():
    text = "Der Vertrag von 1991 gilt weiter. Am 17. September wird neu verhandelt, sagte er heute."
    found = find_timexes(text, "de", PUBLISHED)
    assert [(text[t.extent_start : t.extent_end], t.value) for t in found] == [
        ("1991", "1991"),
        ("17. September", "2010-09-17"),  # the nearest 17 September to 2011-02-16
        ("heute", "2011-02-16"),
    ]


def test_last_month_names_keep_their_modifier_and_take_the_right_year():
    assert extent("It was announced last June.", "en") == [("last June", "DATE", "2010-06", None)]
    assert extent("They meet next June.", "en") == [("next June", "DATE", "2011-06", None)]


def test_the_mode_rule_tells_news_from_narrative():
    from newsbeam.transforms.extract.timex import choose_mode

    assert choose_mode("1939 ... 1940 ... 1941 ... 2010", PUBLISHED) == "narrative"
    assert choose_mode("Am Montag, 2011, und 2010 ... 1991", PUBLISHED) == "news"
    assert choose_mode("Keine Jahreszahl.", PUBLISHED) == "news"


# --- properties: every value is TIMEX3 syntax, every span lies in the text ---------

TIMEX3_VALUE = re.compile(
    r"^(?:(?:BC)?\d{4}(?:-\d{2}(?:-\d{2})?)?(?:T(?:\d{2}:\d{2}Z?|MO|AF|EV|NI|MI))?"
    r"|\d{4}-W\d{2}(?:-WE)?|\d{4}-(?:SP|SU|FA|WI|Q[1-4]|H[12])|\d{2,3}"
    r"|PRESENT_REF|PAST_REF|FUTURE_REF"
    r"|P(?:\d+|X)(?:Y|M|W|D|DE)|PT(?:\d+|X)(?:H|M))$"
)
FRAGMENTS = {
    "de": ["am 3. Mai", "Ende 1941", "im Herbst", "zwei Tage später", "vor drei Wochen", "heute",
           "seit 15 Tagen", "264 v. Chr.", "Morgen des 6. Juni 1944", "um 14:30 Uhr", "jetzt",
           "zwischen dem 15. und 21. Mai", "1500 Panzer", "Mai-Majewski", "am selben Tag",
           "Ende des Jahres 1940", "20. Jahrhundert", "1940er Jahre", "nach 48 Stunden"],
    "en": ["on Monday", "last June", "the fourth quarter", "two weeks ago", "at 3 p.m.",
           "early 2011", "the past decade", "Thursday night", "08:30 UTC", "currently",
           "may", "the 1970s", "three days later", "this weekend", "for 33 years", "May 2008"],
}  # fmt: skip
WORDS = ["und", "the", "Krieg", "said", ",", ".", "1", "23", "Mai", "March", "(", "der"]


@settings(max_examples=300, deadline=None)
@given(
    language=st.sampled_from(["de", "en"]),
    parts=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=12),
    anchor=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    mode=st.sampled_from([None, "news", "narrative"]),
)
def test_every_value_is_timex3_syntax_and_every_span_lies_in_the_text(
    language, parts, anchor, mode
):
    pool = FRAGMENTS[language] + WORDS
    text = " ".join(pool[i % len(pool)] for i in parts)
    for t in find_timexes(text, language, anchor, mode):
        assert TIMEX3_VALUE.match(t.value), (t.value, t.text)
        assert 0 <= t.start <= t.extent_start < t.extent_end == t.end <= len(text)
        assert text[t.start : t.end] == t.text
        assert t.type in ("DATE", "TIME", "DURATION")


def test_a_text_whose_lower_case_changes_length_is_read_the_same_way():
    # "İ".lower() is two characters: the fast path (patterns on lowered text) must
    # not be taken, and the case-insensitive patterns find the same expressions.
    plain = "In Istanbul sagte er am 3. Mai 2010, zwei Tage später sei Ende 1941 gewesen."
    dotted = plain.replace("Istanbul", "İstanbul")
    assert len(dotted.lower()) != len(dotted)
    found = [(t.text, t.value) for t in find_timexes(dotted, "de", PUBLISHED)]
    assert found == [(t.text, t.value) for t in find_timexes(plain, "de", PUBLISHED)]
    assert ("am 3. Mai 2010", "2010-05-03") in found
