"""A download read in place from its zip archive (a BACI release as CEPII publishes it), nothing unpacked.

Light on purpose (standard library only, no pyarrow): :mod:`helpers.official.countries` reads a
release's code files through it.

Rules, stated here:

* A ``.zip`` is read where it lies: each member is streamed through :mod:`zipfile`, never unpacked
  to disk. Its data members are the CSV/TSV/TXT files that are not BACI's
  ``country_codes_*``/``product_codes_*`` side files, readme files, hidden files or macOS
  ``__MACOSX/`` entries, in name order (:func:`archive_members`); members may sit in sub-folders.
* A member behaves as a read-only file for the readers (:class:`ArchiveMember`): its ``name``, its
  ``parent`` folder inside the archive (whose ``glob`` finds the release's code files beside it),
  ``read_bytes`` and :meth:`ArchiveMember.open`. It is shown as ``<archive>/<member>``.
* Only stored and deflated members are read; any other compression method (bzip2, lzma, ...) and
  encrypted members are refused by name before a byte is decompressed.
* A member's CRC-32 is known to pass only at its end: a member is read to its end before anything
  of it is used, and a failed check, a member that cannot be decompressed and a truncated or
  damaged archive are each a :class:`~helpers.errors.DataError` naming the archive (and member).
* A member's content digest (:meth:`ArchiveMember.digest`, for the extract cache) is SHA-256 over
  its bytes as stored in the archive, with its name, method, CRC and sizes: any change to what it
  decompresses to changes them. Nothing is decompressed to compute it.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import io
import os
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from helpers.errors import DataError, Problem
from helpers.official.formats import (
    Header,
    check_gzip_intact,
    display_path,
    expected_formats,
    open_text,
    parse_header,
    read_header,
)

#: Compression methods read: stored and deflated.
SUPPORTED_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
#: Names of the other compression methods of the ZIP specification (APPNOTE 4.4.5), for messages.
METHOD_NAMES = {
    1: "shrunk",
    6: "imploded",
    9: "deflate64",
    10: "pkware-implode",
    12: "bzip2",
    14: "lzma",
    18: "ibm-terse",
    19: "ibm-lz77",
    93: "zstandard",
    94: "mp3",
    95: "xz",
    96: "jpeg",
    97: "wavpack",
    98: "ppmd",
    99: "aes-encrypted",
} | SUPPORTED_METHODS
#: Members that are data: CSV/TSV/TXT files (compressed files inside an archive are not read).
DATA_SUFFIXES = (".csv", ".txt", ".tsv")
#: Characters read at most to find a member's header line.
HEADER_LIMIT = 1 << 20

_SIDE_FILES = re.compile(r"^(country_codes_|product_codes_|readme)", re.I)
_CHUNK = 1 << 20
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature ... file name length, extra field length
_LOCAL_SIGNATURE = b"PK\x03\x04"
_ZIP_FAILURES = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error, NotImplementedError)
_ENCRYPTED = 0x1 | 0x40  # general purpose flag bits 0 (encrypted) and 6 (strong encryption)
_PATCHED = 0x20  # bit 5: compressed patched data


def is_archive(path: Path | ArchiveMember) -> bool:
    """Whether ``path`` is a zip archive to read members from (by its name: a cut-off one too)."""
    return isinstance(path, Path) and path.name.lower().endswith(".zip")


def shown(source: Path | ArchiveMember) -> str:
    """A file or archive member as error messages name it: ``<archive>/<member>`` for a member."""
    if isinstance(source, ArchiveMember):
        return f"{display_path(source.archive)}/{source.member}"
    return display_path(source)


def open_archive(path: Path) -> zipfile.ZipFile:
    """The archive opened for reading; a truncated or damaged one is a DataError that says so."""
    try:
        return zipfile.ZipFile(path)
    except _ZIP_FAILURES as exc:
        raise DataError(
            display_path(path),
            Problem(f"not a readable zip archive ({exc}): the file is cut off or damaged; is the download complete?"),
        ) from None


def _is_data_member(info: zipfile.ZipInfo) -> bool:
    """A member that is a download: a file of a data suffix, not a side, readme, hidden or macOS file."""
    base = posixpath.basename(info.filename)
    return (
        not info.is_dir()
        and not info.filename.startswith("__MACOSX/")
        and base.lower().endswith(DATA_SUFFIXES)
        and not _SIDE_FILES.match(base)
        and not base.startswith((".", "~$"))
    )


def archive_members(path: Path) -> list[ArchiveMember]:
    """The data members of a zip archive, in name order; none is a DataError listing what it holds."""
    with open_archive(path) as archive:
        infos = archive.infolist()
    members = sorted(ArchiveMember(path, info.filename) for info in infos if _is_data_member(info))
    if not members:
        held = ", ".join(info.filename for info in infos[:8]) or "nothing"
        raise DataError(
            display_path(path),
            Problem(f"no download files in the archive (it holds {held}); expected one of: {expected_formats()}"),
        )
    return members


@dataclass(frozen=True)
class ArchiveFolder:
    """A folder inside an archive, as far as the readers need one: the members it holds, by pattern."""

    archive: Path
    folder: str

    def glob(self, pattern: str) -> list[ArchiveMember]:
        """The members directly in this folder whose file name matches ``pattern`` (case-sensitive)."""
        with open_archive(self.archive) as archive:
            names = [info.filename for info in archive.infolist() if not info.is_dir()]
        return sorted(
            ArchiveMember(self.archive, name)
            for name in names
            if posixpath.dirname(name) == self.folder and fnmatch.fnmatchcase(posixpath.basename(name), pattern)
        )


@dataclass(frozen=True, order=True)
class ArchiveMember:
    """One file inside a zip archive, read in place: ``archive`` (the zip's path) and ``member`` (its
    name in the archive, e.g. ``BACI_HS17_V202501/BACI_HS17_Y2022_V202501.csv``).

    It offers the few operations of :class:`pathlib.Path` the readers use (``name``, ``parent``,
    ``read_bytes``) and :meth:`open` for streaming; ``os.fspath`` gives ``<archive>/<member>``, a
    path for display only (nothing is unpacked there).
    """

    archive: Path
    member: str

    @property
    def name(self) -> str:
        """The member's file name, without its folder inside the archive."""
        return posixpath.basename(self.member)

    @property
    def parent(self) -> ArchiveFolder:
        """The folder inside the archive that holds the member."""
        return ArchiveFolder(self.archive, posixpath.dirname(self.member))

    def __fspath__(self) -> str:
        return os.fspath(self.archive / self.member)

    def info(self) -> zipfile.ZipInfo:
        """The member's entry in the archive's central directory."""
        with open_archive(self.archive) as archive:
            return self._entry(archive)

    def _entry(self, archive: zipfile.ZipFile) -> zipfile.ZipInfo:
        """The member's entry; a missing, encrypted or unsupported member is a DataError."""
        try:
            info = archive.getinfo(self.member)
        except KeyError:
            raise DataError(
                display_path(self.archive), Problem(f"member {self.member} is not in the archive")
            ) from None
        if info.compress_type not in SUPPORTED_METHODS:
            method = METHOD_NAMES.get(info.compress_type, "unknown")
            raise DataError(
                display_path(self.archive),
                Problem(
                    f"member {self.member} uses compression method {method!r} ({info.compress_type}); this reader "
                    "supports stored and deflated (unpack the archive and give the folder, or re-pack it with deflate)"
                ),
            )
        if info.flag_bits & _ENCRYPTED:
            raise DataError(
                display_path(self.archive),
                Problem(f"member {self.member} is encrypted; unpack it with its password and give the folder"),
            )
        if info.flag_bits & _PATCHED:
            raise DataError(
                display_path(self.archive),
                Problem(f"member {self.member} holds patched data (flag bit 5), which this reader does not read"),
            )
        return info

    def open(self) -> MemberStream:
        """The member's bytes as a stream (see :class:`MemberStream`)."""
        archive = open_archive(self.archive)
        try:
            return MemberStream(self, archive, archive.open(self._entry(archive)))
        except DataError:
            archive.close()
            raise
        except _ZIP_FAILURES as exc:
            archive.close()
            raise damaged(self, exc) from None

    def read_bytes(self) -> bytes:
        """The whole member, after its CRC passed (for the release's small code files)."""
        with self.open() as stream:
            return stream.read()

    def digest(self) -> str:
        """SHA-256 of the member's bytes as stored in the archive, its name, method, CRC and sizes.

        Reads the stored bytes, decompresses nothing; an entry whose bytes are not all there is an
        OSError (the read then says what is wrong).
        """
        info = self.info()
        digest = hashlib.sha256(
            repr(
                (info.filename, info.compress_type, info.flag_bits, info.CRC, info.file_size, info.compress_size)
            ).encode()
        )
        with open(self.archive, "rb") as fh:
            fh.seek(info.header_offset)
            local = fh.read(_LOCAL_HEADER.size)
            if len(local) != _LOCAL_HEADER.size or local[:4] != _LOCAL_SIGNATURE:
                raise OSError(f"{self.member}: no local file header where the archive's directory says")
            name_length, extra_length = _LOCAL_HEADER.unpack(local)[-2:]
            fh.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
            left = info.compress_size
            while left:
                chunk = fh.read(min(left, _CHUNK))
                if not chunk:
                    raise OSError(f"{self.member}: the archive ends inside the member")
                digest.update(chunk)
                left -= len(chunk)
        return digest.hexdigest()


