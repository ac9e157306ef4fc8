"""Windows, tested here with the platform checks patched (no Windows machine to run
the suite on). The Windows-specific code paths:

- `casebook.dates`: `astimezone()` asks the C library, which on Windows refuses moments
  before 1970 -> `_system_local`/`_system_offset` raise; the stand-in year is used.
- `casebook.paths.restrict`: no chmod on Windows; `paths.protection` says what protects
  a file there instead of "readable by you only" (`casebook access`).
- `casebook.paths.synced_service` / `on_network` / `location_warning`: OneDrive (its
  folder names and the OneDrive* environment variables), Dropbox, iCloud, UNC paths,
  mapped network drives through `GetDriveTypeW` (ctypes, only on Windows).
- `casebook.db.readonly_uri` and `check_writable`: no POSIX permission checks on
  Windows (os.name == "nt"); `readonly_uri` gives file:///C:/... from `as_uri()`.
- `casebook.terminal`: Git Bash's mintty gives no terminal (isatty False): refused with
  a pointer to winpty; a redirected console's code page gets plain letters.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from casebook import dates, paths
from casebook.cli import main
from casebook.i18n import t

POSIX = os.name != "nt"


# -- dates before 1970 -------------------------------------------------------------


@pytest.fixture
def amsterdam(monkeypatch):
    if not POSIX:
        pytest.skip("TZ and tzset are POSIX")
    monkeypatch.setenv("TZ", "Europe/Amsterdam")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def windows_clock(monkeypatch, amsterdam):
    """The C library as on Windows: no local time for a moment before 1970."""
    calls = []
    real_local, real_offset = dates._system_local, dates._system_offset

    def local(value):
        if value.astimezone(UTC).year < 1970:
            calls.append(value)
            raise OSError(22, "Invalid argument")
        return real_local(value)

    def offset(naive):
        if naive.year < 1970:
            calls.append(naive)
            raise OSError(22, "Invalid argument")
        return real_offset(naive)

    monkeypatch.setattr(dates, "_system_local", local)
    monkeypatch.setattr(dates, "_system_offset", offset)
    return calls


@pytest.mark.parametrize(
    ("moment", "hours"),
    [
        (datetime(1965, 7, 1, 12, 0, tzinfo=UTC), 2),  # summer (the zone's present rules)
        (datetime(1965, 1, 15, 12, 0, tzinfo=UTC), 1),
        (datetime(1900, 1, 1, 0, 30, tzinfo=UTC), 1),
        (datetime(1904, 2, 29, 23, 30, tzinfo=UTC), 1),
        (datetime(1969, 12, 31, 23, 30, tzinfo=UTC), 1),  # into 1970 local time
    ],
)
def test_before_1970_on_windows_gives_a_time(windows_clock, moment, hours):
    local = dates.to_local(moment)
    assert windows_clock  # the Windows refusal was met
    assert local.utcoffset() == timedelta(hours=hours)
    assert local == moment  # the same instant
    assert dates.format_datetime(moment)
    assert dates.format_date(moment)
    back = dates.local_to_utc(local.date(), local.hour, local.minute)
    assert back == moment.replace(second=0)


def test_local_to_utc_before_1970_on_windows(windows_clock):
    assert dates.local_to_utc(date(1965, 7, 1), 14, 0) == datetime(1965, 7, 1, 12, tzinfo=UTC)
    assert dates.local_to_utc(date(1950, 3, 1)) == datetime(1950, 2, 28, 23, tzinfo=UTC)
    assert windows_clock


def test_from_1970_the_system_answers(windows_clock):
    moment = datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert dates.to_local(moment).utcoffset() == timedelta(hours=2)
    assert dates.local_to_utc(date(2026, 1, 5), 9) == datetime(2026, 1, 5, 8, tzinfo=UTC)
    assert windows_clock == []


def test_stand_in_years_keep_the_calendar():
    for year in [*range(1900, 1971), 3000, 3100]:
        stand_in = dates._stand_in_year(year)
        assert 2000 <= stand_in < 2040
        for month in (1, 3, 10, 12):
            assert date(stand_in, month, 1).weekday() == date(year, month, 1).weekday()


# -- what protects a file -----------------------------------------------------------


def test_protection_is_said_per_platform(monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "_on_windows", lambda: False)
    assert paths.protection(tmp_path / "x.md") == t("paths.protection.posix")
    monkeypatch.setattr(paths, "_on_windows", lambda: True)
    said = paths.protection(tmp_path / "x.md")
    assert "readable by you only" not in said and "alleen voor u leesbaar" not in said
    assert str(tmp_path) in said


def test_restrict_leaves_windows_files_alone(monkeypatch, tmp_path):
    target = tmp_path / "x"
    target.write_text("x")
    target.chmod(0o644)
    monkeypatch.setattr(paths, "_on_windows", lambda: True)
    paths.restrict(target)
    assert target.stat().st_mode & 0o777 == 0o644 or not POSIX


def test_access_on_windows_does_not_claim_owner_only(monkeypatch, tmp_path, capsys, cb):
    from tests.safetykit import canary_case

    info = canary_case(cb, "w")
    cb.close()
    monkeypatch.setattr(paths, "_on_windows", lambda: True)
    out = tmp_path / "access.json"
    args = ["--db", str(cb.path), "access", info["reference"], "--person", "1", "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "alleen voor u leesbaar" not in printed
    assert t("paths.protection.windows", folder=str(out.parent)) in printed


# -- synced folders and network drives ------------------------------------------------

WINDOWS_SYNCED = [
    (r"C:\Users\amh\OneDrive\casebook\casebook.sqlite3", "OneDrive"),
    (r"C:\Users\amh\OneDrive - Gemeente Voorbeeldstad\cb.sqlite3", "OneDrive"),
    (r"C:\Users\amh\Dropbox (Gemeente)\cb.sqlite3", "Dropbox"),
    (r"C:\Users\amh\iCloudDrive\cb.sqlite3", "iCloud"),
    (r"G:\My Drive\cb.sqlite3", "Google Drive"),
    (r"C:\Users\amh\AppData\Local\casebook\casebook.sqlite3", None),
    (r"C:\Users\onedrivefan.txt", None),  # the file name itself does not count
]


@pytest.mark.parametrize(("path", "service"), WINDOWS_SYNCED)
def test_synced_folders_on_windows(monkeypatch, path, service):
    monkeypatch.setattr(paths, "_on_windows", lambda: True)
    for name in paths.ONEDRIVE_ENV:
        monkeypatch.delenv(name, raising=False)
    assert paths.synced_service(path) == service


def test_onedrive_moved_elsewhere_is_found_by_its_variable(monkeypatch):
    monkeypatch.setattr(paths, "_on_windows", lambda: True)
    monkeypatch.setenv("OneDriveCommercial", r"D:\Werk\Sync")
    assert paths.synced_service(r"D:\Werk\Sync\casebook\cb.sqlite3") == "OneDrive"
    assert paths.synced_service(r"D:\Werk\Lokaal\cb.sqlite3") is None


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/Users/amh/Library/Mobile Documents/com~apple~CloudDocs/cb.sqlite3", "iCloud"),
        ("/Users/amh/Dropbox/cb.sqlite3", "Dropbox"),
        ("/home/amh/Nextcloud/cb.sqlite3", "Nextcloud"),
        ("/home/amh/.local/share/casebook/casebook.sqlite3", None),
    ],
)
def test_synced_folders_on_posix(monkeypatch, path, service):
    monkeypatch.setattr(paths, "_on_windows", lambda: False)
    assert paths.synced_service(path) == service


def test_network_drives_on_windows(monkeypatch):
    monkeypatch.setattr(paths, "_on_windows", lambda: True)
    asked = []

    def drive_type(root):
        asked.append(root)
        return {"Z:\\": paths.DRIVE_REMOTE}.get(root, 3)  # 3: DRIVE_FIXED

    monkeypatch.setattr(paths, "_windows_drive_type", drive_type)
    assert paths.on_network(r"\\fileserver\afdeling\casebook\cb.sqlite3")
    assert paths.on_network(r"Z:\casebook\cb.sqlite3")
    assert not paths.on_network(r"C:\Users\amh\AppData\Local\casebook\cb.sqlite3")
    assert asked == ["Z:\\", "C:\\"]  # UNC needs no question


def test_ctypes_is_asked_only_on_windows(monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "_on_windows", lambda: False)

    def never(root):  # pragma: no cover - reaching it is the failure
        raise AssertionError("GetDriveTypeW called off Windows")

    monkeypatch.setattr(paths, "_windows_drive_type", never)
    monkeypatch.setattr(paths, "_linux_mounts", lambda: "")
    assert not paths.on_network(tmp_path / "cb.sqlite3")


def test_network_mounts_on_linux(monkeypatch):
    if not paths.sys.platform.startswith("linux"):
        pytest.skip("Linux mount table")
    monkeypatch.setattr(paths, "_on_windows", lambda: False)
    mounts = (
        "/dev/sda1 / ext4 rw 0 0\n"
        "fs:/export/amh /mnt/h\\040schijf nfs4 rw 0 0\n"
        "//srv/share /mnt/share cifs rw 0 0\n"
    )
    monkeypatch.setattr(paths, "_linux_mounts", lambda: mounts)
    assert paths.on_network("/mnt/h schijf/cb.sqlite3")
    assert paths.on_network("/mnt/share/x/cb.sqlite3")
    assert not paths.on_network("/mnt/hschijf/cb.sqlite3")
    assert not paths.on_network("/home/amh/cb.sqlite3")


def test_the_warning_reaches_the_officer(monkeypatch, tmp_path, capsys):
    import screens.app
    from casebook import terminal

    made = []

    class FakeApp:
        def __init__(self, casebook, *, demo=False, warnings=None):
            made.append(warnings)
            self.return_code = 0

        def run(self):
            pass

    monkeypatch.setattr(screens.app, "CasebookApp", FakeApp)
    monkeypatch.setattr(terminal, "missing_terminal", lambda: None)
    folder = tmp_path / "OneDrive - Gemeente"
    folder.mkdir()
    db = folder / "cb.sqlite3"
    assert main(["--db", str(db), "--create"]) == 0
    expected = t("paths.warn.synced", path=str(db), service="OneDrive")
    assert made[-1][0] == expected
    capsys.readouterr()
    assert main(["--db", str(db), "purge"]) == 0  # a command says it on stderr
    assert expected in capsys.readouterr().err


def test_a_local_folder_gets_no_warning(monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "_linux_mounts", lambda: "")
    assert paths.location_warning(tmp_path / "cb.sqlite3") is None


def test_readonly_uri_on_a_windows_path():
    from pathlib import PureWindowsPath

    uri = PureWindowsPath(r"C:\Users\a b\#1\cb.sqlite3").as_uri()
    assert uri == "file:///C:/Users/a%20b/%231/cb.sqlite3"
    assert Path  # the POSIX form is tested in test_manners_paths
