#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""alice and bob (separate tern-cli profiles) chat through the test stack: text both ways,
an attachment, a reply, an edit, a delete, read receipts, a pinned message, a location;
a classic mail client's message; alice on a second device.  usage: test-cli-chat.py TERN_CLI"""
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tern_cli_test import Cli, Tap, check_env, env, imap, folder_raw, deliver, wait_for, flags_of  # noqa: E402

check_env()
tap = Tap()
root = tempfile.mkdtemp(prefix="tern-cli-chat-")
binary = sys.argv[1]

alice = Cli(binary, root, "alice", "alice")
bob = Cli(binary, root, "bob", "bob")
alice2 = Cli(binary, root, "alice2", "alice")

for side in (alice, bob, alice2):
    rc, data, proc = side.add()
    tap.ok(rc == 0, "account add %s (%s)" % (side.address, side.profile), proc.stderr)

rc, data, proc = alice.run("account", "list", password=False)
tap.ok(rc == 0 and isinstance(data, list) and data[0]["address"] == alice.address
       and data[0]["filter"] == "active", "account list --json", proc.stdout + proc.stderr)

# Baseline: the second device has seen alice's mailbox before the chat begins.
alice2.sync()


def find(msgs, **kw):
    return [m for m in msgs if all(m.get(k) == v for k, v in kw.items())]


# ---- text both ways --------------------------------------------------------------------
rc, sent, proc = alice.send("--to", bob.address, "--text", "Hello Bob, from Tern")
tap.ok(rc == 0 and sent and sent["state"] in ("sent", "delivered", "read"),
       "alice sends text (state sent)", proc.stdout + proc.stderr)
first_id = sent["message_id"] if sent else None

tap.ok(bob.sync() == 0, "bob sync")
bob_msgs = bob.messages(alice.address)
got = find(bob_msgs, message_id=first_id)
tap.ok(len(got) == 1 and got[0]["text"] == "Hello Bob, from Tern" and not got[0]["outgoing"]
       and got[0]["from"] == alice.address, "bob has alice's text exactly once", bob_msgs)
bob_chats = bob.chats()
tap.ok(len([c for c in bob_chats if c["key"] == alice.address]) == 1, "bob has one chat with alice",
       bob_chats)

rc, reply, proc = bob.send("--to", alice.address, "--text", "Hi Alice, a reply", "--reply-to", first_id)
tap.ok(rc == 0 and reply and reply["reply_to"] == first_id, "bob replies with --reply-to",
       proc.stdout + proc.stderr)
tap.ok(alice.sync() == 0, "alice sync")
alice_msgs = alice.messages(bob.address)
got = find(alice_msgs, message_id=reply["message_id"] if reply else None)
tap.ok(len(got) == 1 and got[0]["reply_to"] == first_id and got[0]["text"] == "Hi Alice, a reply",
       "alice sees bob's reply, quoting her message", alice_msgs)
tap.ok(len(find(alice_msgs, message_id=first_id)) == 1, "alice's own message is in the chat once",
       alice_msgs)

# ---- attachment ------------------------------------------------------------------------
payload = bytes(range(256)) * 300
path = os.path.join(root, "blob.bin")
with open(path, "wb") as f:
    f.write(payload)
rc, att, proc = alice.send("--to", bob.address, "--text", "a file", "--file", path)
tap.ok(rc == 0 and att is not None, "alice sends an attachment", proc.stdout + proc.stderr)
bob.sync()
got = find(bob.messages(alice.address), message_id=att["message_id"] if att else None)
ok = len(got) == 1 and len(got[0].get("attachments", [])) == 1
if ok:
    a = got[0]["attachments"][0]
    ok = a["size"] == len(payload) and a["name"] == "blob.bin" and os.path.exists(a["path"]) \
        and open(a["path"], "rb").read() == payload
tap.ok(ok, "bob receives the attachment byte for byte, named blob.bin", got)

# ---- edit ------------------------------------------------------------------------------
rc, _, proc = alice.run("edit", first_id, "Hello Bob, from Tern (edited)")
tap.ok(rc == 0, "alice edits her first message", proc.stderr)
bob.sync()
bob_msgs = bob.messages(alice.address)
got = find(bob_msgs, message_id=first_id)
tap.ok(len(got) == 1 and got[0]["text"] == "Hello Bob, from Tern (edited)" and got[0]["edited"],
       "bob sees the edit in place (no new message)", bob_msgs)
