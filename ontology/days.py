"""The days a date of any precision can mean: one rule for every layer.

Comity keeps dates at the precision their source gives ("1949", "1949-05", "1949-05-05"); to
compare them, every layer asks the same question, the first and last day such a date covers.
"""

import calendar
import datetime


def day_range(iso: str) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day of "YYYY", "YYYY-MM" or "YYYY-MM-DD"; None if it is no date."""
    parts = iso.split("-")
    if not 1 <= len(parts) <= 3:
        return None
    try:
        numbers = [int(part) for part in parts]
        year = numbers[0]
        if len(numbers) == 1:
            return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        month = numbers[1]
        last = calendar.monthrange(year, month)[1]
        if len(numbers) == 2:
            return datetime.date(year, month, 1), datetime.date(year, month, last)
        day = datetime.date(year, month, numbers[2])
    except (ValueError, calendar.IllegalMonthError):
        return None
    return day, day
