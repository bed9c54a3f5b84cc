"""No request leaves the machine: the release app, traced by strace through a whole journey
(set up and sign in → checklist → finalise → export), makes no network connection. Run by
scripts/no-network (which starts the app under strace and names the trace here); skipped in the
ordinary end-to-end run, where the app is not traced.

Allowed: Unix sockets (X11, D-Bus, WebKit's own processes), netlink (the kernel's notices of
network changes, which GLib listens to), and loopback TCP to the port the app itself opened for
the WebDriver automation of the test (WebKit's inspector server: it exists only under WebDriver).
Anything else, including a DNS lookup, fails the test with the call that made it."""
import os
import re
import subprocess
import time

import pytest
from selenium.webdriver.common.keys import Keys

from test_app import CLINICIAN, activate, css, fill_eligible_with_precautions, new_patient_and_draft, one, settle, \
    sign_in, sign_with_passphrase, wait

TRACE = os.environ.get("TRDCHECK_NETWORK_TRACE")

traced = pytest.mark.skipif(not TRACE, reason="run by scripts/no-network, with the app under strace")

ADDRESS = re.compile(r"\{sa_family=(AF_[A-Z0-9]+)(.*?)\}")
PORT = re.compile(r"sin6?_port=htons\((\d+)\)")
HOST = re.compile(r'inet_(?:addr|pton)\((?:AF_INET6, )?"([^"]+)"')


def calls(lines):
    for line in lines:
        m = re.match(r"^\d+\s+(\w+)\((.*)$", line)
        if m and m.group(1) in ("connect", "bind", "sendto", "sendmsg"):
            yield m.group(1), m.group(2), line.strip()


def network_calls(lines):
    """The calls of a strace log that reach beyond this machine's own sockets, and how many
    addressed calls were checked."""
    lines = list(lines)
    own_ports = set()
    for name, args, _ in calls(lines):
        fam = ADDRESS.search(args)
        if name == "bind" and fam and fam.group(1) in ("AF_INET", "AF_INET6"):
            own_ports.update(PORT.findall(fam.group(2)))
    offending = []
    checked = 0
    for name, args, line in calls(lines):
        fam = ADDRESS.search(args)
        if name == "bind" or not fam:
            continue
        checked += 1
        family, rest = fam.group(1), fam.group(2)
        if family in ("AF_UNIX", "AF_NETLINK"):
            continue
        host = (HOST.findall(rest) or [""])[0]
        port = (PORT.findall(rest) or [""])[0]
        if family == "AF_INET" and host == "127.0.0.1" and port in own_ports:
            continue  # the WebDriver automation server the app opened itself
        offending.append(line)
    return offending, checked


def test_the_check_finds_a_connection_out_and_a_dns_lookup():
    trace = [
        '10 bind(8, {sa_family=AF_INET, sin_port=htons(51447), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        '10 connect(7, {sa_family=AF_UNIX, sun_path=@"/tmp/.X11-unix/X99"}, 21) = 0',
        '11 connect(13, {sa_family=AF_INET, sin_port=htons(51447), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EINPROGRESS',
        '12 connect(14, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("93.184.216.34")}, 16) = -1 ENETUNREACH',
        '12 sendto(15, "x", 30, MSG_NOSIGNAL, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, 16) = 30',
        '12 connect(16, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
    ]
    offending, checked = network_calls(trace)
    assert checked == 5
    assert [line.split("(")[0].split()[-1] + ":" + PORT.findall(line)[0] for line in offending] == \
        ["connect:443", "sendto:53", "connect:80"]


@traced
def test_a_whole_journey_makes_no_network_connection(launch, data_root):
    d = launch()
    sign_in(d)
    new_patient_and_draft(d, "NET-1", "Nora Netless")
    fill_eligible_with_precautions(d)
    activate(d, "[data-action='next']")
    for rule, note in [("CV-BP-HIGH", "Rechecked after rest"), ("RX-BZD-HIGH", "Held on treatment days")]:
        one(d, f"textarea[data-ack='{rule}']").send_keys(note, Keys.TAB)
        settle(d)
    wait(d, lambda: "Held on treatment days" in (one(d, "iframe.summary").get_attribute("srcdoc") or ""))
    sign_with_passphrase(d, "finalise")
    wait(d, lambda: "read-only" in one(d, ".record-status").text)
    # Export: the file name typed into the save dialog (GTK), then Enter. (No window manager under
    # Xvfb: the dialog is given the keyboard focus first.)
    target = os.path.join(data_root[0], "home", "net-journey.pdf")
    activate(d, "[data-export='pdf']")
    subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "^Save File$", "windowfocus", "--sync",
                    "key", "--clearmodifiers", "ctrl+a", "type", "--delay", "20", target], check=True, timeout=30)
    subprocess.run(["xdotool", "key", "--clearmodifiers", "Return"], check=True, timeout=30)
    wait(d, lambda: "Saved" in one(d, ".status-line").text, timeout=30)
    assert one(d, ".status-line").text.strip() == f"Saved {target}"
    assert os.path.getsize(target) > 1000 and open(target, "rb").read(5) == b"%PDF-"
    d.quit()
    time.sleep(1)

    with open(TRACE) as f:
        offending, checked = network_calls(f)
    assert checked > 0, "the trace recorded the app's socket calls"
    assert not offending, "network calls:\n" + "\n".join(offending[:20])
