#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline checks of the Flatpak manifests (the data test check-flatpak-manifest).

usage: check-manifest.py --app-id ID --meson-options FILE --source-root DIR MANIFEST...

For each manifest: it parses as JSON; its id is ID (or ID.Devel for a
.Devel manifest); command is tern; the runtime is org.gnome.Platform with
org.gnome.Sdk; the finish-args grant what Tern needs; every module source
is a local dir/file that exists, an archive/file URL with a sha256, or a
git repository pinned by tag and commit; the last module builds tern with
meson, and every -D option of its config-opts exists in meson_options.txt
(or is a meson built-in) with a value meson accepts. Prints TAP.
"""

import argparse
import json
import os
import re
import sys

REQUIRED_FINISH_ARGS = [
    "--share=network",
    "--share=ipc",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",
    "--talk-name=org.freedesktop.secrets",
]
MESON_BUILTINS = {
    "buildtype": ["plain", "debug", "debugoptimized", "release", "minsize", "custom"],
    "optimization": ["plain", "0", "g", "1", "2", "3", "s"],
    "debug": ["true", "false"],
    "b_lto": ["true", "false"],
    "b_ndebug": ["true", "false", "if-release"],
    "werror": ["true", "false"],
    "warning_level": ["0", "1", "2", "3", "everything"],
    "default_library": ["shared", "static", "both"],
    "prefix": None,
    "libdir": None,
}
HEX64 = re.compile(r"^[0-9a-f]{64}$")
HEX40 = re.compile(r"^[0-9a-f]{40}$")


def parse_meson_options(path):
    """Returns {name: (type, choices or None)} from meson_options.txt."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"#[^\n]*", "", text)
    options = {}
    for m in re.finditer(r"option\s*\((.*?)\)\s*(?=option\s*\(|$)", text, re.S):
        body = m.group(1)
        name = re.match(r"\s*'([^']+)'", body)
        kind = re.search(r"type\s*:\s*'([^']+)'", body)
        if not name or not kind:
            continue
        choices = None
        cm = re.search(r"choices\s*:\s*\[(.*?)\]", body, re.S)
        if cm:
            choices = re.findall(r"'([^']*)'", cm.group(1))
        elif kind.group(1) == "boolean":
            choices = ["true", "false"]
        elif kind.group(1) == "feature":
            choices = ["enabled", "disabled", "auto"]
        options[name.group(1)] = (kind.group(1), choices)
    return options


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, what, notes=()):
        self.n += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, what))
        if not ok:
            self.failed += 1
            for note in notes:
                print("# " + note)


def check_sources(module, manifest_dir, source_root):
    problems = []
    for source in module.get("sources", []):
        if isinstance(source, str):
            path = os.path.join(manifest_dir, source)
            if not os.path.exists(path):
                problems.append("module %s: source file %s missing" % (module.get("name"), source))
            continue
        kind = source.get("type")
        if kind in ("dir", "file", "patch") and "path" in source:
            path = os.path.normpath(os.path.join(manifest_dir, source["path"]))
            if not os.path.exists(path):
                problems.append("module %s: %s does not exist" % (module.get("name"), path))
            elif kind == "dir" and os.path.samefile(path, source_root) and not os.path.exists(
                    os.path.join(path, "meson.build")):
                problems.append("module %s: dir %s has no meson.build" % (module.get("name"), path))
        elif kind in ("archive", "file") and "url" in source:
            if not source["url"].startswith("https://"):
                problems.append("module %s: %s is not https" % (module.get("name"), source["url"]))
            if not HEX64.match(source.get("sha256", "")):
                problems.append("module %s: %s has no sha256" % (module.get("name"), source["url"]))
        elif kind == "git":
            if not source.get("url", "").startswith("https://"):
                problems.append("module %s: git url is not https" % module.get("name"))
            if not source.get("tag") or not HEX40.match(source.get("commit", "")):
                problems.append("module %s: git source must pin tag and commit" % module.get("name"))
        else:
            problems.append("module %s: unsupported source %r" % (module.get("name"), source))
    return problems


def check_config_opts(opts, options):
    problems = []
    for opt in opts:
        m = re.match(r"^-D([A-Za-z0-9_.:-]+)=(.*)$", opt)
        if not m:
            problems.append("config-opt %r is not -Dname=value" % opt)
            continue
        name, value = m.groups()
        if name in options:
            kind, choices = options[name]
            if choices is not None and value not in choices:
                problems.append("-D%s=%s: meson accepts %s" % (name, value, ", ".join(choices)))
        elif name in MESON_BUILTINS:
            choices = MESON_BUILTINS[name]
            if choices is not None and value not in choices:
                problems.append("-D%s=%s: meson accepts %s" % (name, value, ", ".join(choices)))
        else:
            problems.append("-D%s: no such option in meson_options.txt" % name)
    return problems


def check_manifest(tap, path, app_id, options, source_root):
    name = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        tap.check(False, "%s parses as JSON" % name, [str(e)])
        return
    tap.check(isinstance(manifest, dict), "%s parses as JSON" % name)

    expected_id = app_id + ".Devel" if name.endswith(".Devel.json") else app_id
    got_id = manifest.get("id", manifest.get("app-id"))
    tap.check(got_id == expected_id and name == expected_id + ".json",
              "%s: id is %s" % (name, expected_id), ["id is %r" % got_id])
    tap.check(manifest.get("command") == "tern", "%s: command is tern" % name,
              ["command is %r" % manifest.get("command")])
    tap.check(manifest.get("runtime") == "org.gnome.Platform"
              and manifest.get("sdk") == "org.gnome.Sdk"
              and str(manifest.get("runtime-version", "")) != "",
              "%s: GNOME runtime and SDK with a version" % name)

    finish = manifest.get("finish-args", [])
    missing = [a for a in REQUIRED_FINISH_ARGS if a not in finish]
    tap.check(not missing, "%s: finish-args" % name, ["missing " + a for a in missing])

    modules = manifest.get("modules", [])
    problems = []
    for module in modules:
        if isinstance(module, str):
            if not os.path.exists(os.path.join(os.path.dirname(path), module)):
                problems.append("module file %s missing" % module)
            continue
        problems += check_sources(module, os.path.dirname(os.path.abspath(path)), source_root)
    tap.check(modules and not problems, "%s: every source is local or pinned" % name, problems)

    last = modules[-1] if modules and isinstance(modules[-1], dict) else {}
    tap.check(last.get("name") == "tern" and last.get("buildsystem") == "meson",
              "%s: the last module builds tern with meson" % name)
    problems = check_config_opts(last.get("config-opts", []), options)
    profile = "development" if expected_id.endswith(".Devel") else "default"
    if "-Dprofile=" + profile not in last.get("config-opts", []):
        problems.append("the tern module must pass -Dprofile=" + profile)
    tap.check(not problems, "%s: config-opts are accepted by meson_options.txt" % name, problems)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--app-id", required=True)
    parser.add_argument("--meson-options", required=True)
    parser.add_argument("--source-root", required=True)
    parser.add_argument("manifests", nargs="+")
    args = parser.parse_args()

    options = parse_meson_options(args.meson_options)
    print("TAP version 13")
    tap = Tap()
    tap.check("profile" in options and "tests" in options,
              "meson_options.txt parsed (%d options)" % len(options))
    for path in args.manifests:
        check_manifest(tap, path, args.app_id, options, os.path.abspath(args.source_root))
    print("1..%d" % tap.n)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