rc, _, proc = bob.run("edit", first_id, "bob may not edit alice's message")
tap.ok(rc != 0, "bob cannot edit alice's message (exit %d)" % rc, proc.stderr)

# ---- delete ----------------------------------------------------------------------------
rc, doomed, proc = alice.send("--to", bob.address, "--text", "this will be deleted")
bob.sync()
rc, _, proc = alice.run("delete", doomed["message_id"] if doomed else "x")
tap.ok(rc == 0, "alice deletes a message", proc.stderr)
bob.sync()
got = find(bob.messages(alice.address), message_id=doomed["message_id"] if doomed else None)
tap.ok(len(got) == 1 and got[0]["deleted"] and not got[0]["text"], "bob sees it deleted", got)

# ---- pinned, location ------------------------------------------------------------------
rc, pinned, proc = alice.send("--to", bob.address, "--text", "pinned note", "--pinned")
tap.ok(rc == 0, "alice sends a pinned message", proc.stderr)
rc, loc, proc = alice.run("location", "--to", bob.address, "--lat", "48.8584", "--lon", "2.2945",
                          "--text", "here")
loc = loc[-1] if isinstance(loc, list) else loc
tap.ok(rc == 0 and loc is not None, "alice sends a location", proc.stdout + proc.stderr)
bob.sync()
bob_msgs = bob.messages(alice.address)
got = find(bob_msgs, message_id=pinned["message_id"] if pinned else None)
tap.ok(len(got) == 1 and (got[0].get("pinned") is True or got[0].get("pinned_until")),
       "bob sees the message pinned", got)
got = find(bob_msgs, message_id=loc["message_id"] if loc else None)
tap.ok(len(got) == 1 and abs(got[0].get("latitude", 0) - 48.8584) < 1e-4
       and abs(got[0].get("longitude", 0) - 2.2945) < 1e-4, "bob sees the location", got)
rc, _, proc = bob.run("pin", first_id, password=False)
got = find(bob.messages(alice.address), message_id=first_id)
tap.ok(rc == 0 and got and got[0].get("pinned") is True, "bob pins a message locally", proc.stderr)

# ---- read receipts ---------------------------------------------------------------------
# bob's second device has the chat unread too; it reads after bob (separate processes).
bob2 = Cli(binary, root, "bob2", "bob")
rc, data, proc = bob2.add()
tap.ok(rc == 0 and bob2.sync() == 0, "bob's second device is added and syncs", proc.stderr)
rc, _, proc = bob.run("read", alice.address)
tap.ok(rc == 0, "bob reads the chat", proc.stderr)
chats = [c for c in bob.chats() if c["key"] == alice.address]
tap.ok(chats and chats[0]["unread"] == 0, "bob's chat has no unread message", chats)


def alice_sees_receipt():
    alice.sync()
    got = find(alice.messages(bob.address), message_id=first_id)
    return got and (got[0]["state"] == "read" or
                    any(r["address"] == bob.address and r["kind"] == "read"
                        for r in got[0].get("receipts", [])))


tap.ok(wait_for(alice_sees_receipt, timeout=30, step=2), "alice sees bob's read receipt")


def receipts_for_first():
    """Read receipts for alice's first message on alice's server, all folders."""
    m = imap("alice")
    n = 0
    try:
        for line in m.list()[1] or []:
            match = re.match(r'\((.*?)\) (".*?"|NIL) (.*)$', line.decode() if line else "")
            if not match or m.select('"%s"' % match.group(3).strip('"'), readonly=True)[0] != "OK":
                continue
            typ, data = m.uid("SEARCH", None, "HEADER", "Content-Type", "disposition-notification",
                              "BODY", "<%s>" % first_id)
            n += len(data[0].split()) if data and data[0] else 0
    finally:
        m.logout()
    return n


# Reading again, here and on the second device, answers nothing more: $MDNSent on the server.
rc, _, proc = bob.run("read", alice.address)
tap.ok(rc == 0, "bob reads the chat again", proc.stderr)
rc, _, proc = bob2.run("read", alice.address)
tap.ok(rc == 0, "bob's second device reads the chat (it was unread there)", proc.stderr)
copies = flags_of("bob", first_id) if first_id else {}
tap.ok(copies and all("\\Seen" in f and "$MDNSent" in f for fl in copies.values() for f in fl),
       "bob's server copies have \\Seen and $MDNSent", copies)
wait_for(lambda: receipts_for_first() >= 2, timeout=8, step=1)
n_receipts = receipts_for_first()
tap.ok(n_receipts == 1, "exactly one read receipt reached alice (got %d)" % n_receipts)

