"""The report page (appt report --html) in headless Chromium at a phone's
and a desktop's width: no wider than the screen, the numbers read off each
chart's marks and each figure's rows equal to `appt report --json`'s, and
axe-core finding nothing against WCAG 2.2 A and AA. A screenshot of each
width is saved beside the page for review.

    python report.py PAGE.html REPORT.json SHOTS_DIR
"""
import json
import os
import pathlib
import sys

from selenium.webdriver.common.by import By

from phone import phone, violations

PAGE, JSON, SHOTS = sys.argv[1], sys.argv[2], sys.argv[3]
REPORT = json.loads(pathlib.Path(JSON).read_text())
AXE = pathlib.Path(os.environ["APPT_AXE"]).read_text()


def marks(driver, figure):
    """The texts drawn in a figure's chart, as a reader of the SVG sees them."""
    svg = driver.find_element(By.CSS_SELECTOR, f'[data-figure="{figure}"] svg')
    assert svg.get_attribute("role") == "img", figure
    assert svg.get_attribute("aria-label"), figure
    return [t.get_attribute("textContent").strip() for t in svg.find_elements(By.TAG_NAME, "text")]


def rows(driver, figure):
    """A figure's marked rows' data- attributes, parsed as JSON where they are numbers."""
    out = []
    for el in driver.find_elements(By.CSS_SELECTOR, f'[data-figure="{figure}"] [data-key]'):
        attrs = driver.execute_script(
            "const o = {}; for (const k in arguments[0].dataset) o[k] = arguments[0].dataset[k]; return o;", el)
        out.append(attrs)
    return out


def check_numbers(driver):
    for rate in ("no_show_rate", "late_cancellation_rate"):
        for by in ("by_weekday", "by_lead_time"):
            figure = f"{rate}.{by}"
            want = REPORT[rate][by]
            drawn = marks(driver, figure)
            # Each bar's label sits left of the axis, its numbers beside it:
            # `count/due rate`, in the JSON's order.
            shown = [t for t in drawn if "/" in t]
            assert len(shown) == len(want), (figure, drawn)
            for text, w in zip(shown, want):
                count, rest = text.split(" ", 1)
                n, d = count.split("/")
                assert (int(n), int(d)) == (w["numerator"], w["denominator"]), (figure, text, w)
                if w["rate"] is None:
                    assert rest == "–", (figure, text)
                else:
                    assert abs(float(rest.rstrip("%")) - w["rate"] * 100) < 0.051, (figure, text, w)
            got = rows(driver, figure)
            assert [(r["key"], json.loads(r["numerator"]), json.loads(r["denominator"]), json.loads(r["value"]))
                    for r in got] == [(w["key"], w["numerator"], w["denominator"], w["rate"]) for w in want], figure
    # Utilisation by doctor: each bar's booked/open, the sums of the JSON's days.
    sums = {}
    for d in REPORT["utilisation"]["days"]:
        b, o = sums.get(d["doctor"]["id"], (0, 0))
        sums[d["doctor"]["id"]] = (b + d["booked_minutes"], o + d["open_minutes"])
    drawn = [t.split(" ")[0] for t in marks(driver, "utilisation") if "/" in t]
    assert sorted(drawn) == sorted(f"{b}/{o}" for b, o in sums.values()), drawn
    # The heatmap writes each busy hour's bookings in its cell; the hours
    # are the digits on the lowest line, under the grid.
    svg = driver.find_element(By.CSS_SELECTOR, '[data-figure="busiest"] svg')
    digits = [(float(t.get_attribute("y")), t.get_attribute("textContent").strip())
              for t in svg.find_elements(By.TAG_NAME, "text")]
    digits = [(y, t) for y, t in digits if t.isdigit()]
    lowest = max(y for y, _ in digits)
    cells = sorted(int(t) for y, t in digits if y != lowest)
    assert cells == sorted(b["bookings"] for b in REPORT["busiest"]), cells
    got = {r["key"]: json.loads(r["value"]) for r in rows(driver, "busiest")}
    assert got == {f'{b["weekday"]}-{b["hour"]}': b["bookings"] for b in REPORT["busiest"]}
    # Sources: each bar's bookings.
    drawn = [int(t) for t in marks(driver, "sources") if t.isdigit()]
    assert drawn == [s["bookings"] for s in REPORT["sources"]], drawn
    for figure, keys in (("lead_time", ("count", "median_days", "p90_days")),
                         ("messages", ("sent", "delivered", "failed", "confirmed_after_reminder")),
                         ("waitlist", ("offers_made", "offers_filled")),
                         ("recalls", ("due", "sent", "booked"))):
        got = {r["key"]: json.loads(r["value"]) for r in rows(driver, figure)}
        assert got == {k: REPORT[figure][k] for k in keys}, (figure, got)


def look(driver, width):
    screen, wide = driver.execute_script(
        "return [window.innerWidth, document.documentElement.scrollWidth]")
    assert abs(screen - width) <= 20, f"not {width}px: {screen}"
    assert wide <= screen, f"the page is {wide}px wide on a {screen}px screen"
    found = violations(driver, AXE)
    assert not found, f"{width}: {found}"


for width in (360, 1280):
    driver = phone(width, 800)
    try:
        driver.get(pathlib.Path(PAGE).resolve().as_uri())
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        look(driver, width)
        check_numbers(driver)
        # The whole page, for a reviewer.
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
        driver.save_screenshot(os.path.join(SHOTS, f"report-{width}.png"))
        print(f"{width}: ok", flush=True)
    finally:
        driver.quit()
