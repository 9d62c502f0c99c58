#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Live test of the Tern test stack itself (tests/stack/with-stack): prints TAP.

Asserts, through the TERN_TEST_* environment, the facts the other live tests rely on:
pinned certificate, STARTTLS and implicit TLS on every port, IMAP capabilities, special-use
folders, METADATA, fast login failures, submission rules, delivery into both flavours, the
COI flavour's Sieve filing, unknown users rejected, the fault switches and the keyring.
"""
import hashlib
import imaplib
import os
import smtplib
import socket
import ssl
import subprocess
import sys
import time
import uuid

imaplib.Commands.setdefault("SETMETADATA", ("AUTH", "SELECTED"))
imaplib.Commands.setdefault("GETMETADATA", ("AUTH", "SELECTED"))

REQUIRED = [
    "TERN_TEST_HOST", "TERN_TEST_DOMAIN", "TERN_TEST_COI_DOMAIN", "TERN_TEST_USERS",
    "TERN_TEST_PASSWORD", "TERN_TEST_IMAP_PORT", "TERN_TEST_IMAPS_PORT",
    "TERN_TEST_COI_IMAP_PORT", "TERN_TEST_COI_IMAPS_PORT", "TERN_TEST_SMTP_PORT",
    "TERN_TEST_SMTPS_PORT", "TERN_TEST_SMTP_RELAY_PORT", "TERN_TEST_CERT_SHA256",
    "TERN_TEST_CA_FILE", "TERN_TEST_MAX_MESSAGE_SIZE", "TERN_TEST_STACK_DIR",
]

results = []


def check(name, fn):
    try:
        fn()
        results.append((True, name, None))
    except Exception as e:  # noqa: BLE001 - every failure is reported as TAP
        results.append((False, name, "%s: %s" % (type(e).__name__, e)))


def env(name):
    return os.environ[name]


def port(name):
    return int(env(name))


HOST = None
PW = None


def pinned_context():
    """A context that accepts exactly the certificate whose DER SHA-256 is pinned."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(env("TERN_TEST_CA_FILE"))
    ctx.check_hostname = False
    return ctx


def assert_pin(sslsock):
    der = sslsock.getpeercert(binary_form=True)
    got = hashlib.sha256(der).hexdigest()
    assert got == env("TERN_TEST_CERT_SHA256"), "certificate %s != pinned %s" % (
        got, env("TERN_TEST_CERT_SHA256"))


def addr(user, coi=False):
    return "%s@%s" % (user, env("TERN_TEST_COI_DOMAIN" if coi else "TERN_TEST_DOMAIN"))


def imap_login(user, coi=False, implicit=False):
    if implicit:
        m = imaplib.IMAP4_SSL(HOST, port("TERN_TEST_COI_IMAPS_PORT" if coi else
                                         "TERN_TEST_IMAPS_PORT"), ssl_context=pinned_context())
    else:
        m = imaplib.IMAP4(HOST, port("TERN_TEST_COI_IMAP_PORT" if coi else "TERN_TEST_IMAP_PORT"))
        m.starttls(pinned_context())
    assert_pin(m.sock)
    m.login(addr(user, coi), PW)
    return m


def caps_after_login(m):
    typ, data = m.capability()
    assert typ == "OK"
    return set(data[0].decode().upper().split())


