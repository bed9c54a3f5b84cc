"""The journeys of the desktop app (issues 4, 10 and 11), on the real built app, by keyboard only."""
import json
import os
import re
import subprocess
import tempfile
import time

import pytest

from conftest import screen_shot
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

TIMEOUT = 20
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.environ.get("TRDCHECK_CLI", os.path.join(ROOT, "target", "debug", "trd-check"))


def wait(d, fn, timeout=TIMEOUT):
    # A list step redraws when a field appears (the class picker): an element found a moment
    # before may be gone; try again.
    try:
        return WebDriverWait(d, timeout, poll_frequency=0.1, ignored_exceptions=[StaleElementReferenceException]).until(
            lambda _: fn())
    except TimeoutException:
        raise AssertionError(f"waited {timeout} s in vain; the page says: {page_messages(d)}") from None


def page_messages(d):
    """What the app told the clinician (status lines, alerts, field errors), for a failure report."""
    try:
        found = d.find_elements(By.CSS_SELECTOR, "[role='status'], [role='alert'], .field-error, h1, h2")
        return [e.text for e in found if e.text.strip()][:12]
    except WebDriverException as e:
        return f"(the page could not be read: {e.msg})"


def css(d, selector):
    return d.find_elements(By.CSS_SELECTOR, selector)


def one(d, selector):
    return wait(d, lambda: (css(d, selector) or [None])[0])


def press(el, *keys):
    el.send_keys(*keys)


def activate(d, selector):
    """Focus a button with the keyboard and press Enter."""
    el = one(d, selector)
    press(el, Keys.ENTER)
    return el


def choose(d, path, value):
    """Pick Yes/No/Unknown or an option of a question: Space on its radio."""
    el = one(d, f"[data-question='{path}'] input[data-value='{value}']")
    press(el, Keys.SPACE)
    wait(d, lambda: el.is_selected())
    settle(d)


def type_number(d, path, value):
    el = one(d, f"input[data-question='{path}']")
    el.send_keys(Keys.CONTROL, "a")
    el.send_keys(Keys.BACKSPACE, str(value), Keys.TAB)
    settle(d)


def type_text(d, path, value):
    el = one(d, f"input[data-question='{path}']")
    el.send_keys(value, Keys.TAB)
    settle(d)


def settle(d):
    """Let the save that a change started come back (the app saves in order)."""
    time.sleep(0.35)


def determination(d):
    return one(d, "[data-determination]").get_attribute("data-determination")


def go_step(d, step):
    activate(d, f"[data-step='{step}']")
    wait(d, lambda: css(d, f"[data-step='{step}'][aria-current='step']"))


CLINICIAN = "Dr E2E Test"
PASSPHRASE = "tangerine lighthouse oboe fourteen"
RECOVERY = {}


def cli(data_root, *args):
    """Runs `trd-check db ARGS` on the test's data folder as the clinician: the way a clinic's other
    workstation tool (or a script) adds records; returns what it printed."""
    _, env = data_root
    db = os.path.join(env["TRDCHECK_DATA_DIR"], "trdcheck.sqlite3")
    with tempfile.NamedTemporaryFile("w", delete=False) as p:
        p.write(PASSPHRASE)
    try:
        out = subprocess.run([CLI, "db", "--path", db, "--user", CLINICIAN, *args], capture_output=True, text=True,
                             timeout=120, env=dict(os.environ, **env, TRDCHECK_PASSPHRASE_FILE=p.name))
    finally:
        os.unlink(p.name)
    assert out.returncode == 0, f"trd-check db {' '.join(args)}: {out.stderr}"
    return out.stdout


def cli_import(data_root, mrn, example="example-assessment-v2.json"):
    """A new draft of the shared example for patient `mrn`, imported with the CLI; its id."""
    with open(os.path.join(ROOT, "examples", example)) as f:
        doc = json.load(f)
    doc["patient"]["id"] = mrn
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f)
    try:
        out = cli(data_root, "import", f.name)
    finally:
        os.unlink(f.name)
    return int(re.search(r"imported as assessment (\d+)", out).group(1))


# The notes the shared example's two precautions need before it can be finalised.
EXAMPLE_NOTES = [("CV-BP-HIGH", "Rechecked 138/86 after rest"), ("RX-BZD-HIGH", "Lorazepam held on treatment days")]


def cli_course_with_a_session(data_root, mrn):
    """Patient `mrn` with the shared example finalised, a course started today from it and its
    first session (the shared session example, dated today) finalised: all through the CLI."""
    assessment = cli_import(data_root, mrn)
    cli(data_root, "finalise", str(assessment), *[f"--ack={rule}={note}" for rule, note in EXAMPLE_NOTES])
    today = time.strftime("%Y-%m-%d", time.gmtime())
    out = cli(data_root, "course", "start", str(assessment), "--on", today)
    course = int(re.search(r"course (\d+) started", out).group(1))
    with open(os.path.join(ROOT, "examples", "example-session-v1.json")) as f:
        session = json.load(f)
    session["date"] = today
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(session, f)
    try:
        out = cli(data_root, "session", "import", f.name, "--course", str(course))
    finally:
        os.unlink(f.name)
    cli(data_root, "session", "finalise", re.search(r"imported as session (\d+)", out).group(1))
    return course


@pytest.fixture
def clinic(data_root):
    """The test's data folder with the clinic set up and its first clinician (`trd-check db init`),
    for a journey that starts at sign-in; test 1 sets the clinic up through the app's first start."""
    cli(data_root, "init")
    return data_root


def sign_in(d, name=CLINICIAN, passphrase=PASSPHRASE):
    """The first start sets up the first clinician (and shows the recovery key once); later
    starts sign in. Ends on the app's first screen."""
    wait(d, lambda: css(d, "[data-action='set-up']") or css(d, "[data-action='sign-in']"))
    if css(d, "[data-action='set-up']"):
        one(d, "input[name='name']").send_keys(name)
        one(d, "input[name='passphrase']").send_keys(passphrase)
        one(d, "input[name='passphrase_again']").send_keys(passphrase, Keys.ENTER)
        RECOVERY["key"] = one(d, "[data-recovery-key]").text
        press(one(d, "[data-recovery-kept]"), Keys.SPACE)
        activate(d, "[data-action='continue']")
    else:
        select = one(d, "select[name='name']")
        # By keyboard: the first clinician, then down the list to this one.
        select.send_keys(Keys.HOME)
        for _ in range(len(css(d, "select[name='name'] option"))):
            if select.get_attribute("value") == name:
                break
            select.send_keys(Keys.DOWN)
        wait(d, lambda: select.get_attribute("value") == name)
        one(d, "input[name='passphrase']").send_keys(passphrase, Keys.ENTER)
    wait(d, lambda: css(d, "[data-signed-in]") and one(d, "[data-signed-in]").text == name)


def sign_with_passphrase(d, action):
    activate(d, f"[data-action='{action}']")
    one(d, "dialog input[data-sign-passphrase]").send_keys(PASSPHRASE, Keys.ENTER)


def new_patient_and_draft(d, mrn, name):
    activate(d, "[data-nav='home']")
    mrn_input = one(d, "input[name='mrn']")
    mrn_input.send_keys(mrn)
    one(d, "input[name='name']").send_keys(name, Keys.ENTER)
    button = one(d, "[data-action='new-assessment']")
    wait(d, lambda: d.switch_to.active_element == button)
    press(button, Keys.ENTER)
    wait(d, lambda: css(d, "[data-step='patient'][aria-current='step']"))


