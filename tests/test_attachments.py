"""Which files under files/ may be published: by name and by content, read without following links."""

from __future__ import annotations

import io
import os
import struct
import threading
import zipfile
from pathlib import Path

import pytest

from kkrsite.attachments import check_file, refusal
from kkrsite.filetypes import IMAGE_SUFFIXES, SUFFIXES, is_image
from kkrsite.sniff import MAX_ZIP_DIRECTORY_BYTES, MAX_ZIP_MEMBERS, TooManyMembers, open_bounded_zip

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
HTML = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48)


def _check(tmp_path: Path, name: str, content: bytes) -> str | None:
    path = tmp_path / name
    path.write_bytes(content)
    return check_file(path)


def _zip(parts: dict[str, bytes]) -> bytes:
    """A zip with these parts, in this order (the first one stored, as ODF wants its mimetype)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i, (name, data) in enumerate(parts.items()):
            method = zipfile.ZIP_STORED if i == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)
    return buffer.getvalue()


CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
DOCX = _zip(
    {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": b"<Relationships/>",
        "word/document.xml": b"<w:document/>",
    }
)
XLSX = _zip({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<workbook/>"})
ODT = _zip(
    {
        "mimetype": b"application/vnd.oasis.opendocument.text",
        "content.xml": b"<office:document-content/>",
        "META-INF/manifest.xml": b"<manifest:manifest/>",
    }
)


def _crafted_zip(names: list[bytes]) -> bytes:
    """A zip's directory listing these parts (no data: opening a zip reads only its directory)."""
    entry = struct.Struct("<4s4B4HL2L5H2L")
    directory = b"".join(
        entry.pack(b"PK\x01\x02", 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, len(n), 0, 0, 0, 0, 0, 0) + n
        for n in names
    )
    count = min(len(names), 0xFFFF)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), 30, 0)
    return b"PK\x03\x04" + bytes(26) + directory + end


# --- allowed files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("referat.pdf", PDF),
        ("REFERAT.PDF", PDF),
        ("notat.docx", DOCX),
        ("budget.xlsx", XLSX),
        ("referat.odt", ODT),
        ("gammel.doc", OLE2),
        ("gammel.xls", OLE2),
        ("brev.rtf", b"{\\rtf1\\ansi K\\'e6re borgmester\\par}"),
        ("foto.png", PNG),
        ("foto.jpg", JPEG),
        ("foto.JPEG", JPEG),
        ("kort.gif", GIF),
        ("foto.webp", WEBP),
        (
            "tal.csv",
            "kommune;indbyggere\nHerlev;28.000\nHøje-Taastrup;50.000\nÆrø;6.000\n".encode(),
        ),
        ("tal.csv", "\ufeffkommune;beløb\nNæstved;1,5\n".encode()),
        ("noter.txt", b"Dagsorden\r\n\r\n1. Godkendelse\r\n"),
    ],
)
def test_documents_pictures_and_text_may_be_published(
    tmp_path: Path, name: str, content: bytes
) -> None:
    assert _check(tmp_path, name, content) is None


def test_a_latin1_csv_is_text_too(tmp_path: Path) -> None:
    # Excel on a Danish Windows saves "CSV" in Windows-1252 and reads it back correctly;
    # the encoding changes nothing a browser would run.
    content = "kommune;by\nHøje-Taastrup;Tåstrup\nÆrø;Ærøskøbing\n".encode("cp1252")
    assert _check(tmp_path, "kommuner.csv", content) is None


def test_text_that_only_starts_with_a_less_than_sign_is_text(tmp_path: Path) -> None:
    assert _check(tmp_path, "afstande.csv", b"<5 km;12\n5-10 km;30\n") is None


def test_a_gif_with_html_further_in_is_a_gif(tmp_path: Path) -> None:
    # Served as image/gif (by its name), a browser only ever decodes it as a picture: the
    # sniffer looks for HTML only when a resource's type is missing or unknown.
    polyglot = GIF + b"<html><script>alert(1)</script></html>"
    assert _check(tmp_path, "kort.gif", polyglot) is None


