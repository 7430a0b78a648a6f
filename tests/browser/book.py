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

from phone import phone, look, press
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

url = sys.argv[1]
axe_js = open(os.environ["APPT_AXE"], encoding="utf-8").read()
driver = phone(320, 640)
driver.set_script_timeout(30)


try:
    driver.get(url)
    look(driver, axe_js, "service")
    press(driver, "Siguiente")
    look(driver, axe_js, "doctor")
    press(driver, "Siguiente")
    look(driver, axe_js, "day")
    driver.find_element(By.CSS_SELECTOR, "input[name=date][value='2026-06-16']").click()
    press(driver, "Siguiente")
    look(driver, axe_js, "time")
    driver.find_element(By.ID, "name").send_keys("Lucía Castro")
    driver.find_element(By.ID, "phone").send_keys("7000-1111")
    press(driver, "Enviarme el código")
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "code")))
    look(driver, axe_js, "code")
    print("CODE?", flush=True)
    code = sys.stdin.readline().strip()
    driver.find_element(By.ID, "code").send_keys(code)
    press(driver, "Reservar")
    WebDriverWait(driver, 10).until(
        EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Su cita está reservada"))
    look(driver, axe_js, "booked")
    print(driver.find_element(By.CSS_SELECTOR, "p.note").text, flush=True)
finally:
    driver.quit()