def fill_eligible_with_precautions(d, lorazepam="lorazepam", route="iv_ketamine"):
    choose(d, "route", route)
    type_number(d, "patient.age_years", 47)
    choose(d, "patient.sex", "female")
    choose(d, "pregnancy.childbearing_potential", "yes")
    activate(d, "[data-action='next']")
    # Treatment history: two failed adequate trials.
    activate(d, "[data-action='add-trial']")
    for i, (drug, dose, weeks, improvement) in enumerate([("sertraline", 150, 8, 15), ("Effexor XR", 225, 10, 30)]):
        if i == 1:
            activate(d, "[data-action='add-trial']")
        wait(d, lambda: css(d, f"input[data-question='trials[{i}].drug']"))
        type_text(d, f"trials[{i}].drug", drug)
        type_number(d, f"trials[{i}].dose_mg_per_day", dose)
        type_number(d, f"trials[{i}].weeks_at_dose", weeks)
        type_number(d, f"trials[{i}].improvement_percent", improvement)
        choose(d, f"trials[{i}].adherent", "yes")
        choose(d, f"trials[{i}].current_episode", "yes")
        choose(d, f"trials[{i}].stopped_for_intolerance", "no")
        wait(d, lambda: "Counts as a failed adequate trial" in one(d, f"[data-trial-status='{i}']").text)
    activate(d, "[data-action='next']")
    type_number(d, "cardiovascular.systolic_mmhg", 146)
    type_number(d, "cardiovascular.diastolic_mmhg", 88)
    for q in ["aneurysmal_vascular_disease", "arteriovenous_malformation", "intracerebral_hemorrhage_history",
              "unstable_cardiovascular_disease", "stable_cardiovascular_disease", "hypertensive_encephalopathy_history"]:
        choose(d, f"cardiovascular.{q}", "no")
    activate(d, "[data-action='next']")
    wait(d, lambda: css(d, "[data-step='respiratory'][aria-current='step']"))
    choose(d, "respiratory.respiratory_disease", "no")
    type_number(d, "respiratory.spo2_percent", 97)
    activate(d, "[data-action='next']")
    choose(d, "pregnancy.pregnant", "no")
    choose(d, "pregnancy.breastfeeding", "no")
    activate(d, "[data-action='next']")
    choose(d, "substance_use.ketamine_or_pcp_misuse", "never")
    choose(d, "substance_use.substance_use_disorder", "none")
    choose(d, "substance_use.intoxicated_or_withdrawing", "no")
    choose(d, "substance_use.heavy_alcohol_use", "no")
    activate(d, "[data-action='next']")
    choose(d, "episode.diagnosis", "mdd")
    choose(d, "episode.capacity_to_consent", "yes")
    type_number(d, "episode.phq9_total", 19)
    choose(d, "psychiatric.current_psychosis_or_mania", "no")
    choose(d, "psychiatric.psychotic_disorder_history", "no")
    choose(d, "psychiatric.suicidal_ideation", "none")
    assert not css(d, "[data-question='psychiatric.suicidal_intent']"), "intent is asked only for active ideation"
    choose(d, "psychiatric.suicidal_behaviour_recent", "no")
    activate(d, "[data-action='next']")
    choose(d, "medical.ketamine_hypersensitivity", "no")
    choose(d, "medical.raised_intracranial_pressure", "no")
    choose(d, "medical.hepatic_impairment", "none")
    choose(d, "medical.neurocognitive_disorder", "no")
    choose(d, "medical.urinary_symptoms", "no")
    activate(d, "[data-action='next']")
    activate(d, "[data-action='add-medication']")
    wait(d, lambda: css(d, "input[data-question='medications[0].name']"))
    type_text(d, "medications[0].name", "venlafaxine")
    type_number(d, "medications[0].dose_mg_per_day", 225)
    activate(d, "[data-action='add-medication']")
    wait(d, lambda: css(d, "input[data-question='medications[1].name']"))
    type_text(d, "medications[1].name", lorazepam)
    type_number(d, "medications[1].dose_mg_per_day", 1)
    if lorazepam == "lorazepam":
        wait(d, lambda: "diazepam equivalent 10 mg/day" in one(d, "[data-med-status='1']").text)


def test_1_keyboard_only_full_assessment_then_finalise(launch, shots):
    d = launch()
    sign_in(d)
    new_patient_and_draft(d, "E2E-100", "Ana Pérez")
    fill_eligible_with_precautions(d)
    screen_shot(os.path.join(shots, "checklist.png"))
    assert determination(d) == "eligible_with_precautions"
    rules = [li.get_attribute("data-rule") for li in css(d, "aside.result li.finding")]
    assert "CV-BP-HIGH" in rules and "RX-BZD-HIGH" in rules and "TRD-COUNT" in rules
    assert "Failed adequate trials: 2" in one(d, "aside.result").text
    assert not one(d, ".result-jump").is_displayed(), "the result is beside the step at normal size"
    activate(d, "[data-action='next']")  # Review
    for rule, note in [("CV-BP-HIGH", "Rechecked 138/86 after rest"), ("RX-BZD-HIGH", "Lorazepam held on treatment days")]:
        area = one(d, f"textarea[data-ack='{rule}']")
        area.send_keys(note, Keys.TAB)
        settle(d)
    # Both notes saved: the summary shows them, and neither field lost what was typed in it.
    wait(d, lambda: "Lorazepam held on treatment days" in (one(d, "iframe.summary").get_attribute("srcdoc") or ""))
    assert one(d, "textarea[data-ack='CV-BP-HIGH']").get_attribute("value") == "Rechecked 138/86 after rest"
    assert one(d, "textarea[data-ack='RX-BZD-HIGH']").get_attribute("value") == "Lorazepam held on treatment days"
    screen_shot(os.path.join(shots, "review.png"))
    sign_with_passphrase(d, "finalise")
    wait(d, lambda: "read-only" in one(d, ".record-status").text)
    assert "Dr E2E Test" in one(d, ".record-status").text
    assert len(one(d, "[data-signature]").text.split()[-1]) == 64, "the hash of what was signed"
    assert css(d, "[data-action='amend']")
    # The finalised record cannot be edited: its inputs are disabled.
    go_step(d, "cardiovascular")
    assert not one(d, "input[data-question='cardiovascular.systolic_mmhg']").is_enabled()
    d.quit()


def test_2_relaunch_finds_the_final_unchanged_and_resumes_the_draft(clinic, launch):
    # A finalised assessment (the shared example, finalised with the CLI with its notes)…
    final = cli_import(clinic, "E2E-100")
    cli(clinic, "finalise", str(final), *[f"--ack={rule}={note}" for rule, note in EXAMPLE_NOTES])
    # … and a half-done draft, the app closed on its cardiovascular step.
    d = launch()
    sign_in(d)
    new_patient_and_draft(d, "E2E-200", "Ben Okafor")
    type_number(d, "patient.age_years", 52)
    go_step(d, "cardiovascular")
    type_number(d, "cardiovascular.systolic_mmhg", 132)
    assert determination(d) == "incomplete"
    d.quit()

    d = launch()
    sign_in(d)
    # Resumed exactly where the clinician was: the draft, on the cardiovascular step.
    wait(d, lambda: css(d, "[data-step='cardiovascular'][aria-current='step']"))
    assert "E2E-200" in one(d, "main h1").text
    assert one(d, "input[data-question='cardiovascular.systolic_mmhg']").get_attribute("value") == "132"
    go_step(d, "patient")
    assert one(d, "input[data-question='patient.age_years']").get_attribute("value") == "52"
    # The finalised assessment is listed, unchanged.
    activate(d, "[data-nav='home']")
    wait(d, lambda: "E2E-100" in one(d, "main").text)
    rows = [r.text for r in css(d, "table.list tbody tr")]
    final = next(r for r in rows if "E2E-100" in r)
    assert "Final" in final and "Eligible with precautions" in final
    d.quit()


