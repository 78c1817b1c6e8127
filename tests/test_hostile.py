"""A pull request as an attacker would write it: links, templates and files that try to get out.

Each test builds a copy of tests/sites/invalid/_base with one hostile change made
the way a pull request carries it, and checks what a reviewer would: the build
refuses with a message naming the file, nothing secret reaches build/, nothing
runs, and the previous build is still there.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import copy_site, run_kkrsite, tree

EPOCH = "1322697600"  # 1 December 2011
SECRET = "NETLIFY_AUTH_TOKEN=hemmelig-9f8e7d"


@pytest.fixture
def site(tmp_path: Path, invalid_base: Path) -> Path:
    """A valid site with its previous build, and a secret file beside it that no build may publish."""
    folder = copy_site(invalid_base, tmp_path / "site")  # _base, built once per test run
    (tmp_path / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    return folder


def kkrsite(site: Path, *args: str) -> tuple[int, str]:
    result = run_kkrsite(*(args or ("build",)), cwd=site, epoch=EPOCH)
    assert "Traceback" not in result.stdout + result.stderr
    return result.returncode, result.stderr


def refused(site: Path, *args: str) -> str:
    """Build again: it must fail, print no traceback and leave build/ exactly as it was."""
    before = tree(site / "build")
    code, stderr = kkrsite(site, *args)
    assert code == 1, stderr
    assert tree(site / "build") == before
    return stderr


def test_a_linked_attachment_is_refused(site: Path) -> None:
    os.symlink("/proc/self/environ", site / "content/files/env.txt")
    os.symlink(site.parent / "secret.txt", site / "content/files/referat-2011-08-30.pdf")
    stderr = refused(site)
    assert (
        "content/files/env.txt: is a symbolic link (to '/proc/self/environ'): kkrsite never "
        "follows links in content or templates; put the file itself here"
    ) in stderr
    assert "content/files/referat-2011-08-30.pdf: is a symbolic link" in stderr


def test_a_linked_files_folder_is_refused(site: Path) -> None:
    shutil.rmtree(site / "content/files")
    outside = site.parent / "outside"
    outside.mkdir()
    (outside / "referat-2011-08-29.pdf").write_text(SECRET)
    os.symlink(outside, site / "content/files")
    stderr = refused(site)
    assert f"content/files: is a symbolic link (to '{outside}')" in stderr


def test_a_person_file_linked_from_outside_is_not_read(site: Path) -> None:
    outside = site.parent / "person.yaml"
    outside.write_text(f"name: {SECRET}\ntitle: x\nparty: S\nmunicipality: x\n")
    os.symlink(outside, site / "content/people/lars-loekke.yaml")
    stderr = refused(site)
    assert "content/people/lars-loekke.yaml: is a symbolic link" in stderr
    assert SECRET not in stderr


def test_a_linked_region_file_is_refused(site: Path) -> None:
    kkr = site / "content/kkr/hovedstaden/kkr.yaml"
    real = site.parent / "kkr.yaml"
    shutil.move(kkr, real)
    os.symlink(real, kkr)
    assert "content/kkr/hovedstaden/kkr.yaml: is a symbolic link" in refused(site)


def test_a_linked_content_folder_is_refused(site: Path) -> None:
    shutil.move(site / "content", site / "real-content")
    os.symlink(site / "real-content", site / "content")
    assert "content: is a symbolic link" in refused(site)


def test_a_linked_template_asset_is_refused(site: Path) -> None:
    (site / "templates/static").mkdir(parents=True)
    os.symlink(site.parent / "secret.txt", site / "templates/static/x.txt")
    stderr = refused(site)
    assert "templates/static/x.txt: is a symbolic link" in stderr


def test_a_linked_template_is_refused(site: Path) -> None:
    (site / "templates").mkdir()
    (site.parent / "base.html").write_text(SECRET)
    os.symlink(site.parent / "base.html", site / "templates/base.html")
    stderr = refused(site)
    assert "templates/base.html: is a symbolic link" in stderr
    assert SECRET not in stderr


def test_a_linked_templates_folder_is_refused(site: Path) -> None:
    (site.parent / "tpl").mkdir()
    os.symlink(site.parent / "tpl", site / "templates")
    assert "templates: is a symbolic link" in refused(site)


def test_a_template_cannot_run_a_command(site: Path) -> None:
    (site / "templates").mkdir()
    marker = site.parent / "pwned"
    payloads = (
        "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}",
        "{{ site.config.__class__.__init__.__globals__ }}",
        "{{ lipsum.__globals__['os'].popen('touch " + str(marker) + "') }}",
    )
    for payload in payloads:
        (site / "templates/index.html").write_text(payload)
        stderr = refused(site)
        assert stderr.startswith("templates/index.html:1: template error: ")
        assert not marker.exists()


def test_a_template_cannot_read_files_through_the_model(site: Path) -> None:
    (site / "templates").mkdir()
    (site / "templates/index.html").write_text(
        "{{ site.regions[0].origin.path.parent.joinpath('/etc/passwd').read_text() }}"
    )
    stderr = refused(site)
    assert "is not safely callable" in stderr
    assert "root:" not in stderr


def test_a_template_may_call_model_and_value_methods(site: Path) -> None:
    (site / "templates").mkdir()
    (site / "templates/index.html").write_text(
        "{% set r = site.regions[0] %}{{ r.latest_term_on(site.today).period.label }} "
        "{{ site.today.isoformat() }} {{ 'a,b'.split(',')|join('+') }} {{ {'k': 1}.get('k') }}\n"
    )
    code, stderr = kkrsite(site)
    assert code == 0, stderr
    assert (site / "build/index.html").read_text() == "2010-2013 2011-12-01 a+b 1\n"


def test_active_attachments_are_refused_with_the_reason(site: Path) -> None:
    (site / "content/files/forside.html").write_text("<script>alert(1)</script>")
    (site / "content/files/logo.svg").write_text("<svg><script>alert(1)</script></svg>")
    stderr = refused(site)
    assert "content/files/forside.html: " in stderr
    assert "content/files/logo.svg: " in stderr


def test_a_drafts_attachment_is_not_published(site: Path) -> None:
    pdf = b"%PDF-1.4\n%kladde\n"
    (site / "content/files/kladde.pdf").write_bytes(pdf)
    (site / "content/publications/2011-10-01-kladde.md").write_text(
        "---\ntitle: Kladde\nkind: notat\ndraft: true\ndocuments:\n"
        "  - title: Notat\n    file: kladde.pdf\n---\nUdkast.\n",
        encoding="utf-8",
    )
    (site / "content/files/ubrugt.pdf").write_bytes(pdf)
    code, stderr = kkrsite(site)
    assert code == 0, stderr
    published = tree(site / "build")
    assert "filer/referat-2011-08-29.pdf" in published
    assert "filer/kladde.pdf" not in published
    assert "filer/ubrugt.pdf" not in published
    code, _ = kkrsite(site, "build", "--drafts")
    assert code == 0
    assert (site / "build/filer/kladde.pdf").read_bytes() == pdf
    assert not (site / "build/filer/ubrugt.pdf").exists()


def test_check_lists_unused_attachments(site: Path) -> None:
    (site / "content/files/ubrugt.pdf").write_bytes(b"%PDF-1.4\n")
    result = run_kkrsite("check", cwd=site, epoch=EPOCH)
    assert result.returncode == 0, result.stderr
    assert (
        "content/files/ubrugt.pdf: note: no published entry uses this file, so it is not "
        "published; link it from an entry, or delete it"
    ) in result.stdout.splitlines()


def test_published_files_are_world_readable_under_a_strict_umask(site: Path) -> None:
    old = os.umask(0o077)
    try:
        code, stderr = kkrsite(site)
    finally:
        os.umask(old)
    assert code == 0, stderr
    for path in (site / "build").rglob("*"):
        mode = path.stat().st_mode & 0o777
        assert mode == (0o755 if path.is_dir() else 0o644), path


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("mailto:kkr@kl.dk", "it must start with https://"),
        ("http://kkr.example.dk/", "it must start with https://"),
        ("https://a:b@kkr.example.dk/", "it must not hold a user name or password"),
        ("https://kkr.example.dk:99999/", "cannot be read as an address"),
        ("https://[::1/", "cannot be read as an address"),
        ("https://kkr.example.dk/?x=1", "it must not have a ? query or # fragment"),
        ("https://kkr.example.dk/\x1b[2J", "it holds a space or an invisible character"),
        ("https://-kkr.example.dk/", "is not a valid host name"),
    ],
)
def test_a_base_url_from_the_command_line_is_checked(site: Path, url: str, why: str) -> None:
    stderr = refused(site, "build", "--base-url", url)
    assert stderr.startswith("kkrsite: --base-url ")
    assert why in stderr
    assert "\x1b" not in stderr


def test_a_preview_on_localhost_may_use_http(site: Path) -> None:
    code, stderr = kkrsite(site, "build", "--base-url", "http://127.0.0.1:8000/")
    assert code == 0, stderr


def test_an_attachment_linked_only_from_a_body_is_published(site: Path) -> None:
    pdf = b"%PDF-1.4\n%bilag\n"
    (site / "content/files/bilag-1.pdf").write_bytes(pdf)
    (site / "content/files/kort.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    column = site / "content/columns/2011-09-08-samarbejde-paa-tvaers.md"
    column.write_text(
        column.read_text(encoding="utf-8")
        + "\n[Bilag 1](/filer/bilag-1.pdf) og ![Kort](../../filer/kort.png)\n",
        encoding="utf-8",
    )
    code, stderr = kkrsite(site)
    assert code == 0, stderr
    assert (site / "build/filer/bilag-1.pdf").read_bytes() == pdf
    assert (site / "build/filer/kort.png").is_file()
    result = run_kkrsite("check", cwd=site, epoch=EPOCH)
    assert "note:" not in result.stdout


@pytest.mark.parametrize(
    ("template", "why"),
    [
        ("{{ 'a' * 10**9 }}", "a repeated value longer than 1,000,000"),
        ("{{ [0] * 10**8 }}", "a repeated value longer than 1,000,000"),
        ("{{ 9 ** 1000000 }}", "a power above 100"),
        ('{{ "%0999999999d"|format(1) }}', "a format with a width or precision over 999,999"),
        ("{{ 'a'|center(10**9) }}", "center to a width over 1,000,000"),
        ("{{ 'a'.ljust(10**9) }}", "is not safely callable"),
        ("{{ lipsum(n=99999) }}", "'lipsum' is undefined"),
    ],
)
def test_a_template_cannot_make_a_value_of_any_size(site: Path, template: str, why: str) -> None:
    (site / "templates").mkdir()
    (site / "templates/404.html").write_text(template)
    stderr = refused(site)
    assert stderr.startswith("templates/404.html:1: template error: ")
    assert why in stderr


def test_a_template_that_loops_for_ever_is_stopped(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kkrsite.sandbox.PAGE_SECONDS", 0.5)
    (site / "templates").mkdir()
    (site / "templates/404.html").write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    )
    stderr = refused(site)
    assert "TooSlow: rendering took more than 0.5 s: is there a loop in the template?" in stderr


def test_an_empty_marker_does_not_make_a_folder_replaceable(site: Path) -> None:
    docs = site / "docs"
    docs.mkdir()
    (docs / "vigtigt.txt").write_text("behold mig")
    (docs / ".kkrsite-build").touch()
    stderr = refused(site, "build", "--out", "docs")
    assert "'docs' is not a folder kkrsite built" in stderr
    assert (docs / "vigtigt.txt").read_text() == "behold mig"


def test_too_many_region_folders_are_refused(site: Path) -> None:
    for n in range(25):
        folder = site / f"content/kkr/r{n}"
        folder.mkdir()
        (folder / "kkr.yaml").write_text(f"name: KKR R{n}\nregion: Region R{n}\n")
    stderr = refused(site)
    assert "content/kkr: holds 26 region folders; kkrsite builds at most 20" in stderr


def test_too_many_files_are_refused(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kkrsite.read.MAX_CONTENT_FILES", 12)
    for n in range(5):
        (site / f"content/files/bilag-{n}.txt").write_text("tekst")
    stderr = refused(site)
    assert "content: holds more than 12 files; kkrsite builds at most that many" in stderr


def test_a_long_body_is_not_copied_into_every_feed(site: Path) -> None:
    column = site / "content/columns/2011-09-08-samarbejde-paa-tvaers.md"
    long_text = "Kommunerne står stærkere sammen. " * 2000
    column.write_text(column.read_text(encoding="utf-8") + "\n" + long_text, encoding="utf-8")
    code, stderr = kkrsite(site)
    assert code == 0, stderr
    feed = (site / "build/klummer/feed.xml").read_text(encoding="utf-8")
    assert "Teksten er lang. &lt;a href=" in feed
    assert long_text not in feed
    page = (site / "build/klummer/samarbejde-paa-tvaers/index.html").read_text(encoding="utf-8")
    assert long_text.strip() in page
