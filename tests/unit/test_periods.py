import datetime as dt

import pytest

from helpers.analysis import periods


@pytest.mark.parametrize(
    "year, start, end",
    [
        (1401, dt.date(2022, 3, 21), dt.date(2023, 3, 20)),
        (1402, dt.date(2023, 3, 21), dt.date(2024, 3, 19)),
        (1403, dt.date(2024, 3, 20), dt.date(2025, 3, 20)),  # 1403 is a leap year in the solar calendar
        (1399, dt.date(2020, 3, 20), dt.date(2021, 3, 20)),
    ],
)
def test_full_iranian_year_spans(year, start, end):
    assert periods.jalali_month_span(year, 1, 12) == (start, end)


def test_partial_iranian_period_ends_at_month_end():
    # first nine months of 1397 end on 30 Azar = 21 December 2018
    assert periods.jalali_month_span(1397, 1, 9) == (dt.date(2018, 3, 21), dt.date(2018, 12, 21))
    # Mehr (month 7) of 1400 only
    assert periods.jalali_month_span(1400, 7, 7) == (dt.date(2021, 9, 23), dt.date(2021, 10, 22))


def test_month_order_is_checked():
    with pytest.raises(ValueError):
        periods.jalali_month_span(1400, 5, 2)
    with pytest.raises(ValueError):
        periods.gregorian_month_span(2020, 0, 3)


def test_unstated_period_is_the_statement_year():
    assert periods.period_span("unstated", 2024, None, None) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def test_labels():
    assert periods.period_label("iranian", 1401, 1, 12) == "1401 (Mar 2022–Mar 2023)"
    assert periods.period_label("iranian", 1403, 1, 5) == "1403 M1–M5 (Mar 2024–Aug 2024)"
    assert periods.period_label("gregorian", 2021, 1, 12) == "2021"
    assert periods.period_label("unstated", 2024, None, None) == "period not given, stated in 2024"


def test_share_of_iranian_year_in_calendar_year():
    share_2022 = periods.gregorian_share_of_jalali_year(1401, 2022)
    share_2023 = periods.gregorian_share_of_jalali_year(1401, 2023)
    assert share_2022 == pytest.approx(286 / 365)
    assert share_2022 + share_2023 == pytest.approx(1.0)
    assert periods.gregorian_share_of_jalali_year(1401, 2025) == 0


def test_numpy_integers_are_accepted():
    import numpy as np

    assert periods.jalali_month_span(np.int64(1401), np.int64(1), np.int64(12))[0] == dt.date(2022, 3, 21)
