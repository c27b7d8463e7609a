"""Tests of the link checker on small made-up sites: it finds every kind of
broken link, all of them in one run, and passes what a browser resolves."""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import check_links  # noqa: E402


def site(files: dict[str, str]) -> Path:
    root = Path(tempfile.mkdtemp(prefix="check_links_"))
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


GOOD = {
    "index.html": """<html><head><link rel="stylesheet" href="css/site.css?v=3">
        <script src="book.js"></script></head><body>
        <h1 id="top">Reference</h1>
        <a href="#top">top</a> <a href="#">menu</a>
        <a href="classes/VM.html#message-start">VM.start</a>
        <a href="classes/">classes</a>
        <a href="classes/two%20words.html#a%20b">spaces</a>
        <img src="diagrams/overview.svg" alt="overview">
        <object data="diagrams/overview.svg"></object>
        <a href="https://xenproject.org/">Xen</a> <a href="mailto:someone@example.org">mail</a>
        </body></html>""",
    "css/site.css": "body {}",
    "book.js": "",
    "diagrams/overview.svg": '<svg xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="../classes/VM.html#legacy"><rect id="VM"/></a></svg>',

    "classes/index.html": '<p id="list">classes</p><a href="../index.html#top">up</a>',
    "classes/VM.html": """<a id="message-start"></a><a name="legacy"></a>
        <a href="../errors.html#VM_BAD_POWER_STATE">error</a>
        <a href="VM.html#legacy">itself</a><img src="../diagrams/overview.svg"/>""",
    "classes/two words.html": '<span id="a b">x</span>',
    "errors.html": '<a id="VM_BAD_POWER_STATE"></a>',
    # A page under <base href="../">: its links, fragment-only ones
    # included, resolve against the folder above.
    "deep/page.html": '<head><base href="../"></head><a href="index.html#top">home</a><a href="#top">top of the index</a>',
}


class CheckSite(unittest.TestCase):
    def test_a_sound_site_has_no_broken_link_and_every_link_is_counted(self) -> None:
        report = check_links.check_site(site(GOOD))
        self.assertEqual(report.broken, [])
        self.assertEqual((report.pages, report.images), (6, 1))
        # index 8 local (the bare "#" is not a link, mail and https are
        # external), classes/index 1, VM 3, deep/page 2, the SVG 1.
        self.assertEqual(report.local, 15)
        self.assertEqual(report.anchors, 9)
        self.assertEqual(report.external, {"https://xenproject.org/"})

    def test_every_broken_link_is_reported_with_its_page_and_target(self) -> None:
        files = dict(GOOD)
        files["classes/VM.html"] = """<a id="message-start"></a>
            <a href="../errors.html#NO_SUCH_ERROR">gone</a>
            <a href="host.md#message-reboot">unrewritten</a>
            <img src="../diagrams/VM.svg">
            <a href="#message-stop">stop</a>
            <a href="../css/site.css#x">anchor into a stylesheet</a>
            <span id="message-start"></span>"""
        files["diagrams/overview.svg"] = '<svg><a xlink:href="../classes/host.html"><rect/></a></svg>'
        files["deep/page.html"] = '<head><base href="../"></head><a href="#nowhere">x</a>'
        report = check_links.check_site(site(files))
        self.assertEqual(
            report.broken,
            [
                'classes/VM.html:7: id "message-start" given twice',
                'classes/VM.html:2: <a href="../errors.html#NO_SUCH_ERROR">: no element with id "NO_SUCH_ERROR" in errors.html',
                'classes/VM.html:3: <a href="host.md#message-reboot">: no file classes/host.md',
                'classes/VM.html:4: <img src="../diagrams/VM.svg">: no file diagrams/VM.svg',
                'classes/VM.html:5: <a href="#message-stop">: no element with id "message-stop" in classes/VM.html',
                'classes/VM.html:6: <a href="../css/site.css#x">: #x points into css/site.css, which is not a page',
                'deep/page.html:1: <a href="#nowhere">: no element with id "nowhere" in index.html',
                'diagrams/overview.svg:1: <a xlink:href="../classes/host.html">: no file classes/host.html',
            ],
        )

    def test_a_base_on_another_origin_is_a_link_out_of_the_site(self) -> None:
        report = check_links.check_site(site({"index.html": '<base href="https://example.org/"><a href="x.html">x</a>'}))
        self.assertEqual(report.broken, ['index.html:1: <a href="x.html">: leaves the site'])


class Main(unittest.TestCase):
    def run_main(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = check_links.main(list(args))
        return rc, out.getvalue(), err.getvalue()

    def test_a_sound_site_passes_and_says_what_was_checked(self) -> None:
        rc, out, err = self.run_main(str(site(GOOD)))
        self.assertEqual(rc, 0, err)
        self.assertIn("checked 6 pages and 1 SVG images: 15 local links, 9 of them with an anchor", out)
        self.assertIn("  https://xenproject.org/", out)
        self.assertIn("no broken link", out)

    def test_broken_links_fail_the_run(self) -> None:
        files = dict(GOOD, **{"errors.html": "<p>no anchors left</p>"})
        rc, _, err = self.run_main(str(site(files)))
        self.assertEqual(rc, 1)
        self.assertIn("1 broken links:", err)
        self.assertIn('classes/VM.html:2: <a href="../errors.html#VM_BAD_POWER_STATE">', err)

    def test_a_missing_or_empty_site_is_an_error_not_a_pass(self) -> None:
        rc, _, err = self.run_main("/nonexistent/site")
        self.assertEqual(rc, 2)
        self.assertIn("is not a folder", err)
        rc, _, err = self.run_main(str(site({"style.css": ""})))
        self.assertEqual(rc, 2)
        self.assertIn("no HTML page", err)


if __name__ == "__main__":
    unittest.main()
