#!/usr/bin/python3
"""An official in headless Chromium (Debian's chromium and chromium-driver, python3-selenium): opens
the personal link from their mail, records a completion with a reference number (文号) on one duty and
asks for an extension of another, opens the occurrence page, and saves screenshots.

    web-browser.py LINK SCREENSHOTS-FOLDER DONE-OCCURRENCE EXTEND-OCCURRENCE UNTIL
    web-browser.py --ack LINK OCCURRENCE                        receipt (签收) of one duty
    web-browser.py --board LINK SCREENSHOTS-FOLDER REQUEST      a supervisor: the board, one level down,
                                                                the request approved

Prints one JSON object: what the browser saw at each step.
"""
import json
import os
import shutil
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def browser():
    options = webdriver.ChromeOptions()
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1000,1400", "--lang=zh-CN"]:
        options.add_argument(a)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    return driver


def board(link, shots, request):
    driver = browser()
    seen = {}
    try:
        driver.get(link)
        driver.find_element(By.LINK_TEXT, "督查看板：本地区各单位落实情况").click()
        seen["board"] = driver.find_element(By.TAG_NAME, "h1").text
        seen["children"] = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "table.board tbody th")]
        seen["chart_bars"] = len(driver.find_elements(By.CSS_SELECTOR, "figure svg rect"))
        seen["requests"] = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".request strong")]
        # Each child's row: its name and its counts (late, due soon, reminded, done).
        seen["rows"] = {tr.find_element(By.TAG_NAME, "th").text: [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                        for tr in driver.find_elements(By.CSS_SELECTOR, "table.board tbody tr")}
        driver.save_screenshot(os.path.join(shots, "board.png"))
        for f in driver.find_elements(By.CSS_SELECTOR, ".request form"):
            if f.find_element(By.NAME, "request").get_attribute("value") == request:
                f.find_element(By.NAME, "note").send_keys("同意")
                f.find_element(By.CSS_SELECTOR, "button[value=approve]").click()
                break
        WebDriverWait(driver, 20).until(lambda d: d.current_url.endswith("/board"))
        seen["requests_after"] = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".request strong")]
        driver.find_element(By.PARTIAL_LINK_TEXT, "通报（可打印）").click()
        seen["bulletin"] = driver.find_element(By.TAG_NAME, "h1").text
        driver.back()
        links = driver.find_elements(By.CSS_SELECTOR, "table.board tbody th a")
        if links:
            links[0].click()
            seen["one_level_down"] = driver.find_element(By.TAG_NAME, "h1").text
    finally:
        driver.quit()
    print(json.dumps(seen, ensure_ascii=False))


def ack(link, occurrence):
    driver = browser()
    seen = {}
    try:
        driver.get(link)
        for f in driver.find_elements(By.CSS_SELECTOR, "form"):
            fields = {i.get_attribute("name"): i.get_attribute("value") for i in f.find_elements(By.CSS_SELECTOR, "input[type=hidden]")}
            if fields.get("action") == "ack" and fields.get("occurrence") == occurrence:
                f.find_element(By.TAG_NAME, "button").click()
                break
        WebDriverWait(driver, 20).until(lambda d: d.current_url.endswith("m=ack"))
        seen["message"] = driver.find_element(By.CSS_SELECTOR, "p.message").text
        seen["receipts"] = [p.text for p in driver.find_elements(By.CSS_SELECTOR, "p.receipt")]
    finally:
        driver.quit()
    print(json.dumps(seen, ensure_ascii=False))


def main():
    if sys.argv[1] == "--board":
        return board(*sys.argv[2:5])
    if sys.argv[1] == "--ack":
        return ack(*sys.argv[2:4])
    link, shots, done_id, extend_id, until = sys.argv[1:6]
    driver = browser()
    seen = {}

    def message(code):
        # The form's answer is a redirect to /me?m=CODE: wait for it before reading the page.
        WebDriverWait(driver, 20).until(lambda d: d.current_url.endswith("m=" + code) or "p.message" == "")
        found = driver.find_elements(By.CSS_SELECTOR, "p.message")
        if not found:
            raise SystemExit(json.dumps(dict(seen, error="no message", page=driver.find_element(By.TAG_NAME, "main").text[:1000]), ensure_ascii=False))
        return found[0].text

    try:
        driver.get(link)
        seen["url_after_link"] = driver.current_url
        seen["name"] = driver.find_element(By.TAG_NAME, "h1").text
        seen["duties"] = sorted({i.get_attribute("value") for i in driver.find_elements(By.CSS_SELECTOR, "input[name=occurrence]")})
        # Addresses name no occurrence (an id can name an official): the links are sealed.
        seen["hrefs"] = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "li.duty h2 a")]
        driver.save_screenshot(os.path.join(shots, "official-page.png"))
        # Readable on a phone: at 360 px nothing is wider than the screen.
        driver.set_window_size(360, 800)
        seen["overflow_at_360"] = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        driver.set_window_size(1000, 1400)

        def form(occurrence, kind):
            for f in driver.find_elements(By.CSS_SELECTOR, "form." + kind):
                if f.find_element(By.NAME, "occurrence").get_attribute("value") == occurrence:
                    return f
            raise SystemExit(json.dumps(dict(seen, error="no %s form for %s" % (kind, occurrence))))

        f = form(done_id, "done")
        f.find_element(By.NAME, "ref").send_keys("穗委〔2026〕9号")
        f.find_element(By.TAG_NAME, "button").click()
        seen["after_done"] = message("done")

        f = form(extend_id, "extend")
        driver.execute_script("arguments[0].value = arguments[1]", f.find_element(By.NAME, "until"), until)
        f.find_element(By.NAME, "reason").send_keys("年终总结会议改期")
        f.find_element(By.TAG_NAME, "button").click()
        seen["after_extend"] = message("extend")

        for li in driver.find_elements(By.CSS_SELECTOR, "li.duty"):
            if extend_id in [i.get_attribute("value") for i in li.find_elements(By.NAME, "occurrence")]:
                li.find_element(By.CSS_SELECTOR, "h2 a").click()
                break
        seen["occurrence_url"] = driver.current_url
        seen["occurrence_history"] = driver.find_element(By.CSS_SELECTOR, "ol.history").text
        driver.save_screenshot(os.path.join(shots, "occurrence-page.png"))
    finally:
        driver.quit()
    print(json.dumps(seen, ensure_ascii=False))


if __name__ == "__main__":
    # Chromium leaves a folder in TMPDIR for its singleton socket at every start (org.chromium.Chromium.*),
    # and the driver its profile: both go in a folder of this run's own, removed at the end.
    scratch = tempfile.mkdtemp(prefix="dutyd-web-browser-")
    os.environ["TMPDIR"] = scratch
    try:
        main()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
