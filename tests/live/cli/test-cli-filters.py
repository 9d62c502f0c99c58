#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter modes none / active / seen on the plain server's folders, and the COI-like flavour
(COI detected, chat messages in COI/Chats, never moved twice), through tern-cli.
usage: test-cli-filters.py TERN_CLI"""
import imaplib
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tern_cli_test import Cli, Tap, check_env, imap, folder_message_ids  # noqa: E402

check_env()
tap = Tap()
root = tempfile.mkdtemp(prefix="tern-cli-filters-")
binary = sys.argv[1]


def where(user, mid, coi=False):
    m = imap(user, coi)
    try:
        out = {}
        for folder in ("INBOX", "COI/Chats", "INBOX.COI.Chats"):
            ids = folder_message_ids(m, folder)
            if ids is not None:
                out[folder] = ids.count(mid)
        return out
    finally:
        m.logout()


sender = Cli(binary, root, "alice", "alice")
sender.add()
cases = [("bob", "none"), ("carol", "active"), ("dave", "seen")]
sides = {}
for user, mode in cases:
    side = Cli(binary, root, user, user)
    rc, _, proc = side.add(mode)
    tap.ok(rc == 0, "%s added with --filter %s" % (side.address, mode), proc.stderr)
    side.sync()
    sides[user] = side

for user, mode in cases:
    side = sides[user]
    rc, sent, proc = sender.send("--to", side.address, "--text", "filter %s" % mode)
    mid = sent["message_id"] if sent else None
    side.sync()
    side.sync()
    w = where(user, mid)
    chats = w.get("COI/Chats", 0) + w.get("INBOX.COI.Chats", 0)
    if mode == "none":
        tap.ok(w.get("INBOX") == 1 and chats == 0, "none: the chat message stays in INBOX", w)
    elif mode == "active":
        tap.ok(w.get("INBOX") == 0 and chats == 1, "active: moved to COI/Chats once stored", w)
    else:
        tap.ok(w.get("INBOX") == 1 and chats == 0, "seen: stays in INBOX while unseen", w)
        side.run("read", sender.address)
        side.sync()
        w = where(user, mid)
        chats = w.get("COI/Chats", 0) + w.get("INBOX.COI.Chats", 0)
        tap.ok(w.get("INBOX") == 0 and chats == 1, "seen: moved to COI/Chats once read", w)
    got = [m for m in side.messages(sender.address) if m["message_id"] == mid]
    tap.ok(len(got) == 1, "%s: the message is shown once" % mode, got)

# ---- COI-like flavour -----------------------------------------------------------------
coi_a = Cli(binary, root, "coi-alice", "alice", coi=True)
coi_b = Cli(binary, root, "coi-bob", "bob", coi=True)
for side in (coi_a, coi_b):
    rc, _, proc = side.add("active")
    tap.ok(rc == 0, "COI account " + side.address, proc.stderr)
    side.sync()
rc, data, proc = coi_b.run("account", "list", password=False)
tap.ok(rc == 0 and data and data[0]["coi_server"] is True, "COI server detected", data)
m = imap("bob", coi=True)
imaplib.Commands.setdefault("GETMETADATA", ("AUTH", "SELECTED"))
typ, meta = m._simple_command("GETMETADATA", "(DEPTH 1)", '""', "(/private/vendor/vendor.dovecot/coi/config)")
typ, meta = m._untagged_response(typ, meta, "METADATA")
m.logout()
flat = b" ".join(x if isinstance(x, bytes) else b" ".join(x) for x in meta if x).decode(errors="replace")
tap.ok("yes" in flat and "active" in flat, "COI enabled and message-filter active through METADATA", flat)
rc, sent, proc = coi_a.send("--to", coi_b.address, "--text", "over COI")
mid = sent["message_id"] if sent else None
for _ in range(2):
    coi_b.sync()
w = where("bob", mid, coi=True)
tap.ok(w.get("INBOX") == 0 and w.get("COI/Chats", 0) + w.get("INBOX.COI.Chats", 0) == 1,
       "the server filed the chat message in COI/Chats; the client moved nothing", w)
got = [x for x in coi_b.messages(coi_a.address) if x["message_id"] == mid]
tap.ok(len(got) == 1, "shown once on the COI server", got)

shutil.rmtree(root, ignore_errors=True)
tap.done()
