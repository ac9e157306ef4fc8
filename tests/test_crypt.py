"""Encrypted at rest (issue 18): no plaintext in the file, its -wal, its backups or its
dump; wrong secrets refused leaving every byte as it was; the recovery code; the
commands on an encrypted casebook."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook import backup, cipher, cli, encryption, keys
from casebook.db import open_casebook
from casebook.errors import CasebookError
from tests.cryptkit import (
    CANARY,
    PASSPHRASE,
    _cheap_kdf,  # noqa: F401  (autouse fixture)
    answer_prompts,
    encrypted_demo,
    plant_canary,
    raw_files,
)

NEW = "een heel ander wachtwoord"
SHIPPED = (keys.SCRYPT_N, keys.SCRYPT_R, keys.SCRYPT_P)  # before the tests' cheap ones


def test_the_plain_control_shows_the_canary(tmp_path, _demo_template):
    """The canary test can fail: in a plain casebook it is readable in the raw bytes."""
    path = tmp_path / "plain.sqlite3"
    shutil.copy(_demo_template, path)
    plant_canary(path)
    assert path.read_bytes().count(CANARY.encode()) > 100


def test_no_canary_in_the_file_its_wal_backups_or_dump(tmp_path, _demo_template):
    path, _code = encrypted_demo(_demo_template, tmp_path)
    canary = CANARY.encode()
    assert canary not in path.read_bytes()
    assert not Path(f"{path}-wal").exists()  # the plain original's is gone
    cb = open_casebook(path)
    try:
        from casebook.services import cases

        with cb.read() as s:  # the FTS5 trigram search works encrypted
            assert cases.count_cases(s, cases.CaseFilter(search=CANARY.lower())) > 0
        with cb.write() as s:  # a write while open: it sits in the -wal
            from casebook.services import settings

            settings.put(s, "municipality", f"Gemeente {CANARY}")
        wal = Path(f"{path}-wal")
        assert wal.stat().st_size > 0 and canary not in wal.read_bytes()
        daily = backup.ensure_daily_backup(path)
        manual = backup.manual_backup(path)
        out = tmp_path / "dump.json"
        from casebook.transfer import write_dump

        write_dump(cb, out)
    finally:
        cb.close()
    result = backup.restore(manual, path)
    for copy in (daily, manual, result.previous, path):
        assert copy.read_bytes()[:16] != cipher.SQLITE_MAGIC
        assert canary not in copy.read_bytes()
        assert keys.sidecar_path(copy).is_file()
    dumped = out.read_bytes()
    assert canary not in dumped and json.loads(dumped)["format"] == encryption.DUMP_FORMAT
    for f in tmp_path.rglob("*"):
        if f.is_file():
            assert canary not in f.read_bytes(), f.name
    # and what is encrypted is all there: the dump opens with the key, canary inside
    from casebook.transfer import read_file

    cipher.forget_all()
    with pytest.raises(cipher.Locked) as locked:
        read_file(out)
    locked.value.unlock(PASSPHRASE)
    assert CANARY in json.dumps(read_file(out))


def test_a_wrong_passphrase_or_recovery_code_changes_no_byte(tmp_path, _demo_template):
    path, code = encrypted_demo(_demo_template, tmp_path)
    cipher.forget_all()
    before = raw_files(tmp_path)
    with pytest.raises(keys.WrongSecret):
        cipher.unlock_with_passphrase(path, "paardenbloem in de zon")
    with pytest.raises(cipher.Locked):
        open_casebook(path)
    wrong_code = keys.new_recovery_code()
    with pytest.raises(keys.WrongSecret) as wrong:
        encryption.recover(path, wrong_code, NEW)
    assert wrong.value.key == "crypt.wrong_recovery"
    typo = code[:-1] + ("1" if code[-1] != "1" else "2")
    with pytest.raises(keys.WrongSecret) as shape:
        encryption.recover(path, typo, NEW)
    assert shape.value.key == "crypt.recovery_group" and shape.value.params == {"group": 8}
    with pytest.raises(keys.WrongSecret):
        encryption.change_passphrase(path, "niet het wachtwoord", NEW)
    assert raw_files(tmp_path) == before


def test_the_commands_refuse_wrong_secrets_and_change_nothing(
    tmp_path, _demo_template, monkeypatch, capsys
):
    path, _code = encrypted_demo(_demo_template, tmp_path)
    cipher.forget_all()
    before = raw_files(tmp_path)
    db = ["--db", str(path)]
    asked = answer_prompts(monkeypatch, *["fout wachtwoord"] * 5)
    assert cli.main(["check", *db]) == 1 and len(asked) == 5  # five tries, then stop
    answer_prompts(monkeypatch, *[keys.new_recovery_code()] * 5)
    assert cli.main(["recover", *db]) == 1
    answer_prompts(monkeypatch, *["fout wachtwoord"] * 5)
    assert cli.main(["passphrase", *db]) == 1
    err = capsys.readouterr().err
    assert "opent dit casebook niet" in err and "herstelcode opent" in err
    assert raw_files(tmp_path) == before
    assert cipher.is_locked(path)


def test_the_recovery_code_opens_it_and_sets_a_new_passphrase(tmp_path, _demo_template):
    path, code = encrypted_demo(_demo_template, tmp_path)
    daily = backup.ensure_daily_backup(path)
    data = path.read_bytes()
    cipher.forget_all()
    spaced = code.replace("-", " ")  # typed with spaces instead of dashes
    assert encryption.recover(path, spaced, NEW) == 1  # the backup's key file too
    assert path.read_bytes() == data  # the key was rewrapped, the file not rewritten
    cipher.forget_all()
    with pytest.raises(keys.WrongSecret):
        cipher.unlock_with_passphrase(path, PASSPHRASE)
    cipher.unlock_with_passphrase(path, NEW)
    open_casebook(path).close()
    cipher.forget_all()
    cipher.unlock_with_passphrase(daily, NEW)
    assert backup.quick_check(daily)


def test_changing_the_passphrase_rewraps_only(tmp_path, _demo_template):
    path, code = encrypted_demo(_demo_template, tmp_path)
    data, side = path.read_bytes(), keys.sidecar_path(path).read_bytes()
    encryption.change_passphrase(path, PASSPHRASE, NEW)
    assert path.read_bytes() == data and keys.sidecar_path(path).read_bytes() != side
    cipher.forget_all()
    cipher.unlock_with_passphrase(path, NEW)
    cipher.forget_all()
    cipher.key_file(path).open_with_recovery(code)  # the recovery code still opens it


def test_encrypt_in_place_keeps_every_row_and_passes_check(tmp_path, _demo_template):
    path = tmp_path / "casebook.sqlite3"
    shutil.copy(_demo_template, path)
    old = backup.manual_backup(path)  # a plain backup made before
    result = encryption.encrypt_in_place(path, PASSPHRASE)
    assert result.plain_copies == [old]
    from casebook import integrity

    assert not integrity.check_file(path).problems
    encryption.encrypt_copy(path, old)
    assert encryption.plain_copies(path) == []
    assert old.read_bytes()[:16] != cipher.SQLITE_MAGIC and backup.quick_check(old)
    cb = open_casebook(path)
    try:
        from casebook.services import cases

        with cb.read() as s:
            assert cases.count_cases(s) == 150
    finally:
        cb.close()
    with pytest.raises(CasebookError):
        encryption.encrypt_in_place(path, PASSPHRASE)  # already encrypted


def test_a_new_casebook_made_encrypted(tmp_path):
    path = tmp_path / "sub" / "nieuw.sqlite3"
    code = encryption.create_encrypted(path, PASSPHRASE)
    keys.normalise_recovery_code(code)
    open_casebook(path).close()
    assert path.read_bytes()[:16] != cipher.SQLITE_MAGIC
    with pytest.raises(CasebookError):
        encryption.create_encrypted(tmp_path / "kort.sqlite3", "kort")


def test_the_commands_on_an_encrypted_casebook(tmp_path, _demo_template, monkeypatch, capsys):
    path, _code = encrypted_demo(_demo_template, tmp_path)
    cipher.forget_all()
    db = ["--db", str(path)]

    def run(*argv: str, answers: int = 1) -> int:
        cipher.forget_all()
        asked = answer_prompts(monkeypatch, *[PASSPHRASE] * answers)
        code = cli.main([*argv, *db])
        assert len(asked) >= 1, argv  # it asked, masked
        return code

    assert run("check") == 0
    assert run("stats", "2026") == 0
    assert run("backup") == 0
    assert run("purge") == 0
    assert run("purge", "--apply", "--yes") == 0
    assert run("access", "2026-0001", "--person", "1", "--out", str(tmp_path / "a.md")) == 0
    assert run("erase", "2026-0001", "--person", "1", "--apply", "--yes") == 0
    assert run("dump", "--out", str(tmp_path / "d.json")) == 0
    assert run("dump", "--plain", "--out", str(tmp_path / "plain.json")) == 0
    err = capsys.readouterr().err
    assert "ONVERSLEUTELD" in err
    assert CANARY.encode() in (tmp_path / "plain.json").read_bytes()
    (tmp_path / "plain.json").unlink()
    assert CANARY.encode() not in (tmp_path / "d.json").read_bytes()
    backups = backup.list_backups(path)
    assert backups and run("restore", str(backups[0])) == 0
    # import the encrypted dump into a new encrypted casebook (asks both passphrases)
    other = tmp_path / "other.sqlite3"
    encryption.create_encrypted(other, NEW)
    cipher.forget_all()
    answer_prompts(monkeypatch, PASSPHRASE, NEW)  # the dump first, then the casebook
    assert cli.main(["import", str(tmp_path / "d.json"), "--db", str(other)]) == 0
    assert CANARY.encode() not in other.read_bytes()
    # the statistics stay plain: they are meant to be read
    out = tmp_path / "stats.md"
    assert run("stats", "2026", "--out", str(out)) == 0
    assert out.read_text(encoding="utf-8").startswith("#")


def test_the_passphrase_never_comes_from_arguments_or_the_environment(
    tmp_path, _demo_template, monkeypatch
):
    path, _code = encrypted_demo(_demo_template, tmp_path)
    cipher.forget_all()
    for name in ("CASEBOOK_PASSPHRASE", "CASEBOOK_KEY", "PASSPHRASE"):
        monkeypatch.setenv(name, PASSPHRASE)
    parser = cli.build_parser(["check"])
    text = parser.format_help() + "".join(
        sub.format_help() for sub in parser._subparsers._group_actions[0].choices.values()
    )
    assert "passphrase=" not in text.lower() and "--passphrase" not in text
    # without a terminal to ask on it refuses, and nothing is read from the environment
    with open(os.devnull) as nothing:
        monkeypatch.setattr("sys.stdin", nothing)
        assert cli.main(["check", "--db", str(path)]) == 1
    assert cipher.is_locked(path)


def test_a_crash_report_never_holds_the_passphrase(tmp_path, _demo_template):
    from casebook.safety import crash_report

    path, _code = encrypted_demo(_demo_template, tmp_path)
    passphrase = PASSPHRASE
    try:
        cipher.key_file(path).open_with_passphrase(passphrase + "!")
    except keys.WrongSecret as exc:
        report = crash_report(exc)
    assert "Traceback" in report and passphrase not in report and "regen" not in report
    assert "Traceback" in report
    try:
        keys.unwrap({"kdf": "scrypt"}, passphrase, "id", "passphrase")
    except CasebookError as exc:
        assert passphrase not in crash_report(exc) and passphrase not in str(exc)


def test_the_recovery_code_catches_a_typo_per_group():
    code = keys.new_recovery_code()
    groups = code.split("-")
    assert len(groups) == 8 and all(len(g) == 6 and int(g) % 11 == 0 for g in groups)
    assert keys.normalise_recovery_code(" ".join(groups)) == code
    with pytest.raises(keys.WrongSecret):
        keys.normalise_recovery_code(code[:-6])


def test_the_real_kdf_parameters(monkeypatch):
    """The parameters casebook ships with (not the tests' cheap ones) open what they wrap."""
    assert SHIPPED == (2**15, 8, 6)  # 32 MiB, ~0.5 s (see casebook/keys.py)
    monkeypatch.setattr(keys, "SCRYPT_N", SHIPPED[0])
    monkeypatch.setattr(keys, "SCRYPT_P", SHIPPED[2])
    key_file, unlocked, code = keys.new_key_file(PASSPHRASE)
    entry = key_file.wraps["passphrase"]
    assert (entry["n"], entry["r"], entry["p"]) == SHIPPED
    assert key_file.open_with_passphrase(PASSPHRASE).key == unlocked.key
    assert key_file.open_with_recovery(code).key == unlocked.key


@pytest.mark.parametrize("n, r", [(2**22, 32), (2**21, 8), (2**20, 16)])
def test_a_key_file_asking_for_gigabytes_of_scrypt_is_refused_as_damaged(n, r):
    """A tampered key file cannot make the unlock allocate more than MAX_SCRYPT_MEMORY."""
    key_file, _, _ = keys.new_key_file(PASSPHRASE)
    entry = dict(key_file.wraps["passphrase"], n=n, r=r)
    with pytest.raises(CasebookError) as raised:
        keys.unwrap(entry, PASSPHRASE, key_file.key_id, "passphrase")
    assert not isinstance(raised.value, keys.WrongSecret)


@given(st.text(max_size=80))
def test_any_typed_recovery_code_is_refused_or_read_as_one_code(text):
    try:
        code = keys.normalise_recovery_code(text)
    except keys.WrongSecret as exc:
        assert exc.key in ("crypt.recovery_shape", "crypt.recovery_group")
        return
    groups = code.split("-")
    assert len(groups) == 8 and all(int(g) % 11 == 0 for g in groups)


@settings(max_examples=20, deadline=None)
@given(st.text(min_size=10, max_size=30))
def test_a_passphrase_opens_however_its_letters_are_composed(passphrase):
    import unicodedata

    key_file, unlocked, _code = keys.new_key_file(passphrase)
    for form in ("NFC", "NFD"):
        typed = unicodedata.normalize(form, passphrase)
        assert key_file.open_with_passphrase(typed).key == unlocked.key
