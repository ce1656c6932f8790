"""Time expressions against a Tuesday anchor (2025-08-26), German and English."""

from datetime import date

import pytest

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