def test_3_a_contraindication_shows_not_eligible_with_its_source(clinic, launch):
    d = launch()
    sign_in(d)
    new_patient_and_draft(d, "E2E-300", "Chloé Nguyen")
    go_step(d, "cardiovascular")
    choose(d, "cardiovascular.aneurysmal_vascular_disease", "yes")
    wait(d, lambda: determination(d) == "not_eligible")
    finding = one(d, "li.finding[data-rule='CV-ANEURYSM']")
    assert finding.get_attribute("role") == "alert"
    why = one(d, "[data-why='CV-ANEURYSM']")
    press(why, Keys.ENTER)
    wait(d, lambda: "SPRAVATO" in finding.text)
    assert "Source:" in finding.text and "verified" in finding.text
    d.quit()


def test_4_out_of_range_blood_pressure_is_shown_beside_the_field_and_not_saved(clinic, launch):
    d = launch()
    sign_in(d)
    new_patient_and_draft(d, "E2E-400", "Dev Rao")
    go_step(d, "cardiovascular")
    type_number(d, "cardiovascular.systolic_mmhg", 400)
    field = one(d, "input[data-question='cardiovascular.systolic_mmhg']")
    error_id = field.get_attribute("aria-describedby")
    error = one(d, f"[id='{error_id}']")
    wait(d, lambda: "out of range" in error.text)
    assert "400" in error.text and "50–300" in error.text
    assert field.get_attribute("aria-invalid") == "true"
    # Not saved: the result still misses the blood pressure, and it is empty after reopening the step.
    assert "CV-BP-GAP" in [li.get_attribute("data-rule") for li in css(d, "aside.result li.finding")]
    go_step(d, "patient")
    go_step(d, "cardiovascular")
    assert one(d, "input[data-question='cardiovascular.systolic_mmhg']").get_attribute("value") == ""
    d.quit()



def viewport(d):
    """The page's layout viewport and content width, in CSS pixels."""
    return d.execute_script(
        "return [window.innerWidth, document.documentElement.scrollWidth, document.body.scrollWidth];")


def fits_width(d):
    width, doc, body = viewport(d)
    return doc <= width and body <= width


def text_size_key(d, key):
    press(d.switch_to.active_element, Keys.CONTROL, key)


def test_5_readable_at_200_percent_text_size_chosen_with_the_keyboard(clinic, launch, shots):
    cli_import(clinic, "E2E-100")
    d = launch()
    sign_in(d)
    normal_width = viewport(d)[0]
    # Ctrl + four times: 125, 150, 175, 200 %. The page is zoomed: half as many CSS pixels across.
    for _ in range(4):
        text_size_key(d, "=")
        settle(d)
    wait(d, lambda: abs(viewport(d)[0] - normal_width / 2) <= 2)
    activate(d, "[data-nav='settings']")
    assert one(d, "select[data-text-size]").get_attribute("value") == "200"
    assert fits_width(d), viewport(d)
    # Every kind of screen fits the width (one column, nothing cut off or scrolled sideways).
    activate(d, "[data-nav='home']")
    wait(d, lambda: "E2E-100" in one(d, "main").text)
    assert fits_width(d), viewport(d)
    new_patient_and_draft(d, "E2E-500", "Dana Zoom")
    for step in ["patient", "treatment_history", "cardiovascular", "medications", "review"]:
        go_step(d, step)
        if step == "treatment_history":
            activate(d, "[data-action='add-trial']")
            wait(d, lambda: css(d, "input[data-question='trials[0].drug']"))
            type_text(d, "trials[0].drug", "Effexor XR")
            type_number(d, "trials[0].dose_mg_per_day", 75)
            wait(d, lambda: "below the" in one(d, "[data-trial-status='0']").text)
        if step == "cardiovascular":
            # The result panel is below the step now: a button at the top says the result and goes there.
            d.execute_script("window.scrollTo(0, 0)")
            screen_shot(os.path.join(shots, "zoom-200-checklist.png"))
            jump = one(d, ".result-jump")
            assert jump.is_displayed() and jump.text == "Result: " + one(d, "[data-determination]").text
            press(jump, Keys.ENTER)
            wait(d, lambda: d.switch_to.active_element.get_attribute("id") == "result-h")
        if step == "medications":
            activate(d, "[data-action='add-medication']")
            wait(d, lambda: css(d, "input[data-question='medications[0].name']"))
            type_text(d, "medications[0].name", "lorazepam")
        assert fits_width(d), (step, viewport(d))
    screen_shot(os.path.join(shots, "zoom-200-review.png"))
    d.quit()

    # The size is kept for the next start; Ctrl 0 returns to normal.
    d = launch()
    sign_in(d)
    wait(d, lambda: abs(viewport(d)[0] - normal_width / 2) <= 2)
    text_size_key(d, "0")
    wait(d, lambda: abs(viewport(d)[0] - normal_width) <= 2)
    d.quit()


def test_6_a_blood_pressure_that_stays_high_after_rest_defers_treatment_today(clinic, launch, shots):
    d = launch()
    sign_in(d)
    new_patient_and_draft(d, "E2E-600", "Eva Lindqvist")
    fill_eligible_with_precautions(d)
    assert determination(d) == "eligible_with_precautions"
    # The repeat reading after rest decides: still at or above 180/110 means not today.
    go_step(d, "cardiovascular")
    type_number(d, "cardiovascular.repeat_systolic_mmhg", 184)
    type_number(d, "cardiovascular.repeat_diastolic_mmhg", 104)
    wait(d, lambda: determination(d) == "deferred")
    assert one(d, "[data-determination]").text == "Deferred — not today"
    recheck = one(d, "[data-recheck]").text
    assert "not a lasting exclusion" in recheck and "184/104" in recheck and "Recheck after rest" in recheck
    assert "CV-BP-STOP" in [li.get_attribute("data-rule") for li in css(d, "aside.result li.finding")]
    screen_shot(os.path.join(shots, "deferred.png"))
    # Settled after rest: treatment may go ahead with the acknowledgement of the high first reading.
    type_number(d, "cardiovascular.repeat_systolic_mmhg", 150)
    type_number(d, "cardiovascular.repeat_diastolic_mmhg", 88)
    wait(d, lambda: determination(d) == "eligible_with_precautions")
    # Intoxicated today: deferred too, with what to do.
    go_step(d, "substance_use")
    choose(d, "substance_use.intoxicated_or_withdrawing", "yes")
    wait(d, lambda: determination(d) == "deferred")
    assert "Reassess when sober" in one(d, "[data-recheck]").text
    d.quit()