def test_a_picture_named_as_another_picture_format_is_accepted(tmp_path: Path) -> None:
    # Browsers decode pictures by their content whatever the name says; nothing can run.
    assert _check(tmp_path, "foto.jpg", PNG) is None
    assert _check(tmp_path, "foto.png", WEBP) is None


def test_any_old_office_format_is_accepted_under_any_old_office_name(tmp_path: Path) -> None:
    # .doc, .xls and .ppt share one container; its first bytes cannot tell them apart.
    assert _check(tmp_path, "tal.ppt", OLE2) is None


# --- refused by name -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "why"),
    [
        (
            "x.html",
            "is a web page (.html), which would run on the council's own address: save the document as PDF",
        ),
        ("x.htm", "would run on the council's own address"),
        ("x.xhtml", "would run on the council's own address"),
        ("x.shtml", "would run on the council's own address"),
        ("evil.svg", "is an SVG image (.svg), which can carry script"),
        ("x.js", "is a script (.js), which would run on the council's own address"),
        ("x.mjs", "is a script (.mjs)"),
        ("x.xml", "is XML (.xml), which a browser can run as a web page"),
        ("x.xsl", "is XML (.xsl)"),
        ("x.css", "is a stylesheet (.css)"),
        ("x.json", "is data for programs (.json)"),
        ("x.swf", "is a Flash file (.swf), which can run script"),
        ("setup.exe", "is a program (.exe), which must never be offered to readers"),
        ("x.dll", "is a program (.dll)"),
        ("x.bat", "is a program (.bat)"),
        ("x.cmd", "is a program (.cmd)"),
        ("x.sh", "is a program (.sh)"),
        ("x.ps1", "is a program (.ps1)"),
        ("x.msi", "is a program (.msi)"),
        ("x.apk", "is a program (.apk)"),
        ("x.jar", "is a program (.jar)"),
        ("x.app", "is a program (.app)"),
        (
            "bilag.zip",
            "is an archive (.zip), which hides what is inside it: add the files themselves",
        ),
        ("bilag.rar", "is an archive (.rar)"),
        ("bilag.7z", "is an archive (.7z)"),
        ("notat.docm", "is an Office file with macros (.docm), which can run code"),
        (
            "foto.heic",
            "is a picture (.heic), which is in a format many browsers cannot show: save the picture again as JPEG or PNG",
        ),
        ("film.mp4", "is a .mp4 file, not a kind kkrsite publishes (only .pdf, .docx,"),
    ],
)
def test_kinds_that_could_run_or_hide_something_are_refused_by_name(
    tmp_path: Path, name: str, why: str
) -> None:
    # The content would pass as text: the name alone refuses it.
    message = _check(tmp_path, name, b"Dagsorden\n")
    assert message is not None
    assert why in message


def test_the_real_svg_attack_is_refused(tmp_path: Path) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'
    assert _check(tmp_path, "logo.svg", svg) == (
        "is an SVG image (.svg), which can carry script that would run on the council's own "
        "address: save the picture again as JPEG or PNG"
    )


def test_a_file_without_a_suffix_is_refused_naming_the_suffix_it_needs(tmp_path: Path) -> None:
    assert _check(tmp_path, "referat", PDF) == (
        "has no suffix such as .pdf, so a browser would have to guess what it is: "
        "rename it to end in .pdf"
    )
    message = _check(tmp_path, "index", HTML)
    assert message is not None
    assert message.startswith("has no suffix such as .pdf")
    assert "add the suffix of its kind (.pdf, .docx" in message


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    assert _check(tmp_path, "referat.pdf", b"") == "is empty: put the real file here, or remove it"


# --- refused by content ----------------------------------------------------------------------


def test_a_web_page_named_pdf_is_refused_saying_it_is_a_web_page(tmp_path: Path) -> None:
    assert _check(tmp_path, "referat.pdf", HTML) == (
        "is named .pdf but is a web page (HTML), not a PDF document: "
        "export the document as PDF again and put that here"
    )


