"""`kind: calendar`: the business calendar deadlines in working days use."""

from onegrid.policy.kinds.base import IdSpec, Kind, Namespace
from onegrid.policy.kinds.defs import file_schema, item_list, obj

DAY = Namespace("day", "日历日", "calendar day")

DATE = {
    "type": "string",
    "pattern": r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
    "description": "A date, YYYY-MM-DD.",
}
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

DAYS_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "An id, e.g. 2026-spring-festival."},
        "name": {"$ref": "#/$defs/text", "description": "What the days are, e.g. 春节."},
        "date": {**DATE, "description": "A single day."},
        "from": {**DATE, "description": "The first day of a run of days."},
        "to": {**DATE, "description": "The last day of a run of days (inclusive)."},
        "provisional": {
            "type": "boolean",
            "description": "Statutory days only; the official arrangement is not yet published.",
        },
    },
    required=["id", "name"],
)

KIND = Kind(
    name="calendar",
    title={"zh": "工作日历", "en": "Business calendar"},
    description={
        "zh": "时区、周末、法定节假日和调休上班日；按工作日（wd）计的时限据此计算。",
        "en": "Time zone, weekend, public holidays and make-up working days; limits in working days (wd) use it.",
    },
    schema=file_schema(
        "calendar",
        "onegrid business calendar",
        "Working days, public holidays and make-up working days.",
        {
            "timezone": {
                "type": "string",
                "description": "The IANA time zone deadlines are counted in (default Asia/Shanghai).",
            },
            "weekend": {
                "type": "array",
                "items": {"enum": WEEKDAYS, "description": "A weekday."},
                "uniqueItems": True,
                "description": "The weekly days off (default sat and sun).",
            },
            "years": {
                "type": "array",
                "items": {"type": "integer", "minimum": 2000, "maximum": 2099},
                "uniqueItems": True,
                "description": (
                    "The years whose holidays and make-up working days are all listed"
                    " (provisional ones included). Past the last, working days are the"
                    " weekdays only, and `check` warns once a deadline of a case opened"
                    " today can reach it."
                ),
            },
            "holidays": item_list(DAYS_ITEM, "Days off: public holidays and their bridges."),
            "workdays": item_list(
                DAYS_ITEM, "Make-up working days (调休上班) that fall on a weekend."
            ),
        },
    ),
    ids=(IdSpec(("holidays", "*"), DAY), IdSpec(("workdays", "*"), DAY)),
)
