import datetime
from zoneinfo import ZoneInfo

from courses.thai_dates import thai_date, thai_datetime


def test_thai_date_uses_thai_month_and_buddhist_year():
    assert thai_date(datetime.date(2019, 1, 28)) == "28 มกราคม 2562"
    assert thai_date(datetime.date(2019, 1, 28), short=True) == "28 ม.ค. 2562"


def test_aware_datetime_is_shown_in_bangkok_time():
    # 20:30 UTC on 31 December is already 1 January in Bangkok.
    moment = datetime.datetime(2018, 12, 31, 20, 30, tzinfo=ZoneInfo("UTC"))
    assert thai_date(moment) == "1 มกราคม 2562"
    assert thai_datetime(moment) == "1 มกราคม 2562 03:30 น."
