# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for the live tests that drive tern-cli against tests/stack (TAP output)."""
import hashlib
import imaplib
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import time

REQUIRED = ["TERN_TEST_HOST", "TERN_TEST_DOMAIN", "TERN_TEST_COI_DOMAIN", "TERN_TEST_PASSWORD",
            "TERN_TEST_IMAP_PORT", "TERN_TEST_COI_IMAP_PORT", "TERN_TEST_SMTP_PORT",
            "TERN_TEST_SMTP_RELAY_PORT", "TERN_TEST_CERT_SHA256", "TERN_TEST_STACK_DIR"]


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, detail=None):
        self.n += 1
        print(("ok %d - %s" if cond else "not ok %d - %s") % (self.n, name), flush=True)
        if not cond:
            self.failed += 1
            if detail is not None:
                for line in str(detail).splitlines()[:40]:
                    print("# " + line, flush=True)
        return cond

    def done(self):
        print("1..%d" % self.n, flush=True)
        sys.exit(1 if self.failed else 0)


def env(name):
    value = os.environ.get(name)
    if not value:
        print("Bail out! %s is not set: run inside tests/stack/with-stack" % name, flush=True)
        sys.exit(1)
    return value


def check_env():
    for name in REQUIRED:
        env(name)


class Cli:
    """One tern-cli profile (data directory) for one account."""

    def __init__(self, binary, root, name, user, domain=None, coi=False):
        self.binary = binary
        self.profile = os.path.join(root, name)
        self.user = user
        self.domain = domain or (env("TERN_TEST_COI_DOMAIN") if coi else env("TERN_TEST_DOMAIN"))
        self.address = "%s@%s" % (user, self.domain)
        self.coi = coi

    def run(self, *args, password=True, json_out=True, timeout=180, check_json=True):
        argv = [self.binary, "--profile", self.profile]
        if json_out:
            argv.append("--json")
        if password:
            argv.append("--password-stdin")
        argv += list(args)
        proc = subprocess.run(argv, input=(env("TERN_TEST_PASSWORD") + "\n") if password else "",
                              capture_output=True, text=True, timeout=timeout)
        data = None
        if json_out and proc.stdout.strip() and check_json:
            try:
                data = json.loads(proc.stdout)
            except ValueError:
                data = [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]
        return proc.returncode, data, proc

    def popen(self, *args, json_out=True):
        argv = [self.binary, "--profile", self.profile]
        if json_out:
            argv.append("--json")
        argv += ["--password-stdin"] + list(args)
        p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        p.stdin.write(env("TERN_TEST_PASSWORD") + "\n")
        p.stdin.flush()
        p.stdin.close()
        return p

    def add(self, filter_mode="active", extra=()):
        port = env("TERN_TEST_COI_IMAP_PORT" if self.coi else "TERN_TEST_IMAP_PORT")
        return self.run("account", "add", "--address", self.address,
                        "--imap-host", env("TERN_TEST_HOST"), "--imap-port", port,
                        "--imap-security", "starttls",
                        "--smtp-host", env("TERN_TEST_HOST"), "--smtp-port", env("TERN_TEST_SMTP_PORT"),
                        "--smtp-security", "starttls",
                        "--trust-certificate", env("TERN_TEST_CERT_SHA256"),
                        "--filter", filter_mode, *extra)

    def sync(self):
        return self.run("sync")[0]

    def chats(self):
        return self.run("chats", password=False)[1] or []

    def messages(self, chat):
        rc, data, proc = self.run("messages", chat, password=False)
        return data if rc == 0 and data is not None else []

    def send(self, *args):
        """Returns (rc, message object or None)."""
        rc, data, proc = self.run("send", *args)
        if isinstance(data, list):
            data = data[-1] if data else None
        return rc, data, proc


def wait_for(fn, timeout=30, step=0.5):
    end = time.time() + timeout
    while True:
        value = fn()
        if value or time.time() > end:
            return value
        time.sleep(step)


def imap(user, coi=False):
    """A plain imaplib connection (STARTTLS, certificate pinned by fingerprint)."""
    port = int(env("TERN_TEST_COI_IMAP_PORT" if coi else "TERN_TEST_IMAP_PORT"))
    domain = env("TERN_TEST_COI_DOMAIN" if coi else "TERN_TEST_DOMAIN")
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    m = imaplib.IMAP4(env("TERN_TEST_HOST"), port)
    m.starttls(ssl_context=ctx)
    der = m.sock.getpeercert(binary_form=True)
    if hashlib.sha256(der).hexdigest() != env("TERN_TEST_CERT_SHA256"):
        raise RuntimeError("IMAP certificate does not match the pin")
    m.login("%s@%s" % (user, domain), env("TERN_TEST_PASSWORD"))
    return m


def folder_message_ids(m, folder):
    """Message-IDs (no <>) of the messages in @folder, or None when it does not exist."""
    typ, _ = m.select('"%s"' % folder, readonly=True)
    if typ != "OK":
        return None
    typ, data = m.uid("SEARCH", None, "ALL")
    uids = data[0].split() if data and data[0] else []
    ids = []
    for uid in uids:
        typ, fetched = m.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        for part in fetched:
            if isinstance(part, tuple):
                text = part[1].decode(errors="replace").strip()
                if ":" in text:
                    ids.append(text.split(":", 1)[1].strip().strip("<>"))
    return ids


def folder_raw(m, folder):
    typ, _ = m.select('"%s"' % folder, readonly=True)
    if typ != "OK":
        return []
    typ, data = m.uid("SEARCH", None, "ALL")
    out = []
    for uid in (data[0].split() if data and data[0] else []):
        typ, fetched = m.uid("FETCH", uid, "(BODY.PEEK[])")
        for part in fetched:
            if isinstance(part, tuple):
                out.append(part[1])
    return out


def stack(*args):
    here = os.path.join(env("TERN_SOURCE_ROOT") if os.environ.get("TERN_SOURCE_ROOT")
                        else os.path.dirname(__file__) + "/../../..", "tests", "stack", "tern-stack")
    return subprocess.run([here] + list(args), capture_output=True, text=True, timeout=120)


def deliver(path_or_bytes, rcpt, mail_from):
    import smtplib
    data = path_or_bytes
    with smtplib.SMTP(env("TERN_TEST_HOST"), int(env("TERN_TEST_SMTP_RELAY_PORT"))) as s:
        s.sendmail(mail_from, [rcpt], data)


def flags_of(user, message_id, coi=False):
    """{folder: flags string} of every server copy of @message_id (no <>)."""
    m = imap(user, coi)
    out = {}
    try:
        typ, boxes = m.list()
        for line in boxes or []:
            match = re.match(r'\((.*?)\) (".*?"|NIL) (.*)$', line.decode() if line else "")
            if not match:
                continue
            name = match.group(3).strip('"')
            if m.select('"%s"' % name, readonly=True)[0] != "OK":
                continue
            typ, data = m.uid("SEARCH", None, "HEADER", "Message-ID", "<%s>" % message_id)
            for uid in (data[0].split() if data and data[0] else []):
                typ, fl = m.uid("FETCH", uid, "(FLAGS)")
                out.setdefault(name, []).append(fl[0].decode() if fl and fl[0] else "")
    finally:
        m.logout()
    return out
