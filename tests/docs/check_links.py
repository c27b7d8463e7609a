#!/usr/bin/env python3
"""Checks every link of a built HTML site (the mdBook of generated/docs).

    python3 tests/docs/check_links.py generated/docs/book

Every page (*.html) and every SVG image (whose links work once it is
opened on its own or embedded as an <object>) under the site root is
parsed with the standard library's html.parser. Each `href`, `src` and `data` attribute that names
a local file must resolve to a file of the site (a folder stands for its
index.html), and each `#fragment` must be the `id` (or `<a name>`) of an
element in the page it points into; an id given twice in one page is
reported too, as a link to it is ambiguous. Links with a scheme (http, https,
mailto, ...) are listed, never fetched. Every broken link is reported
with its page and target; the exit status is 1 if there is any, 2 if the
site cannot be read at all.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urljoin, urlsplit

# Attributes that name another resource, per element; anything else (a
# `<meta content>`, a `<form action>`) is not a link a reader follows.
LINK_ATTRS = {
    "a": ("href", "xlink:href"),
    "area": ("href",),
    "link": ("href",),
    "img": ("src",),
    "script": ("src",),
    "iframe": ("src",),
    "source": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "image": ("href", "xlink:href"),  # inline SVG
    "use": ("href", "xlink:href"),
}


@dataclass
class Page:
    """What one HTML page defines and points at."""

    ids: set[str] = field(default_factory=set)
    # (line, id) of each id already defined earlier in the page
    duplicate_ids: list[tuple[int, str]] = field(default_factory=list)
    # (line, element, attribute, value)
    links: list[tuple[int, str, str, str]] = field(default_factory=list)
    base: str | None = None


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                if value in self.page.ids:
                    self.page.duplicate_ids.append((line, value))
                self.page.ids.add(value)
            elif tag == "a" and name == "name":
                self.page.ids.add(value)
            if tag == "base" and name == "href" and self.page.base is None:
                self.page.base = value
            elif name in LINK_ATTRS.get(tag, ()):
                self.page.links.append((line, tag, name, value))

    handle_startendtag = handle_starttag


def parse_page(path: Path) -> Page:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    collector.close()
    return collector.page


@dataclass
class Report:
    pages: int = 0
    images: int = 0
    local: int = 0
    anchors: int = 0
    external: set[str] = field(default_factory=set)
    broken: list[str] = field(default_factory=list)


# The site's pages as URLs of a made-up origin, so that urljoin resolves
# links exactly as a browser would (dot segments, `<base>`, fragments).
SITE = "http://site.invalid/"


def _target_file(root: Path, page: PurePosixPath, base: str | None, link: str) -> PurePosixPath | None:
    """The site-relative file `link` names, None if it leaves the site.

    Relative links resolve against the page, or against its `<base href>`
    if it has one (a fragment-only link then points into the base, as in
    a browser); a path starting with `/` against the site root.
    """
    document = SITE + quote(str(page))
    if base is not None:
        document = urljoin(document, base)
    target = urlsplit(urljoin(document, link))
    if f"{target.scheme}://{target.netloc}/" != SITE:
        return None
    path = unquote(target.path)[1:]
    if path == "" or path.endswith("/") or (root / path).is_dir():
        path += "index.html" if path.endswith("/") or path == "" else "/index.html"
    return PurePosixPath(path)


def check_site(root: Path) -> Report:
    """Parses every page under `root` and checks every link of each."""
    report = Report()
    files = sorted(p for p in root.rglob("*") if p.is_file())
    pages: dict[PurePosixPath, Page] = {}
    for f in files:
        if f.suffix in (".html", ".svg"):
            rel = PurePosixPath(f.relative_to(root).as_posix())
            try:
                pages[rel] = parse_page(f)
            except (OSError, UnicodeDecodeError) as e:
                report.broken.append(f"{rel}: cannot be read: {e}")
    report.pages = sum(1 for p in pages if p.suffix == ".html")
    report.images = len(pages) - report.pages
    known = {PurePosixPath(f.relative_to(root).as_posix()) for f in files}
    for rel, page in pages.items():
        for line, id_ in page.duplicate_ids:
            report.broken.append(f"{rel}:{line}: id \"{id_}\" given twice")
        for line, tag, attr, value in page.links:
            where = f"{rel}:{line}: <{tag} {attr}=\"{value}\">"
            url = urlsplit(value.strip())
            if url.scheme or url.netloc:
                if url.scheme in ("http", "https") or url.netloc:
                    report.external.add(value.strip())
                continue
            if not url.path and not url.fragment:
                continue  # `href="#"` or `href=""`: the page itself, no anchor
            report.local += 1
            target = _target_file(root, rel, page.base, value.strip())
            if target is None:
                report.broken.append(f"{where}: leaves the site")
                continue
            if target not in known:
                report.broken.append(f"{where}: no file {target}")
                continue
            if url.fragment:
                report.anchors += 1
                fragment = unquote(url.fragment)
                into = pages.get(target)
                if into is None:
                    report.broken.append(f"{where}: #{fragment} points into {target}, which is not a page")
                elif fragment not in into.ids:
                    report.broken.append(f"{where}: no element with id \"{fragment}\" in {target}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the root folder of the built HTML site")
    args = parser.parse_args(argv)
    if not args.site.is_dir():
        print(f"check_links: {args.site} is not a folder (was the site built?)", file=sys.stderr)
        return 2
    report = check_site(args.site)
    if report.pages == 0:
        print(f"check_links: no HTML page under {args.site}", file=sys.stderr)
        return 2
    if report.external:
        print(f"external links (listed, not fetched): {len(report.external)}")
        for link in sorted(report.external):
            print(f"  {link}")
    print(
        f"checked {report.pages} pages and {report.images} SVG images: {report.local} local links, {report.anchors} of them "
        f"with an anchor; {len(report.external)} distinct external links not fetched"
    )
    if report.broken:
        print(f"{len(report.broken)} broken links:", file=sys.stderr)
        for b in report.broken:
            print(f"  {b}", file=sys.stderr)
        return 1
    print("no broken link")
    return 0


if __name__ == "__main__":
    sys.exit(main())