def test_7_an_unrecognised_medication_is_classified_by_keyboard(clinic, launch, shots):
    d = launch()
    sign_in(d)
    new_patient_and_draft(d, "E2E-700", "Femi Adeyemi")
    fill_eligible_with_precautions(d, lorazepam="lorazapam")
    # A misspelt benzodiazepine is not recognised: never eligible until someone looks at it.
    wait(d, lambda: determination(d) == "incomplete")
    status = one(d, "[data-med-status='1']").text
    assert "did you mean lorazepam?" in status, status
    assert "RX-UNCLASSIFIED" in [li.get_attribute("data-rule") for li in css(d, "aside.result li.finding")]
    # Take the catalog's name: the entry is recognised and its equivalent known.
    use = one(d, "[data-medication='1'] [data-action='use-suggestion']")
    press(use, Keys.ENTER)
    wait(d, lambda: "diazepam equivalent 10 mg/day" in one(d, "[data-med-status='1']").text)
    assert one(d, "input[data-question='medications[1].name']").get_attribute("value") == "lorazepam"
    wait(d, lambda: determination(d) == "eligible_with_precautions")
    # A medication the catalog does not know at all: reviewed as none of the classes.
    activate(d, "[data-action='add-medication']")
    wait(d, lambda: css(d, "input[data-question='medications[2].name']"))
    type_text(d, "medications[2].name", "melatonin gummies")
    wait(d, lambda: determination(d) == "incomplete")
    none = one(d, "[data-medication='2'] input[data-class='none']")
    press(none, Keys.SPACE)
    wait(d, lambda: "Reviewed: none of the interacting classes" in one(d, "[data-med-status='2']").text)
    wait(d, lambda: determination(d) == "eligible_with_precautions")
    # One the clinician knows is a benzodiazepine: Space on its box, then its diazepam equivalent.
    activate(d, "[data-action='add-medication']")
    wait(d, lambda: css(d, "input[data-question='medications[3].name']"))
    type_text(d, "medications[3].name", "lormetazepam")
    type_number(d, "medications[3].dose_mg_per_day", 1)
    box = one(d, "[data-medication='3'] input[data-class='benzodiazepine']")
    press(box, Keys.SPACE)
    # At once Tab to the next class and tick it too (keys go to whatever has the focus, as a
    # person's do): neither tick is lost, and the focus stays on the box.
    ActionChains(d).send_keys(Keys.TAB).pause(0.05).send_keys(Keys.SPACE).perform()
    wait(d, lambda: "Benzodiazepine, Lamotrigine (chosen by you)" in one(d, "[data-med-status='3']").text)
    wait(d, lambda: d.switch_to.active_element.get_attribute("data-class") == "lamotrigine")
    ActionChains(d).send_keys(Keys.SPACE).perform()
    wait(d, lambda: "Benzodiazepine (chosen by you)" in one(d, "[data-med-status='3']").text)
    assert d.switch_to.active_element.get_attribute("data-class") == "lamotrigine"
    type_number(d, "medications[3].diazepam_equivalent_mg_per_day", 10)
    wait(d, lambda: "20 mg/day diazepam-equivalent" in one(d, "li.finding[data-rule='RX-BZD-HIGH']").text)
    assert determination(d) == "eligible_with_precautions"
    assert "RX-CLINICIAN-CLASSES" in [li.get_attribute("data-rule") for li in css(d, "aside.result li.finding")]
    screen_shot(os.path.join(shots, "classify.png"))
    d.quit()


def test_8_clinic_settings_are_kept_with_the_records_and_back_to_patient_finds_any_patient(launch, clinic, shots):
    # An older patient, then more than a hundred newer ones.
    cli_import(clinic, "E2E-OLD-1")
    for i in range(101):
        cli_import(clinic, f"E2E-BULK-{i:03}")
    d = launch()
    sign_in(d)
    activate(d, "[data-nav='home']")
    search = one(d, "input[type='search']")
    search.send_keys("E2E-OLD-1")
    activate(d, "[data-patient='E2E-OLD-1']")
    activate(d, "[data-open]")
    wait(d, lambda: "E2E-OLD-1" in one(d, "main h1").text)
    back = wait(d, lambda: next((b for b in css(d, "button") if b.text == "Back to patient"), None))
    press(back, Keys.ENTER)
    wait(d, lambda: "MRN E2E-OLD-1" in one(d, "section[aria-label='Selected patient']").text)

    # The clinic's 8-week rule, saved in Settings, is in the records database with its history.
    activate(d, "[data-nav='settings']")
    weeks = one(d, "select[data-policy='min_weeks_at_dose']")
    weeks.send_keys("8")
    wait(d, lambda: weeks.get_attribute("value") == "8")
    activate(d, "form.settings button[type='submit']")
    wait(d, lambda: "Saved" in one(d, ".status-line").text)
    row = wait(d, lambda: next((r for r in css(d, "[data-settings-history] tbody tr") if "8" in r.text and "(default)" in r.text), None))
    assert "weeks" in row.text.lower(), row.text
    screen_shot(os.path.join(shots, "settings-history.png"))
    d.quit()
    _, env = clinic
    prefs = os.path.join(env["TRDCHECK_DATA_DIR"], "settings.json")
    assert not os.path.exists(prefs) or "min_weeks_at_dose" not in open(prefs).read()
    d = launch()
    sign_in(d)
    activate(d, "[data-nav='settings']")
    # The app restores the screen it was closed on (Settings) while the test opens it too: the
    # screen may be drawn twice, so each step finds its element again until it holds.
    wait(d, lambda: one(d, "select[data-policy='min_weeks_at_dose']").get_attribute("value") == "8")
    wait(d, lambda: css(d, "[data-settings-history]"))
    settle(d)

    def set_weeks(value):
        el = one(d, "select[data-policy='min_weeks_at_dose']")
        el.send_keys(value)
        return el.get_attribute("value") == value

    # Back to the default: a second change on the restored screen is saved as well.
    wait(d, lambda: set_weeks("6"))
    activate(d, "form.settings button[type='submit']")
    wait(d, lambda: "Saved" in one(d, ".status-line").text)
    wait(d, lambda: one(d, "select[data-policy='min_weeks_at_dose']").get_attribute("value") == "6")
    d.quit()


SECOND = "Dr Second"
SECOND_PASSPHRASE = "marble cactus violin seventy"


def test_9_the_app_locks_when_idle_keeps_what_was_typed_and_another_clinician_starts_fresh(clinic, launch, shots):
    d = launch()
    sign_in(d)
    # The clinic's shortest lock, and a second clinician.
    activate(d, "[data-nav='settings']")
    minutes = one(d, "input[data-setting='lock_after_minutes']")
    minutes.send_keys(Keys.CONTROL, "a")
    minutes.send_keys(Keys.BACKSPACE, "1")
    activate(d, "form.settings button[type='submit']")
    wait(d, lambda: "Saved" in one(d, ".status-line").text)
    add = one(d, "form[data-form='add-clinician']")
    add.find_element(By.NAME, "name").send_keys(SECOND)
    add.find_element(By.NAME, "passphrase").send_keys(SECOND_PASSPHRASE)
    add.find_element(By.NAME, "your_passphrase").send_keys(PASSPHRASE, Keys.ENTER)
    wait(d, lambda: css(d, f"[data-clinician='{SECOND}']"))
    new_patient_and_draft(d, "E2E-900", "Greta Idlewild")
    type_number(d, "patient.age_years", 61)
    # Typed, and then nobody at the keyboard for a minute.
    one(d, "input[data-question='patient.weight_kg']").send_keys("72")
    wait(d, lambda: css(d, "[data-action='sign-in']"), timeout=100)
    page = d.page_source
    assert "Greta" not in page and "E2E-900" not in page, "no patient detail is left on the page"
    assert "Locked after 1 minutes" in one(d, "main.access").text
    # (No WebDriver screenshot here: WebKitWebDriver's screenshot command hangs once a password
    # field has been typed into in the session; the app itself renders, see scripts/ notes.)
    # The same clinician comes back to the draft, with what was typed.
    sign_in(d)
    wait(d, lambda: "E2E-900" in one(d, "main h1").text)
    assert one(d, "input[data-question='patient.weight_kg']").get_attribute("value") == "72"
    # Another clinician signs in after "Lock": the patient list, not the first one's draft.
    activate(d, "[data-action='lock']")
    sign_in(d, SECOND, SECOND_PASSPHRASE)
    one(d, "input[name='mrn']")
    assert "Greta Idlewild" not in one(d, "main h1").text
    # The second clinician can change the clinic's lock too: back to five minutes.
    activate(d, "[data-nav='settings']")
    minutes = one(d, "input[data-setting='lock_after_minutes']")
    minutes.send_keys(Keys.CONTROL, "a")
    minutes.send_keys(Keys.BACKSPACE, "5")
    activate(d, "form.settings button[type='submit']")
    wait(d, lambda: "Saved" in one(d, ".status-line").text)
    d.quit()


