"""Headless Chromium as a phone shows a page: the browser tests' one way
to start it (Selenium, the system's chromedriver)."""
import shutil

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


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