def make_message(sender, rcpt, subject, extra_headers=(), msgid=None):
    msgid = msgid or "<%s@tern.test>" % uuid.uuid4().hex
    lines = ["From: %s" % sender, "To: %s" % rcpt, "Subject: %s" % subject,
             "Message-ID: %s" % msgid, "Date: Fri, 27 Nov 2026 21:00:00 +0000",
             "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    lines += list(extra_headers)
    return ("\r\n".join(lines) + "\r\n\r\nhello from the stack test\r\n").encode(), msgid


def submit(user, rcpts, data, implicit=False, coi=False):
    if implicit:
        s = smtplib.SMTP_SSL(HOST, port("TERN_TEST_SMTPS_PORT"), context=pinned_context(),
                             timeout=30)
    else:
        s = smtplib.SMTP(HOST, port("TERN_TEST_SMTP_PORT"), timeout=30)
        s.ehlo()
        s.starttls(context=pinned_context())
        s.ehlo()
    assert_pin(s.sock)
    s.login(addr(user, coi), PW)
    refused = s.sendmail(addr(user, coi), rcpts, data)
    s.quit()
    assert not refused, refused


def find_message(user, coi, msgid, timeout=15.0):
    """Poll every folder of USER until MSGID shows up; return (folder, flags)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = imap_login(user, coi, implicit=True)
        typ, folders = m.list()
        for line in folders:
            name = line.decode().rsplit(' "/" ', 1)[1].strip('"')
            if "\\Noselect" in line.decode() or "\\NonExistent" in line.decode():
                continue
            m.select('"%s"' % name, readonly=True)
            typ, data = m.uid("SEARCH", None, "HEADER", "Message-ID", msgid)
            uids = data[0].split()
            if uids:
                typ, fl = m.uid("FETCH", uids[0], "(FLAGS)")
                m.logout()
                return name, fl[0].decode()
        m.logout()
        time.sleep(0.1)
    raise AssertionError("%s never arrived for %s" % (msgid, addr(user, coi)))


def stack_tool(*args):
    tool = os.path.join(os.environ.get("TERN_SOURCE_ROOT", ""), "tests", "stack", "tern-stack")
    r = subprocess.run([tool] + list(args), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, "tern-stack %s failed: %s" % (" ".join(args), r.stderr)


# ---------------------------------------------------------------------------------------

def t_pin_implicit():
    for p in ("TERN_TEST_IMAPS_PORT", "TERN_TEST_COI_IMAPS_PORT", "TERN_TEST_SMTPS_PORT"):
        with socket.create_connection((HOST, port(p)), timeout=10) as raw:
            with pinned_context().wrap_socket(raw) as s:
                assert_pin(s)


def t_unpinned_rejected():
    ctx = ssl.create_default_context()  # system CAs only: the self-signed cert must fail
    with socket.create_connection((HOST, port("TERN_TEST_IMAPS_PORT")), timeout=10) as raw:
        try:
            ctx.wrap_socket(raw, server_hostname="localhost")
        except ssl.SSLCertVerificationError:
            return
    raise AssertionError("an unpinned self-signed certificate was accepted")


def t_imap_starttls_caps():
    m = imaplib.IMAP4(HOST, port("TERN_TEST_IMAP_PORT"))
    pre = set(c.upper() for c in m.capabilities)
    assert "STARTTLS" in pre, pre
    m.starttls(pinned_context())
    assert_pin(m.sock)
    m.login(addr("alice"), PW)
    caps = caps_after_login(m)
    want = {"IDLE", "MOVE", "UIDPLUS", "CONDSTORE", "QRESYNC", "METADATA", "LITERAL+",
            "SPECIAL-USE", "NAMESPACE", "ENABLE"}
    assert want <= caps, "missing %s" % (want - caps)
    assert "COI" not in caps and "WEBPUSH" not in caps, "plain flavour advertises COI"
    m.logout()


def t_coi_caps():
    for implicit in (False, True):
        m = imap_login("alice", coi=True, implicit=implicit)
        caps = caps_after_login(m)
        assert {"COI", "WEBPUSH", "IDLE", "MOVE", "METADATA", "QRESYNC"} <= caps, caps
        m.logout()


def t_plaintext_login_allowed():
    m = imaplib.IMAP4(HOST, port("TERN_TEST_IMAP_PORT"))
    typ, _ = m.login(addr("bob"), PW)
    assert typ == "OK"
    m.logout()


def t_wrong_password_fast():
    m = imaplib.IMAP4(HOST, port("TERN_TEST_IMAP_PORT"))
    t0 = time.monotonic()
    try:
        m.login(addr("alice"), PW + "x")
    except imaplib.IMAP4.error as e:
        assert "AUTHENTICATIONFAILED" in str(e), str(e)
        elapsed = time.monotonic() - t0
        assert elapsed < 1.0, "failure took %.2f s" % elapsed
        return
    raise AssertionError("wrong password accepted")


def t_special_use():
    m = imap_login("carol")
    typ, data = m.list()
    text = b"\n".join(data).decode()
    for flag, name in (("\\Sent", "Sent"), ("\\Drafts", "Drafts"), ("\\Trash", "Trash"),
                       ("\\Junk", "Junk")):
        line = [ln for ln in text.split("\n") if ln.endswith(name) or ln.endswith('"%s"' % name)]
        assert line and flag in line[0], "%s lacks %s: %s" % (name, flag, text)
    m.logout()


def t_metadata():
    m = imap_login("dave", coi=True)
    key = "/private/vendor/vendor.dovecot/coi/config/enabled"
    typ, data = m._simple_command("SETMETADATA", '""', "(%s yes)" % key)
    assert typ == "OK", data
    typ, data = m._simple_command("GETMETADATA", '""', key)
    assert typ == "OK", data
    typ, data = m._untagged_response(typ, data, "METADATA")
    flat = b" ".join(x if isinstance(x, bytes) else b" ".join(x) for x in data if x)
    assert b"yes" in flat and key.encode() in flat, flat
    m.logout()


def t_submission_needs_starttls():
    s = smtplib.SMTP(HOST, port("TERN_TEST_SMTP_PORT"), timeout=30)
    s.ehlo()
    assert not s.has_extn("auth"), "AUTH offered before STARTTLS"
    code, msg = s.mail(addr("alice"))
    assert code == 530, (code, msg)
    s.close()


def t_submission_wrong_password():
    s = smtplib.SMTP(HOST, port("TERN_TEST_SMTP_PORT"), timeout=30)
    s.starttls(context=pinned_context())
    s.ehlo()
    try:
        s.login(addr("alice"), PW + "x")
    except smtplib.SMTPAuthenticationError as e:
        assert e.smtp_code == 535, e
        s.close()
        return
    raise AssertionError("wrong SMTP password accepted")


def t_submission_no_auth_no_relay():
    s = smtplib.SMTP(HOST, port("TERN_TEST_SMTP_PORT"), timeout=30)
    s.starttls(context=pinned_context())
    s.ehlo()
    s.mail(addr("alice"))
    code, msg = s.rcpt(addr("bob"))
    assert code >= 500, "unauthenticated submission accepted: %d %s" % (code, msg)
    s.close()


def t_size_advertised():
    s = smtplib.SMTP(HOST, port("TERN_TEST_SMTP_PORT"), timeout=30)
    s.starttls(context=pinned_context())
    s.ehlo()
    assert s.has_extn("size") and int(s.esmtp_features["size"]) == port(
        "TERN_TEST_MAX_MESSAGE_SIZE"), s.esmtp_features
    for ext in ("auth", "pipelining", "8bitmime", "smtputf8", "enhancedstatuscodes"):
        assert s.has_extn(ext), "%s missing: %s" % (ext, s.esmtp_features)
    assert "PLAIN" in s.esmtp_features["auth"].upper() and "LOGIN" in s.esmtp_features[
        "auth"].upper()
    s.close()


def t_deliver_plain():
    data, msgid = make_message(addr("alice"), addr("bob"), "plain starttls")
    submit("alice", [addr("bob")], data)
    folder, flags = find_message("bob", False, msgid)
    assert folder == "INBOX", folder


def t_deliver_implicit_tls_cross_domain():
    data, msgid = make_message(addr("alice"), addr("bob", True), "implicit tls")
    submit("alice", [addr("bob", True)], data, implicit=True)
    folder, flags = find_message("bob", True, msgid)
    assert folder == "INBOX", "classic mail filed into %s" % folder
    assert "$Chat" not in flags, flags


def t_coi_user_submits():
    data, msgid = make_message(addr("carol", True), addr("dave"), "from coi domain")
    submit("carol", [addr("dave")], data, coi=True)
    folder, _ = find_message("dave", False, msgid)
    assert folder == "INBOX", folder


def t_sieve_chat_version():
    data, msgid = make_message(addr("alice", True), addr("bob", True), "chat",
                               ["Chat-Version: 1.0"])
    submit("alice", [addr("bob", True)], data, coi=True)
    folder, flags = find_message("bob", True, msgid)
    assert folder == "COI/Chats", folder
    assert "$Chat" in flags, flags


def t_sieve_chat_message_id():
    msgid = "<chat$%s@tern.test>" % uuid.uuid4().hex
    data, _ = make_message(addr("alice", True), addr("carol", True), "chat id", msgid=msgid)
    submit("alice", [addr("carol", True)], data, coi=True)
    folder, flags = find_message("carol", True, msgid)
    assert folder == "COI/Chats" and "$Chat" in flags, (folder, flags)


def t_sieve_chat_references():
    ref = "<chat$%s@tern.test>" % uuid.uuid4().hex
    data, msgid = make_message(addr("alice", True), addr("dave", True), "reply",
                               ["References: %s <other@tern.test>" % ref])
    submit("alice", [addr("dave", True)], data, coi=True)
    folder, flags = find_message("dave", True, msgid)
    assert folder == "COI/Chats" and "$Chat" in flags, (folder, flags)
    # a chat id that is not the first reference does not make a chat message
    data, msgid = make_message(addr("alice", True), addr("dave", True), "not a chat",
                               ["References: <first@tern.test> %s" % ref])
    submit("alice", [addr("dave", True)], data, coi=True)
    folder, flags = find_message("dave", True, msgid)
    assert folder == "INBOX" and "$Chat" not in flags, (folder, flags)


def t_plain_flavour_no_filing():
    data, msgid = make_message(addr("alice"), addr("carol"), "chat on plain",
                               ["Chat-Version: 1.0"])
    submit("alice", [addr("carol")], data)
    folder, flags = find_message("carol", False, msgid)
    assert folder == "INBOX" and "$Chat" not in flags, (folder, flags)


def t_unknown_user_550():
    for domain_env in ("TERN_TEST_DOMAIN", "TERN_TEST_COI_DOMAIN"):
        s = smtplib.SMTP(HOST, port("TERN_TEST_SMTP_RELAY_PORT"), timeout=30)
        s.ehlo()
        s.mail("fixtures@localhost")
        code, msg = s.rcpt("nobody@%s" % env(domain_env))
        assert code == 550 and b"5.1.1" in msg and b"User unknown" in msg, (code, msg)
        s.close()


def t_relay_port():
    data, msgid = make_message("fixtures@localhost", addr("alice", True), "fixture",
                               ["Chat-Version: 1.0"])
    tool = os.path.join(os.environ.get("TERN_SOURCE_ROOT", ""), "tests", "stack", "deliver-raw")
    r = subprocess.run([tool, "-", addr("alice", True)], input=data, capture_output=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    folder, flags = find_message("alice", True, msgid)
    assert folder == "COI/Chats", folder
    s = smtplib.SMTP(HOST, port("TERN_TEST_SMTP_RELAY_PORT"), timeout=30)
    s.ehlo()
    s.mail("fixtures@localhost")
    code, msg = s.rcpt("someone@elsewhere.invalid")
    assert code == 554, "relay to a foreign domain: %d %s" % (code, msg)
    s.close()


def t_smtp_defer_switch():
    d = env("TERN_TEST_STACK_DIR")
    # a session opened before the switch must see it too (no reconnect needed)
    s = smtplib.SMTP(HOST, port("TERN_TEST_SMTP_RELAY_PORT"), timeout=30)
    s.ehlo()
    stack_tool("smtp-defer", "on", d)
    try:
        s.mail("fixtures@localhost")
        code, msg = s.rcpt(addr("bob"))
        assert code == 450 and b"4.3.2" in msg, "defer on: %d %s" % (code, msg)
        s.rset()
        fresh = smtplib.SMTP(HOST, port("TERN_TEST_SMTP_RELAY_PORT"), timeout=30)
        fresh.ehlo()
        fresh.mail("fixtures@localhost")
        code, msg = fresh.rcpt(addr("bob", True))
        fresh.close()
        assert code == 450, "defer on, new session: %d %s" % (code, msg)
    finally:
        stack_tool("smtp-defer", "off", d)
    s.mail("fixtures@localhost")
    code, msg = s.rcpt(addr("bob"))
    s.close()
    assert code == 250, "defer off: %d %s" % (code, msg)


def t_restart_dovecot():
    m = imap_login("alice", coi=True)
    stack_tool("restart-dovecot", env("TERN_TEST_STACK_DIR"), "coi")
    try:
        m.noop()
        raise AssertionError("connection survived a Dovecot restart")
    except (imaplib.IMAP4.abort, OSError, ssl.SSLError):
        pass
    m = imap_login("alice", coi=True)
    m.logout()


def t_keyring():
    assert os.environ.get("DBUS_SESSION_BUS_ADDRESS"), "DBUS_SESSION_BUS_ADDRESS not set"
    label = "tern-stack-test-%s" % uuid.uuid4().hex
    r = subprocess.run(["secret-tool", "store", "--label", label, "tern-test", label],
                       input=b"s3cret", capture_output=True, timeout=20)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(["secret-tool", "lookup", "tern-test", label], capture_output=True,
                       timeout=20)
    assert r.returncode == 0 and r.stdout == b"s3cret", (r.returncode, r.stdout, r.stderr)


TESTS = [
    ("implicit TLS ports serve the pinned certificate", t_pin_implicit),
    ("the self-signed certificate fails without the pin", t_unpinned_rejected),
    ("IMAP STARTTLS; capabilities after login (plain flavour, no COI)", t_imap_starttls_caps),
    ("COI flavour advertises COI WEBPUSH (STARTTLS and implicit TLS)", t_coi_caps),
    ("plaintext LOGIN is allowed on loopback", t_plaintext_login_allowed),
    ("wrong IMAP password fails at once with AUTHENTICATIONFAILED", t_wrong_password_fast),
    ("special-use folders Sent Drafts Trash Junk", t_special_use),
    ("SETMETADATA/GETMETADATA round trip", t_metadata),
    ("submission requires STARTTLS (530)", t_submission_needs_starttls),
    ("submission rejects a wrong password (535)", t_submission_wrong_password),
    ("submission does not accept mail without AUTH", t_submission_no_auth_no_relay),
    ("EHLO: SIZE = TERN_TEST_MAX_MESSAGE_SIZE, AUTH PLAIN LOGIN, PIPELINING, 8BITMIME, "
     "SMTPUTF8", t_size_advertised),
    ("STARTTLS submission alice -> bob@plain lands in INBOX", t_deliver_plain),
    ("implicit TLS submission, classic mail to coi domain stays in INBOX",
     t_deliver_implicit_tls_cross_domain),
    ("a coi.test user authenticates and sends to example.test", t_coi_user_submits),
    ("Sieve: Chat-Version -> COI/Chats with $Chat", t_sieve_chat_version),
    ("Sieve: Message-ID <chat$...> -> COI/Chats with $Chat", t_sieve_chat_message_id),
    ("Sieve: first References <chat$...> -> COI/Chats; a later one does not",
     t_sieve_chat_references),
    ("plain flavour files nothing", t_plain_flavour_no_filing),
    ("unknown user -> 550 5.1.1 User unknown (both domains)", t_unknown_user_550),
    ("relay port: deliver-raw without auth; no relaying to foreign domains", t_relay_port),
    ("tern-stack smtp-defer on -> 450, off -> 250, also in an open session", t_smtp_defer_switch),
    ("tern-stack restart-dovecot drops connections and comes back", t_restart_dovecot),
    ("unlocked Secret Service stores and returns a secret", t_keyring),
]


def main():
    global HOST, PW
    missing = [v for v in REQUIRED if not os.environ.get(v)]
    print("TAP version 13")
    if missing:
        print("1..1")
        print("not ok 1 - environment: %s not set (run inside tests/stack/with-stack)"
              % " ".join(missing))
        return 1
    HOST = env("TERN_TEST_HOST")
    PW = env("TERN_TEST_PASSWORD")
    print("1..%d" % len(TESTS))
    failed = 0
    for i, (name, fn) in enumerate(TESTS, 1):
        t0 = time.monotonic()
        check(name, fn)
        ok, _, err = results[-1]
        if ok:
            print("ok %d - %s # %.2f s" % (i, name, time.monotonic() - t0))
        else:
            failed += 1
            print("not ok %d - %s" % (i, name))
            print("# %s" % err)
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
