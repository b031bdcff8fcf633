#!/usr/bin/env python3
"""The console in a real browser (headless Chromium through selenium), against the pipeline
the Swift test ConsoleBrowserTests started. Every wait has a deadline and fails loudly.

Environment: CONSOLE (base URL), TRIBUTARY (the CLI), AMQP_URL, NAMESPACE, SPECS (a folder
with big.json, cancel.json and tolerated.json), SAMPLE (the sample experiment's folder, which
has groups, two dimensions and an index), FAIL_FLAG (the file whose presence makes the
tolerated experiment's analyser fail), SCREENSHOTS (a folder).
"""
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["CONSOLE"]
SHOTS = os.environ["SCREENSHOTS"]


def cli(*args):
    done = subprocess.run([os.environ["TRIBUTARY"], *args, "--amqp-url", os.environ["AMQP_URL"], "--namespace", os.environ["NAMESPACE"]],
                          capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


def submit(name):
    code, out, err = cli("submit", os.path.join(os.environ["SPECS"], name), "--json")
    assert code == 0, f"submit {name}: {code} {out} {err}"
    return json.loads(out.strip().splitlines()[-1])["experiment_id"]


def submit_folder(folder):
    code, out, err = cli("submit", folder, "--json")
    assert code == 0, f"submit {folder}: {code} {out} {err}"
    return json.loads(out.strip().splitlines()[-1])["experiment_id"]


def status(experiment):
    code, out, err = cli("status", experiment)
    assert code == 0, f"status {experiment}: {code} {err}"
    return json.loads(out.strip().splitlines()[-1])


def until(what, check, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"]:
        options.add_argument(argument)
    return webdriver.Chrome(service=webdriver.ChromeService(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)


def sign_in(driver, token):
    driver.get(BASE + "/sign-in")
    driver.find_element(By.NAME, "token").send_keys(token)
    driver.find_element(By.TAG_NAME, "button").click()


def post(path, cookie, fields):
    data = "&".join(f"{k}={v}" for k, v in fields.items()).encode()
    request = urllib.request.Request(BASE + path, data=data, method="POST", headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def session_cookie(driver):
    return "tributary_session=" + driver.get_cookie("tributary_session")["value"]


def labels(driver, scope=""):
    return [e.get_attribute("aria-label") for e in driver.find_elements(By.CSS_SELECTOR, f"{scope} svg [aria-label]".strip())]


def check_report_page(driver, experiment):
    """The report page's charts, read from their SVG, say what report.json says."""
    report = status(experiment)["report"]["report"]
    driver.get(f"{BASE}/experiments/{experiment}/report")
    WebDriverWait(driver, 30).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-charts") != "pending", "the charts were never drawn")
    assert driver.find_element(By.TAG_NAME, "body").get_attribute("data-charts") == "drawn", driver.page_source[:2000]
    coverage = report["coverage"]
    expected = f"analysed: {coverage['documents_analysed']} of {coverage['documents_planned']} documents"
    assert expected in labels(driver, "#chart-coverage"), f"coverage bar: {labels(driver, '#chart-coverage')}"
    compared = 0
    for comparison in report["group_comparisons"]:
        drawn = {}
        for label in labels(driver, f'figure[data-variable="{comparison["variable"]}"]'):
            if label.startswith("mean of "):
                group, rest = label[len("mean of "):].rsplit(": ", 1)
                value, n = rest.split(" (n ")
                drawn[group] = (float(value), int(n.rstrip(")")))
        for group in comparison["groups"]:
            if group["mean"] is None:
                continue
            assert drawn.get(group["group"]) == (group["mean"], group["n"]), f"{comparison['variable']}, {group}: the chart says {drawn}"
            compared += 1
    cells = {}
    for label in labels(driver, "#chart-correlations"):
        if " × " in label and ": r = " in label:
            pair, value = label.split(": r = ")
            cells[tuple(pair.split(" × "))] = float(value)
    for a, row in report["correlations"].items():
        for b, r in row.items():
            if r is not None:
                assert cells.get((a, b)) == r, f"correlation {a} × {b}: report {r}, chart {cells.get((a, b))}"
                compared += 1
    for name, alpha in report["reliability"].items():
        if alpha is not None:
            drawn = [float(l.split(": ", 1)[1]) for l in labels(driver, "#chart-reliability") if l.startswith(f"alpha {name}: ")]
            assert drawn == [alpha], f"reliability {name}: report {alpha}, chart {drawn}"
            compared += 1
    assert compared >= 8, f"only {compared} chart values compared"
    driver.set_window_size(1280, 2400)
    shot(driver, "console-report.png")
    driver.set_window_size(1280, 900)
    return compared


def shot(driver, name):
    driver.save_screenshot(os.path.join(SHOTS, name))


def main():
    tolerated = submit("tolerated.json")
    sample = submit_folder(os.environ["SAMPLE"])
    big = submit("big.json")
    driver = browser()
    try:
        # A bad token is refused; a viewer gets in and sees no action.
        sign_in(driver, "not-a-token")
        assert "That token is not valid." in driver.page_source, "a bad token was not refused"
        assert driver.get_cookie("tributary_session") is None
        shot(driver, "console-sign-in.png")
        sign_in(driver, "viewer-secret")
        assert "vera (viewer)" in driver.page_source, "the viewer is not signed in"
        driver.get(f"{BASE}/experiments/{big}")
        assert "Cancel…" not in driver.page_source, "a viewer was offered an action"
        viewer_cookie = session_cookie(driver)
        viewer_csrf = driver.find_element(By.CSS_SELECTOR, 'input[name="csrf"]').get_attribute("value")
        assert post(f"/experiments/{big}/cancel", viewer_cookie, {"csrf": viewer_csrf}) == 403, "a viewer's POST was not refused"

        # The 2,000-batch experiment's progress bar and grid move on without a reload.
        driver.execute_script("window.notReloaded = true;")
        ended = lambda: driver.find_element(By.CSS_SELECTOR, '[data-field="ended"]').text
        done_cells = lambda: len(driver.find_elements(By.CSS_SELECTOR, ".grid a.s-succeeded"))
        first, cells = ended(), done_cells()
        WebDriverWait(driver, 60).until(lambda d: ended() != first, f"the progress stayed at {first}")
        WebDriverWait(driver, 60).until(lambda d: done_cells() > cells, f"the grid stayed at {cells} completed cells")
        bar = driver.find_element(By.CSS_SELECTOR, "progress")
        assert int(bar.get_attribute("value")) > int(first.split("/")[0]), "the progress bar did not move"
        assert driver.execute_script("return window.notReloaded === true;"), "the page was reloaded"
        shot(driver, "console-experiment.png")
        driver.get(BASE + "/")
        shot(driver, "console-experiments.png")

        # An operator: a POST without the CSRF token is refused; cancel from the page works.
        sign_in(driver, "operator-secret")
        assert "otto (operator)" in driver.page_source
        assert post(f"/experiments/{big}/cancel", session_cookie(driver), {}) == 403, "a POST without CSRF was not refused"
        driver.get(f"{BASE}/experiments/{big}")
        driver.find_element(By.XPATH, "//button[text()='Cancel…']").click()
        assert "cannot be undone" in driver.page_source
        shot(driver, "console-confirm.png")
        driver.find_element(By.XPATH, "//button[text()='Cancel']").click()
        until("the CLI to report the experiment cancelled", lambda: status(big)["state"] == "cancelled")

        # A tolerated failure, retried from the page once its cause is gone: coverage 100 %.
        result = until("the tolerated experiment to complete", lambda: (s := status(tolerated))["state"] == "completed" and s)
        assert result["failed_batches"] == 1, f"expected one failed batch: {result}"
        os.remove(os.environ["FAIL_FLAG"])
        driver.get(f"{BASE}/experiments/{tolerated}")
        driver.find_element(By.XPATH, "//button[text()='Retry failed batches…']").click()
        driver.find_element(By.XPATH, "//button[text()='Retry failed batches']").click()

        def covered():
            current = status(tolerated)
            coverage = ((current.get("report") or {}).get("report") or {}).get("coverage") or {}
            return current["state"] == "completed" and current["run"] == 2 and coverage.get("documents_analysed") == coverage.get("documents_planned")
        until("coverage to reach 100 % after the retry", covered)
        driver.get(f"{BASE}/experiments/{tolerated}")
        shot(driver, "console-retried.png")
        driver.get(BASE + "/dead-letters")
        shot(driver, "console-dead-letters.png")

        # The report with its charts, framed by the experiment's page; its numbers are report.json's.
        until("the sample experiment to complete", lambda: status(sample)["state"] == "completed")
        driver.get(f"{BASE}/experiments/{sample}")
        assert driver.find_element(By.CSS_SELECTOR, "iframe.report").get_attribute("src").endswith(f"/experiments/{sample}/report")
        compared = check_report_page(driver, sample)
        print(f"report page: {compared} chart values equal report.json")
    finally:
        driver.quit()
    print("browser suite: all checks passed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"browser suite failed: {error}", file=sys.stderr)
        sys.exit(1)