def test_10_no_patient_detail_is_in_the_clear_anywhere_in_the_data_or_home_folders(data_root, launch):
    # A day's records, written by the app from its first start: a finalised assessment with its
    # notes, a draft, one more patient from the CLI; then every file the app and WebKit wrote.
    d = launch()
    sign_in(d)
    new_patient_and_draft(d, "E2E-100", "Ana Pérez")
    fill_eligible_with_precautions(d)
    finalise_with_notes(d)
    new_patient_and_draft(d, "E2E-900", "Greta Idlewild")
    type_number(d, "patient.age_years", 61)
    d.quit()
    cli_import(data_root, "E2E-BULK-007")
    root, _ = data_root
    needles = [n.encode() for n in ["Ana Pérez", "Greta Idlewild", "E2E-100", "E2E-900", "E2E-BULK-007",
                                    "Lorazepam held on treatment days", PASSPHRASE]]
    checked = 0
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                data = f.read()
            checked += 1
            for needle in needles:
                assert needle not in data, f"{needle!r} is in the clear in {path}"
    assert checked > 0


def finalise_with_notes(d):
    """From the last checklist step: Review, a note on each precaution, finalise and sign."""
    activate(d, "[data-action='next']")  # Review
    for rule, note in [("CV-BP-HIGH", "Rechecked 138/86 after rest"), ("RX-BZD-HIGH", "Lorazepam held on treatment days")]:
        one(d, f"textarea[data-ack='{rule}']").send_keys(note, Keys.TAB)
        settle(d)
    wait(d, lambda: "Lorazepam held on treatment days" in (one(d, "iframe.summary").get_attribute("srcdoc") or ""))
    sign_with_passphrase(d, "finalise")
    wait(d, lambda: "read-only" in one(d, ".record-status").text)


def gate(d):
    return one(d, "[data-gate]").get_attribute("data-gate")


def session_pre_dose(d, systolic, diastolic):
    type_number(d, "pre_dose.gate.systolic_mmhg", systolic)
    type_number(d, "pre_dose.gate.diastolic_mmhg", diastolic)
    type_number(d, "pre_dose.gate.spo2_percent", 97)
    choose(d, "pre_dose.gate.new_since_assessment", "no")


def finalise_session(d):
    sign_with_passphrase(d, "finalise-session")
    wait(d, lambda: "read-only" in one(d, ".record-status").text)


def test_11_a_course_of_two_sessions_one_deferred_for_blood_pressure_by_keyboard(clinic, launch, shots):
    d = launch()
    sign_in(d)
    new_patient_and_draft(d, "E2E-1100", "Iris Novak")
    fill_eligible_with_precautions(d)
    finalise_with_notes(d)
    back = wait(d, lambda: next((b for b in css(d, "button") if b.text == "Back to patient"), None))
    press(back, Keys.ENTER)
    activate(d, "[data-start-course]")
    wait(d, lambda: css(d, "[data-next]"))
    assert "0 dose(s) given. Next: Dose 1 · Induction" in one(d, "[data-next]").text

    # Session 1: 184/112 before the dose. The gate defers it; no dose or monitoring is asked.
    activate(d, "[data-action='new-session']")
    wait(d, lambda: "Session 1" in one(d, "main h1").text)
    session_pre_dose(d, 184, 112)
    wait(d, lambda: gate(d) == "defer")
    assert "CV-BP-STOP" in [li.get_attribute("data-rule") for li in css(d, "aside.result li.finding")]
    assert one(d, "[data-stopped]").is_displayed()
    assert not one(d, "input[data-question='dose.dose_mg']").is_displayed()
    wait(d, lambda: "Ready to finalise" in one(d, "aside.result").text)
    screen_shot(os.path.join(shots, "session-deferred.png"))
    finalise_session(d)
    assert "Deferred" in one(d, ".record-status").text
    activate(d, "[data-action='back-to-course']")
    wait(d, lambda: css(d, "[data-session='1']"))
    assert "Deferred" in one(d, "[data-session='1']").text

    # Session 2: 150/92 needs a note (CV-BP-HIGH); the dose from the calculator on today's weight.
    activate(d, "[data-action='new-session']")
    wait(d, lambda: "Session 2" in one(d, "main h1").text)
    session_pre_dose(d, 150, 92)
    wait(d, lambda: gate(d) == "acknowledge_first")
    one(d, "textarea[data-ack='CV-BP-HIGH']").send_keys("Asymptomatic; rechecked before the infusion", Keys.TAB)
    settle(d)
    type_number(d, "pre_dose.heart_rate_bpm", 72)
    for q in ["transport_home", "no_driving_advised", "consent_on_file"]:
        choose(d, f"pre_dose.{q}", "yes")
    wait(d, lambda: "today's weight is needed" in one(d, "[data-calculator]").text)
    type_number(d, "dose.weight_kg", 70)
    wait(d, lambda: css(d, "[data-calculated-dose='35']"))
    activate(d, "[data-use-dose='35']")
    settle(d)
    type_text(d, "dose.lot_number", "KET-2026-11")
    type_text(d, "dose.start_time", "10:05")
    type_number(d, "monitoring.bp_40_min.systolic_mmhg", 148)
    type_number(d, "monitoring.bp_40_min.diastolic_mmhg", 90)
    # 148/90 at 40 minutes is above 140/90: the app asks for a note (issue 24).
    wait(d, lambda: css(d, "textarea[data-ack='monitoring.bp_40_min']"))
    one(d, "textarea[data-ack='monitoring.bp_40_min']").send_keys("Asymptomatic; rechecked at 60 minutes, 138/86", Keys.TAB)
    settle(d)
    type_number(d, "monitoring.bp_before_discharge.systolic_mmhg", 132)
    type_number(d, "monitoring.bp_before_discharge.diastolic_mmhg", 84)
    type_number(d, "monitoring.spo2_lowest_percent", 96)
    type_number(d, "monitoring.moaas_lowest", 5)
    choose(d, "monitoring.dissociation", "yes")
    choose(d, "monitoring.respiratory_depression", "no")
    type_text(d, "monitoring.other_adverse_events", "none")
    type_number(d, "monitoring.total_monitoring_minutes", 90)
    choose(d, "monitoring.effects_resolved", "yes")
    choose(d, "monitoring.discharged", "yes")
    wait(d, lambda: "Ready to finalise" in one(d, "aside.result").text)
    screen_shot(os.path.join(shots, "session-treated.png"))
    finalise_session(d)
    assert "Treated" in one(d, ".record-status").text
    assert not one(d, "input[data-question='dose.dose_mg']").is_enabled()
    activate(d, "[data-action='back-to-course']")
    wait(d, lambda: css(d, "[data-session='2']"))
    assert "35 mg" in one(d, "[data-session='2']").text and "Treated" in one(d, "[data-session='2']").text
    assert "1 dose(s) given. Next: Dose 2" in one(d, "[data-next]").text
    screen_shot(os.path.join(shots, "course.png"))
    d.quit()


