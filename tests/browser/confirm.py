"""Opens a patient's link in headless Chromium, checks the page as a phone
shows it, presses Confirm and waits for the page saying it is done.

Usage: python confirm.py URL   (exit 0 when confirmed)
"""
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
import shutil

url = sys.argv[1]
options = webdriver.ChromeOptions()
for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
    options.add_argument(arg)
# A phone's screen: 390 CSS pixels wide (a desktop window cannot be that narrow).
options.add_experimental_option(
    "mobileEmulation", {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3}})
for binary in ("chromium", "chromium-browser", "google-chrome"):
    path = shutil.which(binary)
    if path:
        options.binary_location = path
        break
driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
driver = webdriver.Chrome(service=Service(driver_path), options=options)
try:
    driver.get(url)
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "Dr. García" in body, body
    assert "martes 16 de junio a las 10:00" in body, body
    # Readable on a phone: nothing wider than the screen.
    width, screen = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]")
    assert screen <= 400, f"not a phone's screen: {screen}px"
    assert width <= screen, f"the page is {width}px wide on a {screen}px screen"
    button = driver.find_element(By.XPATH, "//button[normalize-space()='Confirmar']")
    button.click()
    WebDriverWait(driver, 10).until(
        EC.text_to_be_present_in_element((By.CSS_SELECTOR, "p.note"), "confirmada"))
    print(driver.find_element(By.CSS_SELECTOR, "p.note").text)
finally:
    driver.quit()
