"""The casebook's mark in its own file header, and what it says about the files beside.

SQLite's write-ahead log (`<file>-wal`) carries no record of the database it belongs
to: a `-wal` copied from another casebook, or left from an older copy of this one, is
replayed into the file by the next read-write open, silently. And a casebook replaced
in place (`cp other.sqlite3 casebook.sqlite3`: same inode, new content) under a
running window goes unnoticed by a (device, inode) check.

So casebook marks every file it writes, in two fields of the database header (page 1,
which SQLite copies into every `-wal` frame that changes it):

- `application_id` (offset 68): a random, non-zero tag chosen once per casebook file
  (copies and backups of it keep it; another casebook has another one);
- `user_version` (offset 60): a generation, raised by one in every write transaction
  (`bump`), so that every transaction casebook commits puts page 1 into the `-wal`.

`wal_verdict(path)` then reads the headers (plain bytes, no SQLite open, nothing
written) and says whether the `-wal` beside the file fits it: same page size, frames
written by casebook (a page-1 frame in the committed part) with the file's tag, and a
generation range that continues the file's (the file's generation lies between the
first frame's minus one and the last frame's). A `-wal` from another casebook fails
on the tag; one older than the file (the file moved on after it was copied) or newer
than the file (an old copy put back beside a newer `-wal`) fails on the generations.

`Watch` keeps the tag and the highest generation seen on disk for an open casebook:
a file whose header shows another tag, or a generation lower than one already seen
(a checkpoint only ever moves it forward), is not the file that was opened.

Limits, said plainly: a file without a tag (made before this check, or by another
program) is not compared until casebook has written it once; two copies of one
casebook that were both changed after they parted (same tag, overlapping
generations) are not told apart; frames are recognised by their salts, not by their
checksums (a frame torn by a power cut in the last transaction is counted).
An encrypted file (no plain SQLite header) is not compared.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
WAL_MAGICS = (0x377F0682, 0x377F0683)
WAL_VERSION = 3007000
WAL_HEADER = 32
FRAME_HEADER = 24

FITS = "fits"  # no -wal, an empty one, or one that continues the file
FOREIGN = "foreign"  # from another casebook, or not written by casebook
STALE = "stale"  # from this casebook, but older or newer than the file


@dataclass(frozen=True)
class Header:
    page_size: int
    generation: int
    tag: int


def _header_fields(page: bytes) -> Header | None:
    if len(page) < 100 or page[:16] != SQLITE_MAGIC:
        return None
    (size,) = struct.unpack(">H", page[16:18])
    page_size = 65536 if size == 1 else size
    (generation,) = struct.unpack(">i", page[60:64])
    (tag,) = struct.unpack(">I", page[68:72])
    return Header(page_size, generation, tag)


def read_header(path: Path | str) -> Header | None:
    """The file's own header as it is on disk (not what the -wal would make of it);
    None when it cannot be read or is not a plain SQLite file.

    Read through SQLite (an immutable connection, which reads the file as it is and
    ignores the -wal), never with a plain open() and close(): closing any descriptor
    of a file drops every POSIX lock this process holds on it, SQLite's too, and
    another process would then take itself for the last user and delete the -wal and
    -shm under this one. SQLite keeps such descriptors open while its locks last."""
    import sqlite3

    path = Path(path)
    try:
        if path.stat().st_size < 100:
            return None
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except (OSError, sqlite3.Error):
        return None
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        generation = conn.execute("PRAGMA user_version").fetchone()[0]
        tag = conn.execute("PRAGMA application_id").fetchone()[0]
    except sqlite3.Error:
        return None  # not a plain SQLite file (encrypted, or not a database)
    finally:
        conn.close()
    return Header(page_size, generation, tag & 0xFFFFFFFF)


@dataclass(frozen=True)
class Verdict:
    kind: str  # FITS, FOREIGN or STALE
    reason: str = ""  # for developers and tests: which rule decided

    @property
    def fits(self) -> bool:
        return self.kind == FITS


def _committed_page_ones(wal: Path, page_size: int) -> tuple[bool, list[Header]] | None:
    """(any committed frame, the page-1 headers of the committed transactions, in
    order) from the -wal; None when its header is not a valid WAL header (SQLite
    ignores such a -wal: nothing would be replayed)."""
    try:
        fh = open(wal, "rb")  # noqa: SIM115 (closed by the with below)
    except OSError:
        return None
    with fh:
        head = fh.read(WAL_HEADER)
        if len(head) < WAL_HEADER:
            return None
        magic, version, wal_page, _seq, salt1, salt2 = struct.unpack(">6I", head[:24])
        if magic not in WAL_MAGICS or version != WAL_VERSION:
            return None
        if wal_page != page_size:
            return (True, [Header(wal_page, 0, 0)])  # the caller sees the size differ
        committed = False
        done: list[Header] = []
        pending: list[Header] = []
        while True:
            frame = fh.read(FRAME_HEADER)
            if len(frame) < FRAME_HEADER:
                break
            pgno, commit_size, s1, s2 = struct.unpack(">4I", frame[:16])
            if (s1, s2) != (salt1, salt2) or pgno == 0:
                break  # a frame of an earlier generation of the log: SQLite stops here
            if pgno == 1:
                fields = _header_fields(fh.read(100))
                fh.seek(page_size - 100, os.SEEK_CUR)
                if fields is None:
                    break
                pending.append(fields)
            else:
                fh.seek(page_size, os.SEEK_CUR)
            if commit_size:
                committed = True
                done.extend(pending)
                pending = []
        return committed, done


def wal_verdict(path: Path | str) -> Verdict:
    """Does the `-wal` beside the casebook at `path` belong to it? Reads headers only."""
    path = Path(path)
    wal = Path(f"{path}-wal")
    try:
        if wal.stat().st_size < WAL_HEADER:
            return Verdict(FITS, "no log")
    except OSError:
        return Verdict(FITS, "no log")
    base = read_header(path)
    if base is None:
        return Verdict(FITS, "no plain header")  # encrypted, or not ours to judge
    scanned = _committed_page_ones(wal, base.page_size)
    if scanned is None:
        return Verdict(FITS, "not a valid log: SQLite ignores it")
    committed, page_ones = scanned
    if not committed:
        return Verdict(FITS, "nothing committed in the log")
    if page_ones and page_ones[0].page_size != base.page_size:
        return Verdict(FOREIGN, "page size")
    if base.tag == 0:
        # made before the mark, or marked in this very log and not yet checkpointed
        # (the first open after an upgrade, killed): nothing to compare with
        return Verdict(FITS, "unmarked file")
    if not page_ones:
        return Verdict(FOREIGN, "not written by casebook")
    # (frames without a tag are the file before it got its mark, in this very log)
    if any(h.tag and h.tag != base.tag for h in page_ones):
        return Verdict(FOREIGN, "another casebook's tag")
    first, last = page_ones[0].generation, page_ones[-1].generation
    if base.generation > last:
        return Verdict(STALE, "older than the file")
    if base.generation < first - 1:
        return Verdict(STALE, "newer than the file")
    return Verdict(FITS, "continues the file")


def checked_wal_verdict(path: Path | str) -> Verdict:
    """`wal_verdict`, asked twice when it does not fit: another window may have moved
    the file and its log on between the two reads (a checkpoint, a restart of the
    log), which one reading can take for a log that does not fit."""
    verdict = wal_verdict(path)
    return verdict if verdict.fits else wal_verdict(path)


def bump(conn) -> None:
    """Raise the generation by one, inside the caller's write transaction (a stdlib
    sqlite3 connection): every committed transaction then carries page 1."""
    (current,) = conn.execute("PRAGMA user_version").fetchone()
    following = current + 1 if current < 2**31 - 1 else 1
    conn.execute(f"PRAGMA user_version = {int(following)}")


def new_tag() -> int:
    import secrets

    return secrets.randbelow(2**31 - 1) + 1  # non-zero, and positive as SQLite shows it


class Watch:
    """The mark of an open casebook as found on disk, to tell a file replaced in place
    from the one opened."""

    def __init__(self, path: Path):
        self.path = path
        header = read_header(path)
        self.tags: set[int] = {header.tag} if header else set()
        self.generation = header.generation if header else None

    def allow_tag(self, tag: int) -> None:
        self.tags.add(tag)

    def unchanged(self) -> bool:
        """False when the file on disk carries another casebook's tag, or a generation
        below one already seen there."""
        header = read_header(self.path)
        if header is None or not self.tags:
            return True  # nothing to compare (encrypted, unreadable: other checks say so)
        if header.tag not in self.tags:
            return False
        if self.generation is not None and header.generation < self.generation:
            return False
        self.generation = header.generation
        return True