# ---- multi-device: alice's second profile ----------------------------------------------
tap.ok(alice2.sync() == 0, "alice's second device syncs")
a2 = alice2.messages(bob.address)
got = find(a2, message_id=first_id)
tap.ok(len(got) == 1 and got[0]["outgoing"] and got[0]["seen"],
       "what alice sent on one device appears on the other, outgoing and read", a2)
got = find(a2, message_id=reply["message_id"] if reply else None)
tap.ok(len(got) == 1 and not got[0]["outgoing"], "bob's reply is on alice's second device", a2)
# Read state follows: alice reads on device 1, device 2 sees it read.
rc, late, proc = bob.send("--to", alice.address, "--text", "read me on one device")
alice.sync()
alice2.sync()
got = find(alice2.messages(bob.address), message_id=late["message_id"] if late else None)
tap.ok(len(got) == 1 and not got[0]["seen"], "a new message is unread on device 2", got)
rc, _, proc = alice.run("read", bob.address)
tap.ok(rc == 0, "alice reads the chat on device 1", proc.stderr)
copies = flags_of("alice", late["message_id"]) if late else {}
tap.ok(copies and all("\\Seen" in f for fl in copies.values() for f in fl),
       "reading sets \\Seen on every server copy", copies)
alice2.sync()
got = find(alice2.messages(bob.address), message_id=late["message_id"] if late else None)
tap.ok(len(got) == 1 and got[0]["seen"], "read on device 1 shows read on device 2", got)
tap.ok(len(find(alice2.messages(bob.address), message_id=first_id)) == 1,
       "no duplicate after repeated syncs on device 2")

# ---- classic mail ----------------------------------------------------------------------
carol = "carol@" + env("TERN_TEST_DOMAIN")
with open(os.path.join(env("TERN_TEST_DATA"), "cli", "classic-mail.eml"), "rb") as f:
    raw = f.read().replace(b"@FROM@", carol.encode()).replace(b"@TO@", bob.address.encode()) \
        .replace(b"@MSGID@", b"classic-lunch-1@example.test")
deliver(raw, bob.address, carol)
bob.sync()
got = find(bob.messages(carol), message_id="classic-lunch-1@example.test")
tap.ok(len(got) == 1 and got[0]["kind"] == "classic" and "lunch on Friday" in (got[0]["text"] or "")
       and "Are you free" not in (got[0]["text"] or "") and "Classic Corp" not in (got[0]["text"] or ""),
       "a classic mail arrives in a chat with its quote and signature folded", got)
rc, creply, proc = bob.send("--to", carol, "--text", "Friday works", "--reply-to",
                            "classic-lunch-1@example.test")
tap.ok(rc == 0, "bob replies to the classic mail", proc.stderr)


def carol_reply():
    m = imap("carol")
    try:
        for msg in folder_raw(m, "INBOX"):
            if b"Friday works" in msg:
                return msg
    finally:
        m.logout()
    return None


msg = wait_for(carol_reply, timeout=30)
head = msg.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ").decode(errors="replace") if msg else ""
headers = {}
for line in head.split("\r\n"):
    if ":" in line:
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
tap.ok(headers.get("in-reply-to") == "<classic-lunch-1@example.test>",
       "the reply carries In-Reply-To for the classic client", head)
tap.ok("<classic-lunch-1@example.test>" in headers.get("references", ""), "and References", head)
tap.ok(headers.get("subject", "").startswith("Re:") and "Lunch on Friday" in headers.get("subject", ""),
       "and Subject Re: ...", head)

# ---- search, export --------------------------------------------------------------------
rc, data, proc = bob.run("search", "pinned", password=False)
tap.ok(rc == 0 and any(h["message"]["message_id"] == (pinned or {}).get("message_id")
                       for h in (data or {}).get("messages", [])), "search finds a message", proc.stdout)
rc, _, proc = bob.run("export", alice.address, password=False, json_out=False)
tap.ok(rc == 0 and proc.stdout.startswith("From ") and ("<%s>" % first_id) in proc.stdout,
       "export writes an mbox", proc.stdout[:400])