def damaged(member: ArchiveMember, exc: BaseException) -> DataError:
    """The DataError of a member whose bytes fail: its CRC, its decompression or its length."""
    text = str(exc)
    if "CRC" in text:
        why = "its CRC-32 check failed (the bytes differ from those packed)"
    elif isinstance(exc, zlib.error):
        why = f"it cannot be decompressed ({exc})"
    elif isinstance(exc, EOFError):
        why = f"it is cut off ({exc})"
    else:
        why = f"it cannot be read ({exc})"
    return DataError(
        shown(member),
        Problem(f"damaged member of archive {member.archive.name}: {why}; nothing of it was used; download it again"),
    )


class MemberStream(io.RawIOBase):
    """A member's bytes, streamed through :mod:`zipfile`; a failure while reading (its CRC at its end,
    its decompression, a cut-off archive) is raised as the member's DataError (:func:`damaged`).

    ``at_end`` says the member was read to its end, so its CRC passed; :meth:`finish` reads what is
    left to make sure of it.
    """

    def __init__(self, member: ArchiveMember, archive: zipfile.ZipFile, raw: zipfile.ZipExtFile):
        super().__init__()
        self.member = member
        self.at_end = False
        self._archive = archive
        self._raw = raw

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        try:
            data = self._raw.read(-1 if size is None else size)
        except _ZIP_FAILURES as exc:
            raise damaged(self.member, exc) from None
        if size is None or size < 0 or (size > 0 and not data):
            self.at_end = True
        return data

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def finish(self) -> None:
        """Read the member to its end (its CRC is checked there); a failure is its DataError."""
        while not self.at_end:
            self.read(_CHUNK)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
            self._archive.close()
        super().close()


