"""Reads a spreadsheet written by `appt export --format xlsx` with openpyxl,
a reader appt did not write, and prints what it understood, as JSON:

{"sheet": TITLE, "header": [...], "rows": [[{"type", "value", "format"}, ...], ...]}

Each cell: its type as openpyxl reads it (date, datetime, time, number,
bool, text, empty), its value as text (ISO for dates and times) and its
number format. Exits 1 when openpyxl refuses the file.

Usage: check_xlsx.py FILE.xlsx
"""

import datetime
import json
import sys

import openpyxl


def cell(c):
    v = c.value
    if v is None:
        kind, text = "empty", None
    elif isinstance(v, bool):
        kind, text = "bool", str(v).lower()
    elif isinstance(v, datetime.datetime):
        # A date cell reads back as midnight of its day.
        if v.time() == datetime.time(0) and "h" not in c.number_format:
            kind, text = "date", v.date().isoformat()
        else:
            kind, text = "datetime", v.strftime("%Y-%m-%dT%H:%M")
    elif isinstance(v, datetime.time):
        kind, text = "time", v.strftime("%H:%M")
    elif isinstance(v, (int, float)):
        kind, text = "number", str(v)
    else:
        kind, text = "text", str(v)
    return {"type": kind, "value": text, "format": c.number_format}


def main():
    ws = openpyxl.load_workbook(sys.argv[1]).active
    rows = list(ws.iter_rows())
    print(
        json.dumps(
            {
                "sheet": ws.title,
                "header": [c.value for c in rows[0]] if rows else [],
                "rows": [[cell(c) for c in r] for r in rows[1:]],
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