def save_in_dialog(path):
    """Saves through the GTK save dialog the app opened: the file's full path typed into its name
    field (over the name it suggests), then Enter. The dialog is a native window, out of reach
    of WebDriver; xdotool types into it on the Xvfb display."""
    found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "Save"],
                           capture_output=True, text=True, timeout=30)
    window = found.stdout.split()[-1]
    subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True, timeout=10)
    time.sleep(0.5)
    subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+a"], check=True, timeout=10)
    subprocess.run(["xdotool", "type", "--delay", "20", path], check=True, timeout=30)
    subprocess.run(["xdotool", "key", "Return"], check=True, timeout=10)


def test_12_an_esketamine_course_one_session_deferred_then_the_rems_form_as_pdf_by_keyboard(clinic, launch, shots, tmp_path):
    d = launch()
    sign_in(d)
    # The clinic's REMS details, kept with its settings, fill the form.
    activate(d, "[data-nav='settings']")
    type_into = lambda key, text: one(d, f"input[data-rems='{key}']").send_keys(text)
    type_into("city", "Burlington")
    type_into("phone", "802-555-0100")
    activate(d, "form.settings button[type='submit']")
    wait(d, lambda: "Saved" in one(d, ".status-line").text)
    wait(d, lambda: any("REMS form" in r.text and "Burlington" in r.text for r in css(d, "[data-settings-history] tbody tr")))
    activate(d, "[data-nav='home']")
    new_patient_and_draft(d, "E2E-1200", "Lena Brandt Okafor")
    fill_eligible_with_precautions(d, route="esketamine_nasal")
    finalise_with_notes(d)
    back = wait(d, lambda: next((b for b in css(d, "button") if b.text == "Back to patient"), None))
    press(back, Keys.ENTER)
    activate(d, "[data-start-course]")
    wait(d, lambda: "Next: Dose 1" in one(d, "[data-next]").text)
    # Session 1: 182/98 before the dose. The gate defers it; no dose, so no REMS form.
    activate(d, "[data-action='new-session']")
    wait(d, lambda: "Session 1" in one(d, "main h1").text)
    session_pre_dose(d, 182, 98)
    wait(d, lambda: gate(d) == "defer")
    wait(d, lambda: "Ready to finalise" in one(d, "aside.result").text)
    finalise_session(d)
    assert "Deferred" in one(d, ".record-status").text
    assert not css(d, "[data-export-session='rems_form']")
    activate(d, "[data-action='back-to-course']")
    wait(d, lambda: css(d, "[data-session='1']"))
    assert "Deferred" in one(d, "[data-session='1']").text
    assert "Next: Dose 1" in one(d, "[data-next]").text
    # Session 2, the first dose.
    activate(d, "[data-action='new-session']")
    wait(d, lambda: "Session 2" in one(d, "main h1").text)
    session_pre_dose(d, 132, 84)
    wait(d, lambda: gate(d) == "proceed")
    type_number(d, "pre_dose.heart_rate_bpm", 76)
    for q in ["fasted_as_instructed", "transport_home", "no_driving_advised", "consent_on_file", "rems_enrolled"]:
        choose(d, f"pre_dose.{q}", "yes")
    # Day 1 of the label: 56 mg, two devices five minutes apart.
    wait(d, lambda: css(d, "[data-use-dose='56']"))
    activate(d, "[data-use-dose='56']")
    settle(d)
    type_text(d, "dose.lot_number", "SPR-4411")
    type_text(d, "dose.start_time", "09:30")
    type_text(d, "dose.device_times", "09:30, 09:35")
    type_number(d, "monitoring.bp_40_min.systolic_mmhg", 150)
    type_number(d, "monitoring.bp_40_min.diastolic_mmhg", 92)
    # 150/92 at 40 minutes is above 140/90: the app asks for a note (issue 24).
    wait(d, lambda: css(d, "textarea[data-ack='monitoring.bp_40_min']"))
    one(d, "textarea[data-ack='monitoring.bp_40_min']").send_keys("Asymptomatic; rechecked at 60 minutes, 138/86", Keys.TAB)
    settle(d)
    type_number(d, "monitoring.bp_before_discharge.systolic_mmhg", 134)
    type_number(d, "monitoring.bp_before_discharge.diastolic_mmhg", 84)
    type_number(d, "monitoring.spo2_lowest_percent", 96)
    type_number(d, "monitoring.moaas_lowest", 4)
    choose(d, "monitoring.dissociation", "yes")
    choose(d, "monitoring.respiratory_depression", "no")
    type_text(d, "monitoring.other_adverse_events", "none")
    type_number(d, "monitoring.ready_to_leave_minutes", 75)
    type_number(d, "monitoring.total_monitoring_minutes", 125)
    choose(d, "monitoring.effects_resolved", "yes")
    choose(d, "monitoring.discharged", "yes")
    wait(d, lambda: "Ready to finalise" in one(d, "aside.result").text)
    finalise_session(d)
    # The form, filled from the session, shown before it is saved; due within 7 days.
    assert one(d, "[data-rems-status]").get_attribute("data-rems-status") == "pending"
    wait(d, lambda: "SPR-4411" in (one(d, "iframe.rems-form").get_attribute("srcdoc") or ""))
    form = one(d, "iframe.rems-form").get_attribute("srcdoc")
    for value in ["56 mg", "150/92 mmHg", "125", "75", "Burlington", "802-555-0100"]:
        assert value in form, value
    # "Lena Brandt Okafor": given and family names are not guessed; marked to write by hand.
    assert "Patient: First name" in form and "Patient: Last name" in form
    screen_shot(os.path.join(shots, "rems-form.png"))
    target = str(tmp_path / "rems-form-session-2.pdf")
    activate(d, "[data-export-session='rems_form']")
    save_in_dialog(target)
    wait(d, lambda: "Saved" in one(d, "[data-documents-status]").text)
    with open(target, "rb") as f:
        assert f.read(5) == b"%PDF-"
    # Until it is marked submitted, the form is listed on the home screen with its deadline.
    activate(d, "[data-nav='home']")
    row = wait(d, lambda: next((r for r in css(d, "[data-rems-pending] tbody tr") if "E2E-1200" in r.text), None))
    assert "Submit by" in one(d, "[data-rems-pending]").text
    press(row.find_element(By.CSS_SELECTOR, "[data-rems-session]"), Keys.ENTER)
    wait(d, lambda: "Session 2" in one(d, "main h1").text)
    activate(d, "[data-action='rems-submitted']")
    wait(d, lambda: css(d, "[data-rems-status='submitted']"))
    activate(d, "[data-action='back-to-course']")
    wait(d, lambda: "Submitted" in one(d, "[data-session='2']").text)
    activate(d, "[data-nav='home']")
    wait(d, lambda: css(d, "input[type='search']"))
    settle(d)
    assert not any("E2E-1200" in r.text for r in css(d, "[data-rems-pending] tbody tr"))
    # The lot number was mistyped: the session is amended as version 2, corrected and signed;
    # version 1 is kept, and the corrected form is due again.
    search = one(d, "input[type='search']")
    search.send_keys("E2E-1200")
    activate(d, "[data-patient='E2E-1200']")
    activate(d, "[data-course]")
    activate(d, "[data-open-session='2']")
    wait(d, lambda: "read-only" in one(d, ".record-status").text)
    sign_with_passphrase(d, "amend-session")
    wait(d, lambda: "version 2" in one(d, "main h1").text)
    field = one(d, "input[data-question='dose.lot_number']")
    assert field.get_attribute("value") == "SPR-4411"
    field.clear()
    type_text(d, "dose.lot_number", "SPR-4412")
    wait(d, lambda: "Ready to finalise" in one(d, "aside.result").text)
    finalise_session(d)
    wait(d, lambda: "SPR-4412" in (one(d, "iframe.rems-form").get_attribute("srcdoc") or ""))
    activate(d, "[data-action='open-amended']")
    wait(d, lambda: "amended by a newer version" in one(d, ".record-status").text)
    activate(d, "[data-nav='home']")
    wait(d, lambda: any("E2E-1200" in r.text for r in css(d, "[data-rems-pending] tbody tr")))
    d.quit()


