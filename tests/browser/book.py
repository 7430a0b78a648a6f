"""Books a visit on a clinic's booking page in headless Chromium, as a
patient's phone would (320 CSS pixels wide), in Spanish: service, whoever
is first free, Tuesday 16 June, the first free time, a name and a local
phone, then the code the test reads from its fake Twilio and types on
stdin. axe-core (its `axe.min.js` at $APPT_AXE) looks at every step and
must find no WCAG 2.2 A/AA violation; nothing may be wider than the screen.

Usage: python book.py URL   (prints CODE? and reads the code; exit 0 when booked)
"""
import os
import sys

from phone import phone
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

url = sys.argv[1]
axe_js = open(os.environ["APPT_AXE"], encoding="utf-8").read()
driver = phone(320, 640)
driver.set_script_timeout(30)


def look(step):
    """The page as a phone shows it: no wider than the screen, and axe-core
    finding nothing against WCAG 2.2 A and AA."""
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es", step
    width, screen = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]")
    assert screen <= 330, f"{step}: not a phone's screen: {screen}px"
    assert width <= screen, f"{step}: the page is {width}px wide on a {screen}px screen"
    driver.execute_script(axe_js)
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values:"
        " ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
        ".then(r => done(r.violations.map(v => v.id + ' (' + v.nodes.length + '): '"
        " + v.nodes.map(n => n.html).join(' | '))))"
        ".catch(e => done(['axe failed: ' + e]));")
    assert not found, f"{step}: {found}"
    shots = os.environ.get("APPT_SHOTS")
    if shots:
        # The page's whole height, for the docs (docs/booking.md).
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(320, max(640, height))
        driver.save_screenshot(os.path.join(shots, f"booking-{step}.png"))
    print(f"{step}: ok", flush=True)


def press(label):
    """Presses the button and waits for the next page to replace this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.XPATH, f"//button[normalize-space()='{label}']").click()

    def replaced(_):
        # Chromium may say a node of the page gone is "not in the
        # document" rather than stale: either way the old page is gone.
        try:
            page.is_enabled()
            return False
        except WebDriverException:
            return True

    WebDriverWait(driver, 10).until(replaced)


try:
    driver.get(url)
    look("service")
    press("Siguiente")
    look("doctor")
    press("Siguiente")
    look("day")
    driver.find_element(By.CSS_SELECTOR, "input[name=date][value='2026-06-16']").click()
    press("Siguiente")
    look("time")
    driver.find_element(By.ID, "name").send_keys("Lucía Castro")
    driver.find_element(By.ID, "phone").send_keys("7000-1111")
    press("Enviarme el código")
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "code")))
    look("code")
    print("CODE?", flush=True)
    code = sys.stdin.readline().strip()
    driver.find_element(By.ID, "code").send_keys(code)
    press("Reservar")
    WebDriverWait(driver, 10).until(
        EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Su cita está reservada"))
    look("booked")
    print(driver.find_element(By.CSS_SELECTOR, "p.note").text, flush=True)
finally:
    driver.quit()
