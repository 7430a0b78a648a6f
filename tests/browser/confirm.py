"""Opens a patient's link in headless Chromium, checks the page as a phone
shows it, presses Confirm and waits for the page saying it is done.

Usage: python confirm.py URL   (exit 0 when confirmed)
"""
import sys

from phone import phone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

url = sys.argv[1]
driver = phone(390, 844)
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
