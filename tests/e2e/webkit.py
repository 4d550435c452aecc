"""Driving the app in WebKit, the engine of every iPhone browser: Debian's WebKitGTK under a
virtual X display (Xvfb), through WebKitWebDriver and Selenium, with a launcher that keeps its
profile across restarts (webkit_launcher.py). The steps mirror tests/e2e/conftest.py's Phone."""
import os
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

LAUNCHER = Path(__file__).resolve().parent / "webkit_launcher.py"
DRIVER = shutil.which("WebKitWebDriver")
WAIT = 20


def require_webkit():
    """CI installs WebKitGTK (.ci/run); elsewhere a machine without it skips these tests."""
    if DRIVER is None or shutil.which("Xvfb") is None:
        if os.environ.get("CI"):
            pytest.fail("WebKitWebDriver and Xvfb are needed: apt-get install webkit2gtk-driver xvfb")
        pytest.skip("needs WebKitWebDriver and Xvfb (apt-get install webkit2gtk-driver xvfb)")


class VirtualDisplay:
    """An Xvfb server on a display number it picks itself."""

    def __init__(self):
        read, write = os.pipe()
        self.process = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x1024x24",
                                         "-nolisten", "tcp"], pass_fds=[write],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as pipe:
            self.name = ":" + pipe.readline().strip()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


class WebKitPhone:
    """One WebKitGTK browser on a profile directory; `quit()` then a new WebKitPhone on the same
    directory is a cold restart that keeps IndexedDB, the service worker and the cookies."""

    def __init__(self, display, profile, base_url):
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.options import Options
        from selenium.webdriver.webkitgtk.service import Service
        options = Options()
        options.binary_location = str(LAUNCHER)
        options.add_argument("--automation")
        options.add_argument(f"--profile={profile}")
        options.set_capability("browserName", "webkit_launcher")
        service = Service(DRIVER, env=dict(os.environ, DISPLAY=display.name))
        with warnings.catch_warnings():
            # Selenium's own WebKitGTK class still passes the deprecated remote_server_addr.
            warnings.filterwarnings("ignore", "setting remote_server_addr", DeprecationWarning)
            self.driver = webdriver.WebKitGTK(options=options, service=service)
        self.base_url = base_url

    def quit(self):
        self.driver.quit()

    # ---- finding and waiting -----------------------------------------------------------

    def wait_for(self, xpath, timeout=WAIT):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as seen
        from selenium.webdriver.support.ui import WebDriverWait
        return WebDriverWait(self.driver, timeout).until(seen.visibility_of_element_located((By.XPATH, xpath)))

    def until(self, script, timeout=WAIT):
        from selenium.webdriver.support.ui import WebDriverWait
        return WebDriverWait(self.driver, timeout).until(lambda driver: driver.execute_script(script))

    def click(self, xpath):
        """Centre the element first: near the bottom bar a click otherwise lands on the bar."""
        element = self.wait_for(xpath)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()
        return element

    def fill(self, xpath, text):
        element = self.wait_for(xpath)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.clear()
        element.send_keys(text)

    def heading(self, text, timeout=WAIT):
        return self.wait_for(f"//*[self::h1 or self::h2][normalize-space()={quote(text)}]", timeout)

    def labelled(self, label):
        return f"//*[@id=//label[normalize-space()={quote(label)}]/@for]"

    # ---- a person's steps -------------------------------------------------------------

    def open(self, route="#/today"):
        self.driver.get(f"{self.base_url}/{route}")
        return self

    def sign_in(self, email, password, pin="258036"):
        self.fill(self.labelled("School email"), email)
        self.fill(self.labelled("Password"), password)
        self.click("//button[normalize-space()='Sign in']")
        self.heading("Choose a PIN for this phone")
        self.fill(self.labelled("New PIN"), pin)
        self.fill(self.labelled("The same PIN again"), pin)
        self.click("//button[normalize-space()='Set PIN']")
        self.heading("Your pupils")
        self.wait_for("//*[contains(@class, 'placement-card')]")
        return self

    def unlock(self, pin="258036"):
        """Open the app with the PIN after a reload or a cold start."""
        self.heading("Enter your PIN")
        self.fill(self.labelled("PIN"), pin)
        self.click("//button[normalize-space()='Open']")
        self.until("return !document.querySelector('#pin')")
        return self

    def records(self, store):
        """The signed-in person's visits or photos as the app reads them (the key in memory)."""
        return self.driver.execute_async_script("""
            const [store, done] = arguments;
            (async () => {
              const db = await import('/js/db.js');
              const session = await db.getMeta('session');
              const visits = await db.visitsOf(session.user.id);
              const rows = store === 'visits' ? visits : (await Promise.all(visits.map((v) => db.photosOf(v.id)))).flat();
              return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) =>
                [k, v instanceof ArrayBuffer ? Array.from(new Uint8Array(v)) : v])));
            })().then(done, (error) => done({error: String(error)}));""", store)

    def wait_for_service_worker(self):
        self.until("return !!navigator.serviceWorker && navigator.serviceWorker.controller !== null")
        return self

    def answer(self, item_key, value):
        self.click(f"//*[@id='item-{item_key}']//label[contains(@class, 'choice')][.//input[@value='{value}']]")

    def write(self, item_key, text):
        self.fill(f"(//*[@id='item-{item_key}']//textarea)[1]", text)

    def add_photo(self, item_key, path):
        before = self.count(f"#item-{item_key} .thumb")
        from selenium.webdriver.common.by import By
        self.driver.find_element(By.CSS_SELECTOR, f"#item-{item_key} input[type=file]").send_keys(str(path))
        self.until(f"return document.querySelectorAll('#item-{item_key} .thumb').length > {before}")

    def count(self, css):
        return self.driver.execute_script("return document.querySelectorAll(arguments[0]).length", css)

    def wait_for_state(self, state, timeout=WAIT):
        self.wait_for(f"//*[contains(@class, 'state')][@data-state='{state}']", timeout)

    def idb(self, store):
        """Every record of an IndexedDB store; ArrayBuffers come back as lists of byte values."""
        return self.driver.execute_async_script("""
            const [store, done] = arguments;
            const open = indexedDB.open('ap-visits');
            open.onerror = () => done({error: String(open.error)});
            open.onsuccess = () => {
              const db = open.result;
              const request = db.transaction(store, 'readonly').objectStore(store).getAll();
              request.onsuccess = () => {
                const plain = (v) => v instanceof ArrayBuffer ? Array.from(new Uint8Array(v))
                  : Array.isArray(v) ? v.map(plain)
                  : v && typeof v === 'object' && !(v instanceof CryptoKey)
                    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
                  : v instanceof CryptoKey ? 'CryptoKey' : v;
                done(plain(request.result)); db.close();
              };
            };""", store)


def quote(text):
    """An XPath string literal for text with no double quote."""
    return f'"{text}"'