@contextlib.contextmanager
def binary_input(source: Path | ArchiveMember) -> Iterator[str | MemberStream]:
    """What pyarrow reads: a file's path, or a member's stream, read to its end (CRC checked) before the
    ``with`` block is left without an error."""
    if not isinstance(source, ArchiveMember):
        yield str(source)
        return
    stream = source.open()
    try:
        yield stream
        stream.finish()
    finally:
        stream.close()


def text_input(source: Path | ArchiveMember) -> io.TextIOBase:
    """A file or member as text (UTF-8, byte-order mark dropped, undecodable bytes as U+FFFD)."""
    if not isinstance(source, ArchiveMember):
        return open_text(source)
    return io.TextIOWrapper(
        io.BufferedReader(source.open(), _CHUNK), encoding="utf-8-sig", errors="replace", newline=""
    )


def check_intact(source: Path | ArchiveMember) -> None:
    """For a member: read it to its end, so a failed CRC is said before any row of it is blamed; for a
    gzip-compressed file, the same (:func:`~helpers.official.formats.check_gzip_intact`)."""
    if isinstance(source, ArchiveMember):
        with source.open() as stream:
            stream.finish()
    else:
        check_gzip_intact(source)


def source_header(source: Path | ArchiveMember) -> Header:
    """Column names and delimiter of a file (:func:`helpers.official.formats.read_header`) or of a
    member, by the same rules and after the same bounded read."""
    if not isinstance(source, ArchiveMember):
        return read_header(source)
    if source.info().file_size == 0:
        raise DataError(shown(source), Problem("file is empty"))
    with text_input(source) as fh:
        first = fh.readline(HEADER_LIMIT).rstrip("\r\n")
    return parse_header(first, shown(source))
