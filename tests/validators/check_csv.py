"""Reads a CSV file written by `appt export --format csv` with Python's csv
module (strict RFC 4180 dialect: comma, double quotes, CRLF) and prints its
records as a JSON list of lists. Exits 1 when the file is not well formed.

Usage: check_csv.py FILE.csv
"""

import csv
import json
import sys


def main():
    with open(sys.argv[1], encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter=",", quotechar='"', doublequote=True, strict=True))
    print(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main()