def test_a_web_page_behind_a_bom_and_blank_lines_is_still_a_web_page(tmp_path: Path) -> None:
    message = _check(tmp_path, "foto.jpg", b"\xef\xbb\xbf\r\n  <HTML>\n<p>hej</p>")
    assert message is not None
    assert message.startswith("is named .jpg but is a web page (HTML), not a JPEG picture")


def test_a_program_named_pdf_is_refused_saying_it_is_a_program(tmp_path: Path) -> None:
    message = _check(tmp_path, "referat.pdf", EXE)
    assert message is not None
    assert message.startswith("is named .pdf but is a Windows program, not a PDF document")


def test_a_picture_named_pdf_is_refused_with_the_name_it_needs(tmp_path: Path) -> None:
    assert _check(tmp_path, "referat.pdf", PNG) == (
        "is named .pdf but is a PNG picture: rename it to end in .png"
    )


def test_a_docx_named_doc_is_refused_with_the_name_it_needs(tmp_path: Path) -> None:
    assert _check(tmp_path, "notat.doc", DOCX) == (
        "is named .doc but is a Word document: rename it to end in .docx"
    )


def test_a_zip_without_word_parts_is_not_a_docx(tmp_path: Path) -> None:
    bundle = _zip({"bilag/index.html": HTML, "bilag/referat.pdf": PDF})
    assert _check(tmp_path, "notat.docx", bundle) == (
        "is named .docx but is a zip archive, not a Word document: "
        "save it again from Word as .docx and put that here"
    )
    # A workbook is a zip with [Content_Types].xml too, but no word/ parts.
    assert _check(tmp_path, "notat.docx", XLSX) == (
        "is named .docx but is an Excel workbook: rename it to end in .xlsx"
    )


def test_a_zip_whose_first_part_is_not_the_odf_mimetype_is_not_an_odt(tmp_path: Path) -> None:
    shuffled = _zip(
        {
            "content.xml": b"<office:document-content/>",
            "mimetype": b"application/vnd.oasis.opendocument.text",
        }
    )
    message = _check(tmp_path, "referat.odt", shuffled)
    assert message is not None
    assert message.startswith("is named .odt but is a zip archive, not an OpenDocument text")
    spreadsheet = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    assert _check(tmp_path, "referat.odt", spreadsheet) == (
        "is named .odt but is an OpenDocument spreadsheet: rename it to end in .ods"
    )


