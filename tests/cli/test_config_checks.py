"""Config values are checked: a wrong type is an error naming the setting, never truthy."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from cli_runner import run_cli
from lemlist_inbox.config import ConfigError, Settings, load_settings, remember_user_id, write_config

KEY = "sk-test-config-checks-77aa"


def _load(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(env={"LEMLIST_API_KEY": KEY}, path=path)


@pytest.mark.parametrize(
    ("line", "name", "expected"),
    [
        ('mark_read_on_open = "false"', "mark_read_on_open", "true or false"),
        ("mark_read_on_open = 0", "mark_read_on_open", "true or false"),
        ("page_size = inf", "page_size", "whole number from 1 to 100"),
        ("page_size = nan", "page_size", "whole number from 1 to 100"),
        ("page_size = 0", "page_size", "whole number from 1 to 100"),
        ("page_size = 1000000", "page_size", "whole number from 1 to 100"),
        ("page_size = 2.5", "page_size", "whole number from 1 to 100"),
        ("page_size = true", "page_size", "whole number from 1 to 100"),
        ("refresh_interval = -1", "refresh_interval", "0 for off"),
        ("refresh_interval = inf", "refresh_interval", "0 for off"),
        ("refresh_interval = 0.001", "refresh_interval", "0 for off"),
        ('refresh_interval = "60"', "refresh_interval", "0 for off"),
        ("user_id = 5", "user_id", "string"),
        ('base_url = "notaurl"', "base_url", "URL"),
        ("theme = []", "theme", "string"),
        ('cache = "no"', "cache", "true or false"),
        ("cache = 0", "cache", "true or false"),
        ("reconcile_interval = 30", "reconcile_interval", "seconds from 60 to 604800, or 0 for never"),
        ("reconcile_interval = -1", "reconcile_interval", "0 for never"),
        ("reconcile_interval = inf", "reconcile_interval", "0 for never"),
        ("reconcile_interval = 1e9", "reconcile_interval", "0 for never"),
        ('reconcile_interval = "30m"', "reconcile_interval", "0 for never"),
        ("prefetch_threads = -1", "prefetch_threads", "whole number from 0 (none) to 10000"),
        ("prefetch_threads = 1e6", "prefetch_threads", "whole number from 0 (none) to 10000"),
        ("prefetch_threads = 20000", "prefetch_threads", "whole number from 0 (none) to 10000"),
        ('prefetch_threads = "200"', "prefetch_threads", "whole number"),
        ("prefetch_threads = true", "prefetch_threads", "whole number"),
        ("download_max_mb = 0", "download_max_mb", "megabytes above 0"),
        ("download_max_mb = -5", "download_max_mb", "megabytes above 0"),
        ("download_max_mb = inf", "download_max_mb", "megabytes above 0"),
        ('download_max_mb = "50"', "download_max_mb", "megabytes above 0"),
        ("download_max_mb = true", "download_max_mb", "megabytes above 0"),
        ("download_dir = 5", "download_dir", "string"),
        ('download_dir = ""', "download_dir", "non-empty"),
    ],
)
def test_setting_of_the_wrong_type_is_an_error_naming_it(
    tmp_path: Path, line: str, name: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, line + "\n")
    assert name in str(caught.value) and expected in str(caught.value)


def test_setting_of_the_wrong_type_exits_2_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('mark_read_on_open = "false"\n', encoding="utf-8")
    result = run_cli("users", env={"LEMLIST_INBOX_CONFIG": str(path), "LEMLIST_API_KEY": KEY})
    assert result.returncode == 2
    assert "mark_read_on_open must be true or false" in result.stderr and "Traceback" not in result.stderr


def test_good_values_are_taken(tmp_path: Path) -> None:
    settings = _load(tmp_path, "mark_read_on_open = false\npage_size = 50\nrefresh_interval = 0\n")
    assert (settings.mark_read_on_open, settings.page_size, settings.refresh_interval) == (False, 50, 0.0)


def test_store_settings_default_and_are_taken(tmp_path: Path) -> None:
    from lemlist_inbox.inbox.local import DEFAULT_RECONCILE_INTERVAL

    defaults = _load(tmp_path, "")
    assert (defaults.cache, defaults.reconcile_interval) == (True, 1800.0)
    assert defaults.reconcile_interval == DEFAULT_RECONCILE_INTERVAL  # one default, two layers
    settings = _load(tmp_path, "cache = false\nreconcile_interval = 600\n")
    assert (settings.cache, settings.reconcile_interval) == (False, 600.0)
    assert _load(tmp_path, "reconcile_interval = 0\n").reconcile_interval == 0.0


def test_data_dir_is_the_platform_one_unless_overridden(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from lemlist_inbox.inbox.local import default_data_dir

    monkeypatch.delenv("LEMLIST_INBOX_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "lemlist-inbox"
    monkeypatch.setenv("LEMLIST_INBOX_DATA", str(tmp_path / "mine"))
    assert default_data_dir() == tmp_path / "mine"


def test_unknown_setting_is_a_warning_naming_the_nearest_known_one(tmp_path: Path) -> None:
    settings = _load(tmp_path, "mark_read_on_opn = false\n")
    assert settings.mark_read_on_open is True
    assert any(
        "'mark_read_on_opn'" in w and "did you mean 'mark_read_on_open'" in w for w in settings.warnings
    )
    path = tmp_path / "c.toml"
    result = run_cli(
        "--base-url",
        "http://127.0.0.1:9/api",
        "--user-id",
        "u",
        "users",
        env={"LEMLIST_INBOX_CONFIG": str(path), "LEMLIST_API_KEY": KEY},
    )
    assert "warning:" in result.stderr and "did you mean 'mark_read_on_open'" in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "notaurl",
        "ftp://api.lemlist.com/api",
        "file:///etc/passwd",
        "https://",
        "http://bad host/api",
        "http://exa_mple.com/api",
        "http://-bad.example/api",
        "http://127.0.0.1:99999/api",
        "http://127.0.0.1:abc/api",
        "http://127.0.0.1:0/api",
        "https://user:pw@api.lemlist.com/api",
    ],
)
def test_bad_base_url_is_a_usage_error(tmp_path: Path, url: str) -> None:
    env = {"LEMLIST_INBOX_CONFIG": str(tmp_path / "c.toml"), "LEMLIST_API_KEY": KEY}
    result = run_cli("--base-url", url, "users", env=env)
    assert result.returncode == 2, result.stderr
    assert ("Traceback" not in result.stderr and "base URL" in result.stderr) or "base-url" in result.stderr
    from_env = run_cli("users", env=env | {"LEMLIST_BASE_URL": url})
    assert from_env.returncode == 2, from_env.stderr


def test_plain_http_base_url_that_is_not_loopback_is_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "none.toml"
    remote = load_settings(env={"LEMLIST_API_KEY": KEY}, path=path, base_url="http://lemlist.example/api")
    assert any("in clear" in w for w in remote.warnings)
    for url in (
        "http://127.0.0.1:8080/api",
        "http://localhost:1/api",
        "http://[::1]:1/api",
        "https://x.example/api",
    ):
        settings = load_settings(env={"LEMLIST_API_KEY": KEY}, path=path, base_url=url)
        assert not any("in clear" in w for w in settings.warnings), url


# ---------------------------------------------------------------- api_key_command


def _key_file(tmp_path: Path, command: str) -> Path:
    path = tmp_path / "c.toml"
    write_config(path, {"api_key_command": command})
    return path


def test_api_key_command_runs_through_the_shell(tmp_path: Path) -> None:
    path = _key_file(tmp_path, "printf 'secret-from-pipe\\nsecond\\n' | tr a-z A-Z | head -1")
    assert load_settings(env={}, path=path).api_key == "SECRET-FROM-PIPE"


def test_api_key_command_failure_names_the_command_status_and_stderr(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("half-a-key-1234\n")
    command = f"echo 'gpg: decryption failed: No secret key' >&2; cat {tmp_path / 'key'}; exit 3"
    with pytest.raises(ConfigError) as caught:
        load_settings(env={}, path=_key_file(tmp_path, command))
    text = str(caught.value)
    assert f"api_key_command `{command}`" in text
    assert "exit status 3" in text and "gpg: decryption failed: No secret key" in text
    assert "half-a-key-1234" not in text


def test_api_key_command_stderr_is_redacted_and_cleaned(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("leaked-key-999\n")
    key = tmp_path / "key"
    path = _key_file(
        tmp_path, f"cat {key}; printf 'oops %s \\033]52;c;eA==\\007\\n' \"$(cat {key})\" >&2; exit 1"
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(env={}, path=path)
    text = str(caught.value)
    assert "leaked-key-999" not in text and "[redacted]" in text
    assert "\x1b" not in text and "\x07" not in text


def test_api_key_command_that_prints_nothing_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="printed nothing"):
        load_settings(env={}, path=_key_file(tmp_path, "true"))


def test_api_key_command_timeout_says_how_long_it_waited(tmp_path: Path) -> None:
    from lemlist_inbox.key_command import KeyCommandError, run_key_command

    started = time.monotonic()
    with pytest.raises(KeyCommandError, match=r"timed out: no key after 0\.5 s"):
        run_key_command("sleep 60 | cat", timeout=0.5)  # a grandchild holds the pipe
    assert time.monotonic() - started < 45, "it did not wait for the grandchild to finish"


def test_api_key_command_failure_exits_2_with_one_clear_message(tmp_path: Path) -> None:
    path = _key_file(tmp_path, "pass-that-does-not-exist show lemlist")
    result = run_cli("users", env={"LEMLIST_INBOX_CONFIG": str(path)})
    assert result.returncode == 2
    assert "pass-that-does-not-exist show lemlist" in result.stderr
    assert "exit status 127" in result.stderr and "not found" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- writing the file


def test_config_directory_is_created_0700(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "c.toml"
    old = os.umask(0o022)
    try:
        remember_user_id(Settings(config_path=path), "usr_x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_config_temp_file_is_never_written_through_a_symlink(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    for name in ("c.tmp", ".c.toml.tmp"):
        (tmp_path / name).symlink_to(victim)
    remember_user_id(Settings(config_path=path), "usr_x")
    assert victim.read_text() == "precious\n"
    assert load_settings(env={"LEMLIST_API_KEY": KEY}, path=path).user_id == "usr_x"


def test_config_temp_file_is_opened_exclusive_nofollow_0600(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, int]] = []
    real_open = os.open

    def spy(file: str | os.PathLike[str], flags: int, mode: int = 0o777, **kwargs: object) -> int:
        calls.append((flags, mode))
        return real_open(file, flags, mode)

    monkeypatch.setattr(os, "open", spy)
    write_config(tmp_path / "c.toml", {"user_id": "usr_x"})
    wanted = os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    assert any(flags & wanted == wanted and mode == 0o600 for flags, mode in calls), calls
    assert not list(tmp_path.glob("*.tmp")), "no temporary file is left behind"


def test_dotfiles_symlinked_config_keeps_its_symlink(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "lemlist.toml"
    real.parent.mkdir()
    real.write_text("page_size = 50\n")
    link = tmp_path / "c.toml"
    link.symlink_to(real)
    remember_user_id(Settings(config_path=link), "usr_x")
    assert link.is_symlink()
    assert 'user_id = "usr_x"' in real.read_text() and "page_size = 50" in real.read_text()


def test_prefetch_threads_defaults_to_200_and_0_turns_it_off(tmp_path: Path) -> None:
    assert _load(tmp_path, "").prefetch_threads == 200
    assert _load(tmp_path, "prefetch_threads = 0\n").prefetch_threads == 0
    assert _load(tmp_path, "prefetch_threads = 50\n").prefetch_threads == 50


def test_download_settings(tmp_path: Path) -> None:
    from lemlist_inbox.config import DEFAULT_DOWNLOAD_MAX_MB, download_folder

    default = _load(tmp_path, "")
    assert default.download_max_mb == DEFAULT_DOWNLOAD_MAX_MB == 50
    assert default.download_dir is None and download_folder(default).is_absolute()
    chosen = _load(tmp_path, 'download_dir = "~/inbox-files"\ndownload_max_mb = 2.5')
    assert chosen.download_dir == Path("~/inbox-files").expanduser()
    assert download_folder(chosen) == chosen.download_dir and chosen.download_max_mb == 2.5
