"""Headless Chromium as a phone shows a page: the browser tests' one way
to start it (Selenium, the system's chromedriver), to look at a step (no
wider than the screen, axe-core finding nothing) and to press a button."""
import os
import shutil

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def phone(width, height):
    """A Chrome driver emulating a phone `width` CSS pixels wide (a desktop
    window cannot be that narrow)."""
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_experimental_option(
        "mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2}})
    for binary in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(binary)
        if path:
            options.binary_location = path
            break
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(driver_path), options=options)


def violations(driver, axe_js):
    """What axe-core finds on the page against WCAG 2.2 A and AA, a line
    per rule with the elements that break it."""
    driver.execute_script(axe_js)
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values:"
        " ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
        ".then(r => done(r.violations.map(v => v.id + ' (' + v.nodes.length + '): '"
        " + v.nodes.map(n => n.html).join(' | '))))"
        ".catch(e => done(['axe failed: ' + e]));")


def look(driver, axe_js, step):
    """The page as a phone shows it: no wider than the screen, and axe-core
    finding nothing against WCAG 2.2 A and AA."""
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es", step
    width, screen = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]")
    assert screen <= 330, f"{step}: not a phone's screen: {screen}px"
    assert width <= screen, f"{step}: the page is {width}px wide on a {screen}px screen"
    found = violations(driver, axe_js)
    assert not found, f"{step}: {found}"
    shots = os.environ.get("APPT_SHOTS")
    if shots:
        # The page's whole height, for the docs (docs/booking.md).
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(320, max(640, height))
        driver.save_screenshot(os.path.join(shots, f"booking-{step}.png"))
    print(f"{step}: ok", flush=True)


def press(driver, label):
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
