"""Settings resolution: precedence, the key's sources, and keeping the key private."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from lemlist_inbox.config import ConfigError, Settings, load_settings, remember_user_id, write_config

KEY = "sk-test-0123456789abcdef"


def test_environment_key_and_defaults(tmp_path: Path) -> None:
    settings = load_settings(env={"LEMLIST_API_KEY": KEY}, path=tmp_path / "none.toml")
    assert settings.api_key == KEY
    assert settings.base_url == "https://api.lemlist.com/api"
    assert settings.refresh_interval == 60.0
    assert settings.mark_read_on_open is True


def test_flag_beats_env_beats_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    write_config(path, {"api_key": KEY, "user_id": "usr_file", "base_url": "http://file/api"})
    env = {"LEMLIST_USER_ID": "usr_env", "LEMLIST_BASE_URL": "http://env/api/"}
    settings = load_settings(env=env, path=path)
    assert (settings.user_id, settings.base_url) == ("usr_env", "http://env/api")
    settings = load_settings(env=env, path=path, user_id="usr_flag", base_url="http://flag/api")
    assert (settings.user_id, settings.base_url) == ("usr_flag", "http://flag/api")
    assert load_settings(env={}, path=path).user_id == "usr_file"


def test_missing_key_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="LEMLIST_API_KEY"):
        load_settings(env={}, path=tmp_path / "none.toml")


def test_demo_needs_no_key(tmp_path: Path) -> None:
    assert load_settings(env={}, path=tmp_path / "none.toml", need_key=False).api_key is None


def test_key_command_output_is_used(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    write_config(path, {"api_key_command": f"printf '{KEY}\\nsecond line'"})
    assert load_settings(env={}, path=path).api_key == KEY


def test_failing_key_command_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    write_config(path, {"api_key_command": "false"})
    with pytest.raises(ConfigError, match="exit status 1"):
        load_settings(env={}, path=path)


def test_config_file_is_created_private(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "c.toml"
    write_config(path, {"api_key": KEY})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_settings(env={}, path=path).warnings == []


def test_world_readable_key_file_is_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    write_config(path, {"api_key": KEY})
    os.chmod(path, 0o644)
    settings = load_settings(env={}, path=path)
    assert any("chmod 600" in w for w in settings.warnings)
    assert all(KEY not in w for w in settings.warnings)


def test_repr_never_shows_the_key(tmp_path: Path) -> None:
    settings = load_settings(env={"LEMLIST_API_KEY": KEY}, path=tmp_path / "none.toml")
    assert KEY not in repr(settings) and KEY not in str(settings)


def test_remember_user_id_keeps_other_values(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    write_config(path, {"refresh_interval": 5})
    settings = Settings(config_path=path)
    remember_user_id(settings, "usr_picked")
    reloaded = load_settings(env={"LEMLIST_API_KEY": KEY}, path=path)
    assert (reloaded.user_id, reloaded.refresh_interval) == ("usr_picked", 5.0)


def test_bad_number_in_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('refresh_interval = "soon"\n')
    with pytest.raises(ConfigError, match="refresh_interval"):
        load_settings(env={"LEMLIST_API_KEY": KEY}, path=path)


def test_broken_toml_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("this is = = not toml")
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings(env={"LEMLIST_API_KEY": KEY}, path=path)