def answer_scale(d, answers, first=None):
    """Answers a scale's items by keyboard: Space on each answer's radio (`first`: the item
    answered before the others, e.g. the safety item)."""
    order = list(range(len(answers)))
    if first is not None:
        order.remove(first)
        order.insert(0, first)
    for i in order:
        el = one(d, f"[data-item='{i + 1}'] input[data-answer='{answers[i]}']")
        press(el, Keys.SPACE)
        wait(d, lambda: el.is_selected())
    settle(d)


def new_administration(d, baseline):
    box = one(d, "input[data-new-baseline]")
    if box.is_selected() != baseline:
        press(box, Keys.SPACE)
    activate(d, "[data-action='new-administration']")
    wait(d, lambda: "PHQ-9" in (css(d, "main h1") or [None])[0].get_attribute("textContent"))


def open_course(d, mrn):
    activate(d, "[data-nav='home']")
    one(d, "input[type='search']").send_keys(mrn)
    activate(d, f"[data-patient='{mrn}']")
    activate(d, "[data-course]")
    wait(d, lambda: css(d, "[data-next]"))


def pdf_text(path):
    out = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True, timeout=60)
    return " ".join(out.stdout.split())


def test_13_phq9_baseline_then_three_follow_ups_to_a_response_charted_and_in_the_pdf_by_keyboard(clinic, launch, shots, tmp_path):
    # A course with one treated session (through the CLI; test 11 makes one through the app).
    cli_course_with_a_session(clinic, "E2E-1100")
    d = launch()
    sign_in(d)
    open_course(d, "E2E-1100")

    # The baseline: handed to the patient in large text, answered by keyboard, handed back.
    new_administration(d, baseline=True)
    assert "handover" in one(d, "main").get_attribute("class")
    assert not css(d, "header.top") or not one(d, "header.top").is_displayed()
    screen_shot(os.path.join(shots, "phq9-handover.png"))
    answer_scale(d, [3, 3, 2, 2, 2, 2, 2, 2, 0])
    activate(d, "[data-action='hand-back']")
    wait(d, lambda: css(d, "[data-score='18']"))
    assert "moderately severe" in one(d, "[data-score]").text
    sign_with_passphrase(d, "finalise-administration")
    wait(d, lambda: "read-only" in one(d, ".record-status").text)
    activate(d, "[data-action='back-to-course']")

    # Follow-up 1: 12.
    wait(d, lambda: css(d, "[data-scale-table='phq9']"))
    new_administration(d, baseline=False)
    answer_scale(d, [2, 2, 2, 2, 1, 1, 1, 1, 0])
    activate(d, "[data-action='hand-back']")
    wait(d, lambda: css(d, "[data-score='12']"))
    assert one(d, "[data-response]").get_attribute("data-response") == "false"
    sign_with_passphrase(d, "finalise-administration")
    wait(d, lambda: "read-only" in one(d, ".record-status").text)
    activate(d, "[data-action='back-to-course']")

    # Follow-up 2: item 9 answered first raises the urgent alert at once; the note is needed.
    wait(d, lambda: len(css(d, "[data-scale-table='phq9'] tbody tr")) == 2)
    new_administration(d, baseline=False)
    answer_scale(d, [1, 1, 1, 1, 1, 1, 1, 2, 1], first=8)
    # The patient, holding the screen, is told the clinician will go through the answers; the
    # clinician's urgent alert is there at once and shows as the screen is handed back.
    wait(d, lambda: css(d, "[data-alert='item9']"))
    assert "clinician will go through your answers" in one(d, ".patient-only[aria-live]").text
    assert not one(d, "[data-alert='item9']").is_displayed()
    activate(d, "[data-action='hand-back']")
    wait(d, lambda: one(d, "[data-alert='item9']").is_displayed())
    assert "URGENT" in one(d, "[data-alert='item9']").text and "Several days" in one(d, "[data-alert='item9']").text
    wait(d, lambda: any(b.get_attribute("data-needed") == "safety_note" for b in css(d, "[data-needed]")))
    screen_shot(os.path.join(shots, "phq9-urgent-alert.png"))
    note = one(d, "textarea[data-question='safety_note']")
    note.send_keys("Passive thoughts, no plan; C-SSRS screen negative; safety plan reviewed", Keys.TAB)
    wait(d, lambda: "Ready to finalise" in one(d, "main").text)
    sign_with_passphrase(d, "finalise-administration")
    wait(d, lambda: "read-only" in one(d, ".record-status").text)
    activate(d, "[data-action='back-to-course']")

    # Follow-up 3: 8 of a baseline 18, a fall of more than half: a response.
    wait(d, lambda: len(css(d, "[data-scale-table='phq9'] tbody tr")) == 3)
    new_administration(d, baseline=False)
    answer_scale(d, [1, 1, 1, 1, 1, 1, 1, 1, 0])
    activate(d, "[data-action='hand-back']")
    wait(d, lambda: css(d, "[data-score='8']"))
    assert one(d, "[data-response]").get_attribute("data-response") == "true"
    assert "Response" in one(d, "[data-response]").text and "McInnes" in one(d, "[data-response]").text
    sign_with_passphrase(d, "finalise-administration")
    wait(d, lambda: "read-only" in one(d, ".record-status").text)
    activate(d, "[data-action='back-to-course']")

    # The course: the alert, the response, the chart with its table; points reached by Tab.
    wait(d, lambda: len(css(d, "[data-scale-table='phq9'] tbody tr")) == 4)
    assert "URGENT" in one(d, "[data-course-alert]").text
    assert "response" in one(d, "[data-latest='8']").text
    chart = one(d, "svg[data-chart='PHQ-9 total over the course']")
    assert chart.is_displayed()
    assert len(chart.find_elements(By.CSS_SELECTOR, "rect[data-band]")) == 5
    assert len(chart.find_elements(By.CSS_SELECTOR, "[data-point]")) == 4
    assert chart.find_elements(By.CSS_SELECTOR, "[data-line='response']")
    assert css(d, "svg[data-chart='Blood pressure per session (mmHg)']")
    start = one(d, "[data-action='new-administration']")
    d.execute_script("arguments[0].focus()", start)
    reached = None
    for _ in range(30):
        d.switch_to.active_element.send_keys(Keys.TAB)
        if d.switch_to.active_element.get_attribute("data-point") is not None:
            reached = d.switch_to.active_element.get_attribute("aria-label")
            break
    assert reached and reached.startswith(d.execute_script("return document.querySelector('[data-point]').getAttribute('aria-label')")[:10])
    d.execute_script("arguments[0].scrollIntoView()", chart)
    screen_shot(os.path.join(shots, "course-outcomes.png"))

    # The course summary PDF carries the chart (vector) and the alert.
    target = str(tmp_path / "course.pdf")
    activate(d, "[data-export-course='pdf']")
    save_in_dialog(target)
    wait(d, lambda: os.path.exists(target) and os.path.getsize(target) > 1000)
    text = pdf_text(target)
    for needle in ["PHQ-9 total over the course", "response ≤ 9", "remission ≤ 4", "URGENT — PHQ-9", "Blood pressure per session"]:
        assert needle in text, needle

    d.quit()


