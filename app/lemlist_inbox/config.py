"""Settings: environment, then the TOML config file, then built-in defaults.

The API key never comes from a command-line flag (it would show in the process list):
it comes from ``LEMLIST_API_KEY``, from ``api_key`` in the config file, or from the
output of ``api_key_command`` (as aerc and neomutt do with password managers).
A config file that holds a key and is readable by others is warned about.
"""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from lemlist_inbox.api.defaults import DEFAULT_BASE_URL

APP_NAME = "lemlist-inbox"
CONFIG_FILE_NAME = "config.toml"


class ConfigError(Exception):
    """The configuration cannot be used; the message says what to fix."""


@dataclass
class Settings:
    """Everything the CLI and the TUI need to know, resolved once at start-up."""

    api_key: str | None = None
    base_url: str = DEFAULT_BASE_URL
    user_id: str | None = None
    refresh_interval: float = 60.0
    mark_read_on_open: bool = True
    page_size: int = 100
    theme: str | None = None
    config_path: Path | None = None
    #: Problems worth telling the user about that do not stop the program.
    warnings: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # never print the key, even in a debugger or a log line
        key = "set" if self.api_key else "unset"
        return (
            f"Settings(api_key=<{key}>, base_url={self.base_url!r}, user_id={self.user_id!r}, "
            f"refresh_interval={self.refresh_interval!r}, mark_read_on_open={self.mark_read_on_open!r})"
        )


def default_config_path() -> Path:
    """``$LEMLIST_INBOX_CONFIG`` or the platform's config dir (``~/.config/lemlist-inbox/config.toml``)."""
    override = os.environ.get("LEMLIST_INBOX_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / CONFIG_FILE_NAME


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None


def _readable_by_others(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRGRP | stat.S_IROTH))


def _run_key_command(command: str) -> str:
    """Run ``api_key_command`` without a shell and return its first output line."""
    try:
        result = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=30, check=False)
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"api_key_command could not run: {exc.__class__.__name__}") from None
    if result.returncode != 0:
        raise ConfigError(f"api_key_command failed with exit code {result.returncode}")
    key = result.stdout.strip().splitlines()[0].strip() if result.stdout.strip() else ""
    if not key:
        raise ConfigError("api_key_command printed nothing")
    return key


def _float(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"config: {name} must be a number, not {value!r}") from None
    if number < 0:
        raise ConfigError(f"config: {name} must be 0 or more")
    return number


def load_settings(
    *,
    env: Mapping[str, str] | None = None,
    path: Path | None = None,
    base_url: str | None = None,
    user_id: str | None = None,
    need_key: bool = True,
    run_command: Callable[[str], str] = _run_key_command,
) -> Settings:
    """Resolve settings: command-line values win, then the environment, then the file.

    ``need_key=False`` (the demo) skips reading a key at all, so a broken password
    command cannot stop a user from trying the product.
    """
    env = os.environ if env is None else env
    path = path or default_config_path()
    data = _read_file(path)
    settings = Settings(config_path=path)

    settings.base_url = (
        base_url or env.get("LEMLIST_BASE_URL") or str(data.get("base_url") or "") or DEFAULT_BASE_URL
    ).rstrip("/")
    file_user = str(data["user_id"]) if data.get("user_id") else None
    settings.user_id = user_id or env.get("LEMLIST_USER_ID") or file_user
    if "refresh_interval" in data:
        settings.refresh_interval = _float(data["refresh_interval"], "refresh_interval")
    if "mark_read_on_open" in data:
        settings.mark_read_on_open = bool(data["mark_read_on_open"])
    if "page_size" in data:
        size = int(_float(data["page_size"], "page_size"))
        settings.page_size = min(max(size, 1), 100)
    if data.get("theme"):
        settings.theme = str(data["theme"])

    if not need_key:
        return settings
    if env.get("LEMLIST_API_KEY"):
        settings.api_key = env["LEMLIST_API_KEY"].strip()
    elif data.get("api_key"):
        settings.api_key = str(data["api_key"]).strip()
        if _readable_by_others(path):
            settings.warnings.append(
                f"{path} holds an API key and is readable by other users; run: chmod 600 {path}"
            )
    elif data.get("api_key_command"):
        settings.api_key = run_command(str(data["api_key_command"]))
    if not settings.api_key:
        raise ConfigError(
            "no API key: set LEMLIST_API_KEY, or api_key / api_key_command in "
            f"{path} (or try the product with --demo)"
        )
    return settings


def write_config(path: Path, values: Mapping[str, Any]) -> None:
    """Merge ``values`` into the config file, created 0600 so a key in it stays private."""
    data = _read_file(path)
    data.update(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        tomli_w.dump(data, handle)
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def remember_user_id(settings: Settings, user_id: str) -> None:
    """Store the chosen viewing user so the picker is not shown again."""
    settings.user_id = user_id
    if settings.config_path is not None:
        write_config(settings.config_path, {"user_id": user_id})