def test_a_damaged_zip_is_refused(tmp_path: Path) -> None:
    assert _check(tmp_path, "notat.docx", DOCX[: len(DOCX) // 2]) == (
        "is named .docx but is a damaged zip archive, not a Word document: "
        "save it again from Word as .docx and put that here"
    )


def test_a_docx_of_more_than_10000_parts_is_refused(tmp_path: Path) -> None:
    names = [b"[Content_Types].xml"] + [b"word/media/image%d.png" % i for i in range(10_000)]
    message = _check(tmp_path, "notat.docx", _crafted_zip(names))
    assert message == (
        "is named .docx but is a zip archive of more than 10,000 parts, far more than any real "
        "document, not a Word document: save it again from Word as .docx and put that here"
    )
    assert _check(tmp_path, "notat.docx", _crafted_zip(names[:MAX_ZIP_MEMBERS])) is None


def test_a_zip_directory_too_large_to_be_real_is_refused_before_it_is_read(
    tmp_path: Path,
) -> None:
    # 200,000 one-letter parts: zipfile alone spends over a second listing them.
    hostile = _crafted_zip([b"a"] * 200_000)
    assert len(hostile) > MAX_ZIP_DIRECTORY_BYTES
    with pytest.raises(TooManyMembers):
        open_bounded_zip(io.BytesIO(hostile))
    message = _check(tmp_path, "notat.docx", hostile)
    assert message is not None
    assert "is a zip archive of more than 10,000 parts" in message


@pytest.mark.parametrize(
    ("name", "content", "shown"),
    [
        ("noter.txt", b"<!doctype html><title>x</title>", "'<!doctype html'"),
        ("noter.txt", b" \r\n\t<script>alert(1)</script>", "'<script'"),
        ("noter.txt", b"<p>Se <a href=x>her</a>", "'<p'"),
        ("noter.txt", b"<!-- kommentar -->", "'<!--'"),
        ("tal.csv", b"\xef\xbb\xbf<IFRAME src=//evil.example>", "'<IFRAME'"),
    ],
)
def test_text_that_a_browser_would_take_for_a_web_page_is_refused(
    tmp_path: Path, name: str, content: bytes, shown: str
) -> None:
    message = _check(tmp_path, name, content)
    suffix = name.rsplit(".", 1)[1]
    assert message == (
        f"is named .{suffix} but begins like a web page ({shown}), which a browser could run "
        "on the council's own address: remove the markup at the start, or publish it as PDF"
    )


def test_a_csv_starting_with_an_xml_declaration_is_refused(tmp_path: Path) -> None:
    message = _check(tmp_path, "tal.csv", b'<?xml version="1.0"?>\n<svg><script/></svg>')
    assert message is not None
    assert message.startswith("is named .csv but begins like XML ('<?xml')")


def test_binary_data_named_txt_is_refused(tmp_path: Path) -> None:
    assert _check(tmp_path, "noter.txt", b"Dagsorden\x00\x01\x02") == (
        "is named .txt but is binary data, not text: "
        "save it again as plain text (UTF-8) and put that here"
    )
    assert _check(tmp_path, "tal.csv", XLSX) == (
        "is named .csv but is an Excel workbook: rename it to end in .xlsx"
    )


def test_utf16_text_is_refused_asking_for_utf8(tmp_path: Path) -> None:
    assert _check(tmp_path, "tal.csv", "kommune;by\n".encode("utf-16")) == (
        "is text saved as UTF-16: save it again as CSV (in Excel: 'CSV UTF-8')"
    )


# --- how the file is read ---------------------------------------------------------------------


def test_a_symbolic_link_is_refused_not_followed(tmp_path: Path) -> None:
    (tmp_path / "real.pdf").write_bytes(PDF)
    (tmp_path / "referat.pdf").symlink_to(tmp_path / "real.pdf")
    assert check_file(tmp_path / "referat.pdf") == (
        "is a symbolic link: kkrsite never follows links in content; put the file itself here"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "referat.pdf"
    os.mkfifo(pipe)
    answers: list[str | None] = []
    checking = threading.Thread(target=lambda: answers.append(check_file(pipe)), daemon=True)
    checking.start()
    checking.join(timeout=30)  # not a timing: a blocking open never returns without a writer
    waited_for_a_writer = checking.is_alive()
    if waited_for_a_writer:
        os.close(os.open(pipe, os.O_WRONLY))  # let the blocked open return, then fail
        checking.join()
    assert not waited_for_a_writer
    assert answers == ["is not an ordinary file: put the file itself here"]


def test_a_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    message = check_file(tmp_path / "referat.pdf")
    assert message is not None
    assert message.startswith("cannot be read (No such file or directory)")


def test_without_a_zip_opener_an_office_zip_cannot_pass() -> None:
    assert refusal("notat.docx", DOCX) is not None
    assert refusal("notat.docx", DOCX, lambda: zipfile.ZipFile(io.BytesIO(DOCX))) is None


# --- the lists others use ----------------------------------------------------------------------


def test_pictures_are_the_four_browser_formats() -> None:
    assert IMAGE_SUFFIXES == ("png", "jpg", "jpeg", "gif", "webp")
    assert is_image("personer/kjeld-hansen.JPG")
    assert is_image("foto.webp")
    assert not is_image("logo.svg")
    assert not is_image("referat.pdf")
    assert not is_image("jpg")


def test_the_allowed_suffixes_are_what_editors_publish() -> None:
    assert set(SUFFIXES) == {
        "pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "doc", "xls", "ppt", "rtf",
        "csv", "txt", "png", "jpg", "jpeg", "gif", "webp",
    }  # fmt: skip