def test_14_a_name_close_to_a_listed_drug_asks_which_drug_before_it_counts(clinic, launch, shots):
    """Issue 24: "sertraln" beside a sertraline trial is never a second failed drug unseen."""
    d = launch()
    sign_in(d)
    new_patient_and_draft(d, "E2E-1400", "Omar Haddad")
    go_step(d, "treatment_history")
    for i, (drug, dose) in enumerate([("sertraline", 150), ("sertraln", 100)]):
        activate(d, "[data-action='add-trial']")
        wait(d, lambda: css(d, f"input[data-question='trials[{i}].drug']"))
        type_text(d, f"trials[{i}].drug", drug)
        type_number(d, f"trials[{i}].dose_mg_per_day", dose)
        type_number(d, f"trials[{i}].weeks_at_dose", 8)
        type_number(d, f"trials[{i}].improvement_percent", 10)
        choose(d, f"trials[{i}].adherent", "yes")
        choose(d, f"trials[{i}].current_episode", "yes")
        choose(d, f"trials[{i}].stopped_for_intolerance", "no")
    # The second name is close to sertraline: which drug it is, is asked; until then it cannot count.
    question = wait(d, lambda: next(iter(css(d, "[data-question='trials[1].same_drug_as_suggestion']")), None))
    assert "sertraline" in question.text, question.text
    assert "whether sertraln is sertraline or a different drug" in one(d, "[data-trial-status='1']").text
    screen_shot(os.path.join(shots, "same-drug-question.png"))
    # Yes: the step is redrawn (the question's suggestion is answered), so the radio is not waited on.
    press(one(d, "[data-question='trials[1].same_drug_as_suggestion'] input[data-value='yes']"), Keys.SPACE)
    wait(d, lambda: "Same drug as trial 1" in one(d, "[data-trial-status='1']").text)
    assert "Counted once" in one(d, "[data-trial-status='1']").text
    d.quit()


def test_15_a_pregnancy_answered_then_hidden_by_another_answer_stays_shown(clinic, launch, shots):
    """Issue 24: "Pregnant: yes", then "not of childbearing potential": the answer is still shown
    with a note to correct it, and the result is incomplete with a finding naming both."""
    d = launch()
    sign_in(d)
    new_patient_and_draft(d, "E2E-1500", "Rosa Lindqvist")
    choose(d, "patient.sex", "female")
    choose(d, "pregnancy.childbearing_potential", "yes")
    go_step(d, "pregnancy")
    choose(d, "pregnancy.pregnant", "yes")
    wait(d, lambda: determination(d) == "not_eligible")
    go_step(d, "patient")
    choose(d, "pregnancy.childbearing_potential", "no")
    wait(d, lambda: "ANS-PREG-CBP" in [li.get_attribute("data-rule") for li in css(d, "aside.result li.finding")])
    assert determination(d) == "incomplete"
    go_step(d, "pregnancy")
    note = one(d, "[data-not-asked='pregnancy.pregnant']")
    assert "answered, although this question does not apply" in note.text
    assert one(d, "[data-question='pregnancy.pregnant'] input[data-value='yes']").is_selected()
    screen_shot(os.path.join(shots, "contradiction.png"))
    d.quit()


def test_16_a_note_written_for_one_reading_is_confirmed_again_when_it_changes_then_the_course_ends(clinic, launch, shots):
    """Issue 24: a blood-pressure note written at 146/88 does not cover 158/96 unseen: it is shown
    with the reading it was written for, and finalising is refused until it is confirmed. Then the
    course started from the signed assessment is ended by keyboard, with a date and a reason."""
    d = launch()
    sign_in(d)
    new_patient_and_draft(d, "E2E-1600", "Nadia Osei")
    fill_eligible_with_precautions(d)
    activate(d, "[data-action='next']")  # Review
    for rule, note in [("CV-BP-HIGH", "Rechecked after rest, asymptomatic"), ("RX-BZD-HIGH", "Lorazepam held on treatment days")]:
        one(d, f"textarea[data-ack='{rule}']").send_keys(note, Keys.TAB)
        settle(d)
    assert not css(d, "[data-stale-ack]")
    # The reading changes after the note was written.
    go_step(d, "cardiovascular")
    type_number(d, "cardiovascular.systolic_mmhg", 158)
    type_number(d, "cardiovascular.diastolic_mmhg", 96)
    go_step(d, "review")
    stale = wait(d, lambda: next(iter(css(d, "[data-stale-ack='CV-BP-HIGH']")), None))
    assert "146/88" in stale.text, stale.text
    assert "158/96" in one(d, "label[for='" + one(d, "textarea[data-ack='CV-BP-HIGH']").get_attribute("id") + "']").text
    screen_shot(os.path.join(shots, "stale-note.png"))
    # Finalising is refused, naming the note and both readings; the record stays a draft.
    sign_with_passphrase(d, "finalise")
    wait(d, lambda: "Read it again and confirm the note" in one(d, ".status-line").text)
    assert "146/88" in one(d, ".status-line").text and "158/96" in one(d, ".status-line").text
    assert "Draft" in one(d, ".record-status").text
    # Confirmed for the reading as it is now: the warning goes and the assessment is signed.
    activate(d, "[data-confirm-ack='CV-BP-HIGH']")
    wait(d, lambda: not css(d, "[data-stale-ack='CV-BP-HIGH']"))
    sign_with_passphrase(d, "finalise")
    wait(d, lambda: "read-only" in one(d, ".record-status").text)
    summary = one(d, "iframe.summary").get_attribute("srcdoc") or ""
    assert "158/96" in summary and "Rechecked after rest, asymptomatic" in summary

    # A course from it, then ended: its end is kept with it and no session can be added.
    back = wait(d, lambda: next((b for b in css(d, "button") if b.text == "Back to patient"), None))
    press(back, Keys.ENTER)
    activate(d, "[data-start-course]")
    wait(d, lambda: css(d, "[data-next]"))
    summary_el = one(d, "details.end-course summary")
    press(summary_el, Keys.ENTER)
    reason = wait(d, lambda: next((e for e in css(d, "input[data-end-reason]") if e.is_displayed()), None))
    reason.send_keys("Patient's choice after the first discussion")
    activate(d, "[data-action='end-course']")
    wait(d, lambda: "ended" in one(d, ".record-status").text)
    assert "Patient's choice after the first discussion" in one(d, ".record-status").text
    assert not css(d, "details.end-course")
    assert not css(d, "[data-action='new-session']")
    screen_shot(os.path.join(shots, "course-ended.png"))
    d.quit()
