#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The engine's gaps closed in issue 7, through tern-cli on the test stack: failure reasons and
refused recipients kept on the message (seen by a later process), sending into a mailing-list
chat, pinned messages on the wire, several accounts in one profile.
usage: test-cli-engine.py TERN_CLI"""
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tern_cli_test import (Cli, Tap, check_env, env, imap, folder_raw, folder_message_ids,  # noqa: E402
                           deliver, wait_for)

check_env()
tap = Tap()
root = tempfile.mkdtemp(prefix="tern-cli-engine-")
binary = sys.argv[1]
tag = os.urandom(4).hex()

alice = Cli(binary, root, "alice", "alice")
bob = Cli(binary, root, "bob", "bob")
for side in (alice, bob):
    rc, data, proc = side.add()
    tap.ok(rc == 0, "account add %s" % side.address, proc.stderr)


def find(msgs, **kw):
    return [m for m in msgs if all(m.get(k) == v for k, v in kw.items())]


# ---- outbox: a permanent failure's reason, a refused recipient ---------------------------
nobody = "nosuchuser%s@%s" % (tag, env("TERN_TEST_DOMAIN"))
rc, sent, proc = alice.send("--to", nobody, "--text", "to nobody " + tag)
tap.ok(rc == 1 and "550" in proc.stderr, "a send refused for good exits 1 with the server's reply",
       proc.stdout + proc.stderr)
msgs = alice.messages(nobody)  # a later process: what is stored
got = find(msgs, text="to nobody " + tag)
tap.ok(len(got) == 1 and got[0]["state"] == "failed"
       and (got[0].get("failure_reason") or "").startswith("550"),
       "messages --json shows the failure_reason after the process ended", msgs)

rc, sent, proc = alice.send("--to", "%s,%s" % (bob.address, nobody), "--text", "two of us " + tag)
tap.ok(rc == 0 and sent is not None and sent["state"] == "sent",
       "a message to bob and a stranger is sent", proc.stdout + proc.stderr)
group = [c for c in alice.chats() if c.get("name") == "two of us " + tag or
         c.get("last_text") == "two of us " + tag]
msgs = alice.messages(str(group[0]["id"])) if group else []
got = find(msgs, text="two of us " + tag)
refused = got[0].get("refused", []) if got else []
tap.ok(len(got) == 1 and len(refused) == 1 and refused[0]["address"] == nobody
       and refused[0]["reason"].startswith("550") and refused[0]["retrying"] is False
       and got[0].get("failure_reason") is None,
       "the refused recipient is on the message with the server's reply", msgs or alice.chats())

# ---- mailing list: a post goes to the List-Post address --------------------------------
carol = Cli(binary, root, "carol", "carol")
list_id = "devs-%s.lists.example.test" % tag
list_msg_id = "list-%s@lists.example.test" % tag
fixture = ("From: Dave <dave@%(d)s>\r\nTo: devs list <devs@lists.example.test>\r\n"
           "Date: Fri, 27 Nov 2026 10:00:00 +0000\r\nMessage-ID: <%(id)s>\r\n"
           "Subject: [devs] release plan\r\nList-Id: Developers <%(list)s>\r\n"
           "List-Post: <mailto:carol@%(d)s?subject=list%%20post>\r\n"
           "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "Shall we release on Monday?\r\n") % {"d": env("TERN_TEST_DOMAIN"), "id": list_msg_id,
                                                  "list": list_id}
deliver(fixture.encode(), alice.address, "dave@" + env("TERN_TEST_DOMAIN"))
wait_for(lambda: alice.sync() == 0 and [c for c in alice.chats() if c["key"] == list_id], 30)
lists = [c for c in alice.chats() if c["key"] == list_id]
tap.ok(len(lists) == 1 and lists[0]["kind"] == "mailing-list", "the list message makes a list chat",
       alice.chats())
post_text = "Monday works for me " + tag
rc, post, proc = alice.send("--chat", str(lists[0]["id"]) if lists else "0", "--text", post_text)
tap.ok(rc == 0 and post is not None and post["chat"] == lists[0]["id"],
       "alice posts into the list chat", proc.stdout + proc.stderr)


def carol_has_post():
    m = imap("carol")
    try:
        for raw in folder_raw(m, "INBOX"):
            if post_text.encode() in raw:
                return raw
    finally:
        m.logout()
    return None


raw = wait_for(carol_has_post, 30)
head = raw.split(b"\r\n\r\n", 1)[0].decode(errors="replace") if raw else ""
tap.ok(raw is not None and ("To: \"Developers" in head or "carol@" in head.split("To:", 1)[-1].split("\r\n")[0])
       and "Re: [devs] release plan" in head,
       "the post went to the List-Post address with the list's subject", head)
msgs = alice.messages(str(lists[0]["id"])) if lists else []
tap.ok(len(find(msgs, text=post_text, outgoing=True)) == 1, "the post is in the list chat once", msgs)

# ---- pinned message on the wire ------------------------------------------------------------
pin_text = "pinned until 2030 " + tag
rc, pinned, proc = alice.send("--to", bob.address, "--text", pin_text, "--pin", "--until", "2030-01-01")
tap.ok(rc == 0 and pinned is not None and pinned.get("pinned_until") == 1893456000,
       "send --pin --until stores the sent message pinned with its timeout", proc.stdout + proc.stderr)


def bob_raw_pinned():
    m = imap("bob")
    try:
        for folder in ("INBOX", "COI/Chats"):
            for r in folder_raw(m, folder):
                if pin_text.encode() in r:
                    return r
    finally:
        m.logout()
    return None


raw = wait_for(bob_raw_pinned, 30)
text = raw.decode(errors="replace") if raw else ""
tap.ok("Content-Disposition: pinned; timeout=" in text.replace("\r\n\t", " ").replace("\r\n ", " ")
       and "2030" in text, "the message carries Content-Disposition: pinned; timeout=", text[:1500])
bob.sync()
got = find(bob.messages(alice.address), text=pin_text)
tap.ok(len(got) == 1 and got[0].get("pinned_until") == 1893456000,
       "bob stores the received message pinned with its timeout", got)
if got:
    rc, _, proc = bob.run("pin", got[0]["message_id"], "--unpin")
    again = find(bob.messages(alice.address), text=pin_text)
    tap.ok(rc == 0 and again and again[0].get("pinned") is False,
           "pin MSGID --unpin still works on this device", again)

# ---- a blocked sender: its mail goes to Blocked, never into a chat -----------------------------
rc, _, proc = bob.run("block", carol.address, password=False)
tap.ok(rc == 0, "bob blocks carol", proc.stderr)
blocked_id = "chat$blocked-%s@example.test" % tag
ok_id = "chat$notblocked-%s@example.test" % tag
for mid, sender in ((blocked_id, carol.address), (ok_id, "dave@" + env("TERN_TEST_DOMAIN"))):
    deliver(("From: <%s>\r\nTo: <%s>\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\nMessage-ID: <%s>\r\n"
             "Subject: Chat: hi\r\nChat-Version: 1.0\r\nMIME-Version: 1.0\r\n"
             "Content-Type: text/plain; charset=utf-8\r\n\r\nhello from %s\r\n"
             % (sender, bob.address, mid, sender)).encode(), bob.address, sender)
time.sleep(2)
tap.ok(bob.sync() == 0, "bob syncs")


def server_folder_of(user, mid):
    m = imap(user)
    try:
        out = []
        for folder in ("INBOX", "COI/Chats", "Blocked"):
            ids = folder_message_ids(m, folder) or []
            if mid in ids:
                out.append(folder)
        return out
    finally:
        m.logout()


all_msgs = [m for c in bob.chats() for m in bob.messages(str(c["id"]))]
tap.ok(not find(all_msgs, message_id=blocked_id) and server_folder_of("bob", blocked_id) == ["Blocked"],
       "carol's message is only in Blocked on the server and in no chat",
       (server_folder_of("bob", blocked_id), [m["message_id"] for m in all_msgs][-5:]))
tap.ok(len(find(all_msgs, message_id=ok_id)) == 1, "dave's message still arrives", len(all_msgs))
rc, _, proc = bob.run("unblock", carol.address, password=False)
tap.ok(rc == 0, "bob unblocks carol", proc.stderr)

# ---- several accounts side by side in one profile -------------------------------------------
both = Cli(binary, root, "both", "alice")
rc, _, proc = both.add()
tap.ok(rc == 0, "profile: alice@%s" % env("TERN_TEST_DOMAIN"), proc.stderr)
bob_coi = Cli(binary, root, "both", "bob", coi=True)
rc, _, proc = bob_coi.add()
tap.ok(rc == 0, "same profile: bob@%s" % env("TERN_TEST_COI_DOMAIN"), proc.stderr)
rc, data, proc = both.run("account", "list", password=False)
tap.ok(rc == 0 and sorted(a["address"] for a in data) == sorted([both.address, bob_coi.address]),
       "account list shows both", proc.stdout)
to_alice = "chat$multi-a-%s@example.test" % tag
to_bob = "chat$multi-b-%s@example.test" % tag
for mid, rcpt in ((to_alice, both.address), (to_bob, bob_coi.address)):
    deliver(("From: <dave@%s>\r\nTo: <%s>\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n"
             "Message-ID: <%s>\r\nSubject: Chat: hi\r\nChat-Version: 1.0\r\nMIME-Version: 1.0\r\n"
             "Content-Type: text/plain; charset=utf-8\r\n\r\nfor %s\r\n"
             % (env("TERN_TEST_DOMAIN"), rcpt, mid, rcpt)).encode(), rcpt, "dave@" + env("TERN_TEST_DOMAIN"))
time.sleep(2)
# the passwords come from the keyring (--password-stdin would name one account)
rc, data, proc = both.run("sync", password=False)
tap.ok(rc == 0 and isinstance(data, list) and len(data) == 2, "one sync syncs both accounts",
       proc.stdout + proc.stderr)


def account_messages(acct):
    rc, chats, _ = both.run("--account", acct, "chats", password=False)
    out = []
    for c in chats or []:
        rc, msgs, _ = both.run("--account", acct, "messages", str(c["id"]), password=False)
        out += [(c["account"], m["message_id"]) for m in (msgs or [])]
    return out


a_msgs = account_messages(both.address)
b_msgs = account_messages(bob_coi.address)
a_ids = [mid for _, mid in a_msgs]
b_ids = [mid for _, mid in b_msgs]
tap.ok(to_alice in a_ids and to_alice not in b_ids and to_bob in b_ids and to_bob not in a_ids
       and len({acc for acc, _ in a_msgs}) == 1 and len({acc for acc, _ in b_msgs}) == 1
       and {acc for acc, _ in a_msgs} != {acc for acc, _ in b_msgs},
       "each message is in a chat of its own account", (a_msgs[-3:], b_msgs[-3:]))

# ---- a locked keyring: the password lookup times out with a clear message ------------------
def locked_keyring_test():
    import subprocess
    stack_script = os.path.join(env("TERN_SOURCE_ROOT"), "tests", "stack", "tern-stack")
    sdir = tempfile.mkdtemp(prefix="tern-keyring-")
    proc = subprocess.run([stack_script, "session", sdir], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, TERN_STACK_PASSWORD="keyring-pw"))
    if not tap.ok(proc.returncode == 0, "a private session with its own keyring", proc.stderr):
        return
    try:
        with open(os.path.join(sdir, "env")) as f:
            bus = f.read().strip().split("=", 1)[1]
        senv = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus)
        locked = Cli(binary, root, "locked", "alice")
        port = env("TERN_TEST_IMAP_PORT")
        argv = [binary, "--profile", locked.profile, "--json", "account", "add", "--address",
                locked.address, "--imap-host", env("TERN_TEST_HOST"), "--imap-port", port,
                "--imap-security", "starttls", "--smtp-host", env("TERN_TEST_HOST"),
                "--smtp-port", env("TERN_TEST_SMTP_PORT"), "--smtp-security", "starttls",
                "--trust-certificate", env("TERN_TEST_CERT_SHA256"), "--filter", "active"]
        add = subprocess.run(argv, input=env("TERN_TEST_PASSWORD") + "\n", capture_output=True,
                             text=True, timeout=120, env=senv)
        tap.ok(add.returncode == 0 and '"password_stored":true' in add.stdout.replace(" ", ""),
               "account add stores the password in that keyring", add.stdout + add.stderr)
        sync = [binary, "--profile", locked.profile, "sync"]
        ok = subprocess.run(sync, capture_output=True, text=True, timeout=120, env=senv)
        tap.ok(ok.returncode == 0, "sync with the unlocked keyring", ok.stderr)
        alias = subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.secrets",
                                "--object-path", "/org/freedesktop/secrets", "--method",
                                "org.freedesktop.Secret.Service.ReadAlias", "default"],
                               capture_output=True, text=True, timeout=30, env=senv)
        found = re.search(r"'(/org/freedesktop/secrets/collection/[^']+)'", alias.stdout)
        path = found.group(1) if found else ""
        lock = subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.secrets",
                               "--object-path", "/org/freedesktop/secrets", "--method",
                               "org.freedesktop.Secret.Service.Lock", "['%s']" % path],
                              capture_output=True, text=True, timeout=30, env=senv)
        tap.ok(lock.returncode == 0 and path.startswith("/org/freedesktop/secrets/collection/"),
               "the keyring's collection %s is locked" % path, alias.stdout + lock.stdout + lock.stderr)
        start = time.time()
        try:
            res = subprocess.run(sync, capture_output=True, text=True, timeout=60, env=senv)
            took = time.time() - start
            tap.ok(res.returncode == 6 and ("locked" in res.stderr or "keyring" in res.stderr)
                   and took < 30,
                   "sync with the keyring locked stops with exit 6 and says so (%.1f s)" % took,
                   "rc=%d stderr=%s" % (res.returncode, res.stderr))
        except subprocess.TimeoutExpired:
            tap.ok(False, "sync with the keyring locked does not hang", "still running after 60 s")
        rc = subprocess.run(sync + ["--password-stdin"], input=env("TERN_TEST_PASSWORD") + "\n",
                            capture_output=True, text=True, timeout=120, env=senv)
        tap.ok(rc.returncode == 0, "with --password-stdin it works while the keyring is locked",
               rc.stderr)
    finally:
        subprocess.run([stack_script, "stop", sdir], capture_output=True, timeout=60)


locked_keyring_test()

tap.done()