# ---- errors a script relies on --------------------------------------------------------
rc, _, proc = bob.run("messages", "nobody@nowhere.test", password=False)
tap.ok(rc == 8, "unknown chat: exit 8 (got %d)" % rc, proc.stderr)
rc, _, proc = bob.run("send", "--text", "x", password=False)
tap.ok(rc == 2, "no --to/--chat: exit 2 (got %d)" % rc, proc.stderr)
wrong = Cli(binary, root, "wrong", "dave")
argv_pw = None
import subprocess  # noqa: E402
p = subprocess.run([binary, "--profile", wrong.profile, "account", "add", "--address", wrong.address,
                    "--imap-host", env("TERN_TEST_HOST"), "--imap-port", env("TERN_TEST_IMAP_PORT"),
                    "--imap-security", "starttls", "--smtp-host", env("TERN_TEST_HOST"),
                    "--smtp-port", env("TERN_TEST_SMTP_PORT"), "--smtp-security", "starttls",
                    "--trust-certificate", env("TERN_TEST_CERT_SHA256"), "--password-stdin"],
                   input="not-the-password\n", capture_output=True, text=True, timeout=120)
tap.ok(p.returncode == 3, "wrong password: exit 3 (got %d)" % p.returncode, p.stderr)
tap.ok("not-the-password" not in p.stderr + p.stdout, "the password is not echoed")
p = subprocess.run([binary, "--profile", wrong.profile + "2", "account", "add", "--address", wrong.address,
                    "--imap-host", env("TERN_TEST_HOST"), "--imap-port", env("TERN_TEST_IMAP_PORT"),
                    "--imap-security", "starttls", "--smtp-host", env("TERN_TEST_HOST"),
                    "--smtp-port", env("TERN_TEST_SMTP_PORT"), "--smtp-security", "starttls",
                    "--password-stdin"],
                   input=env("TERN_TEST_PASSWORD") + "\n", capture_output=True, text=True, timeout=120)
tap.ok(p.returncode == 5 and env("TERN_TEST_CERT_SHA256") in p.stderr,
       "untrusted certificate: exit 5 with the fingerprint (got %d)" % p.returncode, p.stderr)

# No Secret Service: a password on stdin without --password-stdin stops with exit 6 and
# nothing is saved; with --password-stdin the account works for this run only.
nokeyring = dict(os.environ, DBUS_SESSION_BUS_ADDRESS="unix:path=%s/no-such-bus" % root)
add_args = [binary, "--profile", os.path.join(root, "nokeyring"), "account", "add",
            "--address", "dave@" + env("TERN_TEST_DOMAIN"),
            "--imap-host", env("TERN_TEST_HOST"), "--imap-port", env("TERN_TEST_IMAP_PORT"),
            "--imap-security", "starttls", "--smtp-host", env("TERN_TEST_HOST"),
            "--smtp-port", env("TERN_TEST_SMTP_PORT"), "--smtp-security", "starttls",
            "--trust-certificate", env("TERN_TEST_CERT_SHA256")]
p = subprocess.run(add_args, input=env("TERN_TEST_PASSWORD") + "\n", capture_output=True, text=True,
                   timeout=120, env=nokeyring)
tap.ok(p.returncode == 6, "no Secret Service: exit 6 (got %d)" % p.returncode, p.stderr)
p = subprocess.run([binary, "--profile", os.path.join(root, "nokeyring"), "--json", "account", "list"],
                   capture_output=True, text=True, timeout=60, env=nokeyring)
tap.ok(p.returncode == 0 and p.stdout.strip() == "[]", "and nothing was saved", p.stdout)
p = subprocess.run(add_args + ["--password-stdin"], input=env("TERN_TEST_PASSWORD") + "\n",
                   capture_output=True, text=True, timeout=120, env=nokeyring)
tap.ok(p.returncode == 0, "with --password-stdin the account is added for this run", p.stderr)
p = subprocess.run([binary, "--profile", os.path.join(root, "nokeyring"), "sync"],
                   capture_output=True, text=True, timeout=120, env=nokeyring)
tap.ok(p.returncode == 6, "a later run without the password: exit 6 (got %d)" % p.returncode, p.stderr)
p = subprocess.run([binary, "--profile", os.path.join(root, "nokeyring"), "--password-stdin", "sync"],
                   input=env("TERN_TEST_PASSWORD") + "\n", capture_output=True, text=True,
                   timeout=120, env=nokeyring)
tap.ok(p.returncode == 0, "and with --password-stdin it syncs", p.stderr)
leaked = []
for d, _, names in os.walk(os.path.join(root, "nokeyring")):
    for name in names:
        with open(os.path.join(d, name), "rb") as f:
            if env("TERN_TEST_PASSWORD").encode() in f.read():
                leaked.append(os.path.join(d, name))
tap.ok(not leaked, "the password is not in the data directory", leaked)

shutil.rmtree(root, ignore_errors=True)
tap.done()
