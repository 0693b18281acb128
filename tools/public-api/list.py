#!/usr/bin/env python3
"""The public API of socialkit as a sorted list, one item a line, read from rustdoc's HTML.

Usage (from the repository root, after `cargo doc --no-deps --all-features`):

    python3 tools/public-api/list.py            # print the listing
    python3 tools/public-api/list.py --write    # write public-api.txt
    python3 tools/public-api/list.py --check    # fail (exit 1) if public-api.txt differs

Stable rustdoc has no machine-readable output (rustdoc JSON needs nightly), so this reads the
HTML pages rustdoc writes for every public item (`struct.X.html`, `fn.x.html` ...) and, on the
pages of structs, enums, unions and traits, the anchors of their public fields, variants,
inherent methods and associated items (the part of the page before "Trait Implementations").
Trait implementations and auto traits are not listed: they follow from the types.
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "doc", "socialkit")
LISTING = os.path.join(ROOT, "public-api.txt")

PAGE = re.compile(r"^(struct|enum|trait|fn|type|constant|static|macro|union|attr|derive|traitalias)\.(.+)\.html$")
MEMBER = re.compile(
    r'id="(structfield|variant|method|tymethod|associatedconstant|associatedtype)\.([A-Za-z0-9_]+)"'
)
# Where a page stops listing the item's own members.
END = re.compile(r'id="(trait-implementations|synthetic-implementations|blanket-implementations|implementors|foreign-impls|dyn-compatibility|object-safety)"')
KIND = {
    "structfield": "field",
    "variant": "variant",
    "method": "method",
    "tymethod": "method",
    "associatedconstant": "const",
    "associatedtype": "type",
}


def listing():
    if not os.path.isdir(DOC):
        sys.exit(f"no rustdoc output at {DOC}: run `cargo doc --no-deps --all-features` first")
    lines = set()
    for folder, _, files in os.walk(DOC):
        rel = os.path.relpath(folder, os.path.dirname(DOC))
        path = "::".join(rel.split(os.sep))
        for name in files:
            if name == "index.html":
                lines.add(f"mod {path}")
                continue
            m = PAGE.match(name)
            if not m:
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                html = f.read()
            if 'http-equiv="refresh"' in html[:600]:
                continue  # a redirect page, not an item
            kind, item = m.group(1), m.group(2)
            full = f"{path}::{item}"
            lines.add(f"{kind} {full}")
            if kind in ("struct", "enum", "union", "trait"):
                end = END.search(html)
                own = html[: end.start()] if end else html
                for member in MEMBER.finditer(own):
                    lines.add(f"{KIND[member.group(1)]} {full}::{member.group(2)}")
    return sorted(lines)


def main():
    items = listing()
    text = "".join(line + "\n" for line in items)
    if "--write" in sys.argv:
        with open(LISTING, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"{len(items)} public items written to public-api.txt")
    elif "--check" in sys.argv:
        try:
            with open(LISTING, encoding="utf-8") as f:
                old = f.read()
        except FileNotFoundError:
            old = ""
        if old != text:
            before, after = set(old.splitlines()), set(items)
            for line in sorted(before - after):
                print(f"- {line}")
            for line in sorted(after - before):
                print(f"+ {line}")
            print(
                "the public API changed: if that is deliberate, run "
                "`python3 tools/public-api/list.py --write` and commit public-api.txt",
                file=sys.stderr,
            )
            sys.exit(1)
        print(f"public API unchanged ({len(items)} items)")
    else:
        sys.stdout.write(text)
        print(f"{len(items)} public items", file=sys.stderr)


if __name__ == "__main__":
    main()
