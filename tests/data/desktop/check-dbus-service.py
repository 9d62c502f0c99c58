#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the built desktop file and D-Bus service file together (the data
test check-dbus-service).

usage: check-dbus-service.py --app-id ID --bindir DIR --binary NAME DESKTOP SERVICE

The desktop file is named ID.desktop and says DBusActivatable=true (a
launcher, or a notification clicked after the app quit, then starts the app
through D-Bus by its ID); its Exec runs NAME. The service file is named
ID.service, its [D-BUS Service] Name is ID, and its Exec runs the installed
binary DIR/NAME with --gapplication-service (GApplication's flag for being
started by D-Bus), nothing else. Prints TAP.
"""

import argparse
import configparser
import os
import shlex
import sys


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        self.n += 1
        if not ok:
            self.failed += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, what))
        if not ok and detail:
            for line in str(detail).splitlines():
                print("# " + line)

    def done(self):
        print("1..%d" % self.n)
        return 1 if self.failed else 0


def read_keyfile(path):
    """Returns a ConfigParser of a desktop-entry style file (keys keep
    their case; no interpolation)."""
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    with open(path, encoding="utf-8") as f:
        parser.read_file(f, source=path)
    return parser


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--app-id", required=True)
    ap.add_argument("--bindir", required=True)
    ap.add_argument("--binary", required=True)
    ap.add_argument("desktop")
    ap.add_argument("service")
    args = ap.parse_args()
    tap = Tap()

    # ---- the desktop file
    tap.check(os.path.basename(args.desktop) == args.app_id + ".desktop",
              "the desktop file is named after the app ID", args.desktop)
    try:
        desktop = read_keyfile(args.desktop)
        entry = desktop["Desktop Entry"]
    except (OSError, configparser.Error, KeyError) as e:
        tap.check(False, "the desktop file parses with a [Desktop Entry] group", e)
        return tap.done()
    tap.check(entry.get("DBusActivatable") == "true", "DBusActivatable=true",
              "DBusActivatable=%r" % entry.get("DBusActivatable"))
    desktop_exec = shlex.split(entry.get("Exec", ""))
    tap.check(len(desktop_exec) > 0 and os.path.basename(desktop_exec[0]) == args.binary,
              "the desktop file's Exec runs %s" % args.binary, entry.get("Exec"))

    # ---- the service file
    tap.check(os.path.basename(args.service) == args.app_id + ".service",
              "the service file is named after the app ID", args.service)
    try:
        service = read_keyfile(args.service)
    except (OSError, configparser.Error) as e:
        tap.check(False, "the service file parses", e)
        return tap.done()
    tap.check(service.sections() == ["D-BUS Service"],
              "the service file has one group, [D-BUS Service]", service.sections())
    if "D-BUS Service" not in service:
        return tap.done()
    group = service["D-BUS Service"]
    tap.check(group.get("Name") == args.app_id, "its Name is the app ID %s" % args.app_id,
              "Name=%r" % group.get("Name"))
    service_exec = shlex.split(group.get("Exec", ""))
    binary = os.path.join(args.bindir, args.binary)
    tap.check(len(service_exec) > 0 and service_exec[0] == binary,
              "its Exec runs the installed binary %s" % binary, group.get("Exec"))
    tap.check(os.path.isabs(service_exec[0]) if service_exec else False,
              "the binary's path is absolute (D-Bus needs one)", group.get("Exec"))
    tap.check(service_exec[1:] == ["--gapplication-service"],
              "with --gapplication-service and nothing else", group.get("Exec"))
    unknown = sorted(set(group.keys()) - {"Name", "Exec", "SystemdService", "AssumedAppArmorLabel"})
    tap.check(not unknown, "no unknown keys", unknown)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
