"""Joins a full day's waitlist on a clinic's booking page in headless
Chromium, as a patient's phone would (320 CSS pixels wide), in Spanish:
the days (Tuesday 16 June full), the day's waitlist form with whom to wait
for, a name and a local phone, then the code the test reads from its fake
Twilio and types on stdin. axe-core (its `axe.min.js` at $APPT_AXE) looks
at every step and must find no WCAG 2.2 A/AA violation; nothing may be
wider than the screen.

Usage: python wait.py URL   (URL: the day step; prints CODE? and reads the
code; exit 0 when on the waitlist)
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
    look(driver, axe_js, "wait-day")
    driver.find_element(By.CSS_SELECTOR, "input[name=date][value='2026-06-16']").click()
    press(driver, "Siguiente")
    look(driver, axe_js, "wait-form")
    driver.find_element(By.CSS_SELECTOR, "input[name=doctor]").click()
    driver.find_element(By.ID, "name").send_keys("Marta Díaz")
    driver.find_element(By.ID, "phone").send_keys("7000-3333")
    press(driver, "Envíenme el código para anotarme")
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "code")))
    look(driver, axe_js, "wait-code")
    print("CODE?", flush=True)
    code = sys.stdin.readline().strip()
    driver.find_element(By.ID, "code").send_keys(code)
    press(driver, "Anotarme")
    WebDriverWait(driver, 10).until(
        EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Quedó en la lista de espera"))
    look(driver, axe_js, "waiting")
    print(driver.find_element(By.CSS_SELECTOR, "p.note").text, flush=True)
finally:
    driver.quit()
