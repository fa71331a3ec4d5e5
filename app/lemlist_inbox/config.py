"""Settings: command-line flags, then the environment, then the TOML config file, then defaults.

The API key never comes from a command-line flag (it would show in the process list):
it comes from ``LEMLIST_API_KEY``, from ``api_key`` in the config file, or from the
output of ``api_key_command`` (as aerc and neomutt do with password managers).
A config file that holds a key and is readable by others is warned about.

Every setting the file may hold is declared once in ``SETTINGS`` with its checker, so
a value of the wrong type (``mark_read_on_open = "false"``, ``page_size = inf``) is an
error naming the setting and what it expects, never silently read as truthy, and an
unknown name gets a "did you mean" warning. Adding a setting is one line there plus a
field on ``Settings``.
"""

from __future__ import annotations

import difflib
import math
import os
import secrets
import stat
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from lemlist_inbox.api.defaults import DEFAULT_BASE_URL
from lemlist_inbox.base_url import BaseUrlError, check_base_url, cleartext_warning
from lemlist_inbox.key_command import KeyCommandError, run_key_command

APP_NAME = "lemlist-inbox"
CONFIG_FILE_NAME = "config.toml"
#: The most conversations lemlist returns per page.
MAX_PAGE_SIZE = 100
#: A day: a longer refresh interval is surely a unit mistake (milliseconds?).
MAX_REFRESH_INTERVAL = 86_400.0
#: Default seconds between two walks of every page (read states changed elsewhere).
DEFAULT_RECONCILE_INTERVAL = 30 * 60.0
#: A week: a longer reconcile interval is surely a unit mistake (milliseconds?).
MAX_RECONCILE_INTERVAL = 7 * 86_400.0
#: Threads the TUI stores in the background by default, and at most.
DEFAULT_PREFETCH_THREADS = 200
MAX_PREFETCH_THREADS = 10_000
DEFAULT_DOWNLOAD_MAX_MB = 50.0
MAX_DOWNLOAD_MB = 100_000.0


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
    #: ASCII-only screen: True, False, or None for "auto" (by the locale; ``ui.charset``).
    ascii: bool | None = None
    #: Keep the inbox in a local SQLite file (``inbox/db.py``); False: nothing is written.
    cache: bool = True
    #: Seconds between two walks of every page (read states changed elsewhere); 0 = never.
    reconcile_interval: float = DEFAULT_RECONCILE_INTERVAL
    #: Threads of the newest conversations the TUI stores in the background; 0 = none.
    prefetch_threads: int = DEFAULT_PREFETCH_THREADS
    #: The editor replies are written in, as a shell-style command line ("vim", "code -w");
    #: ``$VISUAL`` and ``$EDITOR`` win over it (``lemlist_inbox.editor``).
    editor: str | None = None
    #: Where attachments are saved; None: the platform's downloads folder (``download_folder``).
    download_dir: Path | None = None
    #: Attachments larger than this many megabytes (10^6 bytes) are not downloaded.
    download_max_mb: float = DEFAULT_DOWNLOAD_MAX_MB
    config_path: Path | None = None
    #: Problems worth telling the user about that do not stop the program.
    warnings: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # never print the key, even in a debugger or a log line
        key = "set" if self.api_key else "unset"
        return (
            f"Settings(api_key=<{key}>, base_url={self.base_url!r}, user_id={self.user_id!r}, "
            f"refresh_interval={self.refresh_interval!r}, mark_read_on_open={self.mark_read_on_open!r})"
        )


# --------------------------------------------------------------------------- checkers
# Each takes the TOML value and returns the setting's value, or raises ``_Invalid``
# with what is expected; ``load_settings`` adds the setting's name and the file.


class _Invalid(Exception):
    """A value of the wrong type or range; the message says what is expected."""


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, int | float):
        return repr(value)
    return f"a {type(value).__name__}"


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"true or false (without quotes), not {_describe(value)}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"a string in quotes, not {_describe(value)}")
    return value


def _non_empty_text(value: Any) -> str:
    text = _text(value).strip()
    if not text:
        raise _Invalid("a non-empty string")
    return text


def _page_size(value: Any) -> int:
    expected = f"a whole number from 1 to {MAX_PAGE_SIZE}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"{expected}, not {_describe(value)}")
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise _Invalid(f"{expected}, not {value}")
    return value


def _prefetch_threads(value: Any) -> int:
    expected = f"a whole number from 0 (none) to {MAX_PREFETCH_THREADS}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"{expected}, not {_describe(value)}")
    if not 0 <= value <= MAX_PREFETCH_THREADS:
        raise _Invalid(f"{expected}, not {value}")
    return value


def _seconds(least: float, most: float, zero: str) -> Callable[[Any], float]:
    """A checker for an interval in seconds: 0 (``zero``: off, never) or ``least``..``most``."""
    expected = f"a number of seconds from {least:g} to {most:g}, or 0 for {zero}"

    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Invalid(f"{expected}, not {_describe(value)}")
        number = float(value)
        if not math.isfinite(number) or number < 0 or 0 < number < least or number > most:
            raise _Invalid(f"{expected}, not {_describe(value)}")
        return number

    return check


_refresh_interval = _seconds(1, MAX_REFRESH_INTERVAL, "off")
_reconcile_interval = _seconds(60, MAX_RECONCILE_INTERVAL, "never")


def _base_url(value: Any) -> str:
    try:
        return check_base_url(_text(value))
    except BaseUrlError as exc:
        raise _Invalid(f"an http(s) URL: {exc}") from None


def _folder(value: Any) -> Path:
    text = _non_empty_text(value)
    if "\x00" in text:
        raise _Invalid("a folder path")
    return Path(text).expanduser()


def _megabytes(value: Any) -> float:
    expected = f"a number of megabytes above 0, at most {MAX_DOWNLOAD_MB:g}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid(f"{expected}, not {_describe(value)}")
    number = float(value)
    if not math.isfinite(number) or not 0 < number <= MAX_DOWNLOAD_MB:
        raise _Invalid(f"{expected}, not {_describe(value)}")
    return number


def download_folder(settings: Settings) -> Path:
    """Where attachments go: ``download_dir``, else the platform's downloads folder."""
    if settings.download_dir is not None:
        return settings.download_dir
    return Path(platformdirs.user_downloads_dir())


def _ascii(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value == "auto":
        return None
    raise _Invalid(f'"auto", true or false, not {_describe(value)}')


@dataclass(frozen=True)
class Setting:
    """One config-file setting: how its value is checked, and the ``Settings`` field it sets."""

    check: Callable[[Any], Any]
    #: The ``Settings`` attribute; None for the key sources (handled by ``_read_key``).
    attribute: str | None


#: Every setting the config file may hold.
SETTINGS: dict[str, Setting] = {
    "api_key": Setting(_non_empty_text, None),
    "api_key_command": Setting(_non_empty_text, None),
    "base_url": Setting(_base_url, "base_url"),
    "user_id": Setting(_non_empty_text, "user_id"),
    "refresh_interval": Setting(_refresh_interval, "refresh_interval"),
    "mark_read_on_open": Setting(_boolean, "mark_read_on_open"),
    "page_size": Setting(_page_size, "page_size"),
    "theme": Setting(_non_empty_text, "theme"),
    "ascii": Setting(_ascii, "ascii"),
    "cache": Setting(_boolean, "cache"),
    "reconcile_interval": Setting(_reconcile_interval, "reconcile_interval"),
    "prefetch_threads": Setting(_prefetch_threads, "prefetch_threads"),
    "editor": Setting(_non_empty_text, "editor"),
    "download_dir": Setting(_folder, "download_dir"),
    "download_max_mb": Setting(_megabytes, "download_max_mb"),
}


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


def _checked(data: Mapping[str, Any], path: Path, warnings: list[str]) -> dict[str, Any]:
    """The file's settings, each checked; unknown names become warnings with a suggestion."""
    values: dict[str, Any] = {}
    for name, raw in data.items():
        setting = SETTINGS.get(name)
        if setting is None:
            close = difflib.get_close_matches(name, SETTINGS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(SETTINGS)})"
            warnings.append(f"{path}: unknown setting {name!r} ignored{hint}")
            continue
        try:
            values[name] = setting.check(raw)
        except _Invalid as exc:
            raise ConfigError(f"{path}: {name} must be {exc}") from None
    return values


def _environment_base_url(env: Mapping[str, str]) -> str | None:
    raw = env.get("LEMLIST_BASE_URL")
    if not raw:
        return None
    try:
        return check_base_url(raw)
    except BaseUrlError as exc:
        raise ConfigError(f"LEMLIST_BASE_URL: {exc}") from None


def load_settings(
    *,
    env: Mapping[str, str] | None = None,
    path: Path | None = None,
    base_url: str | None = None,
    user_id: str | None = None,
    need_key: bool = True,
    run_command: Callable[[str], str] = run_key_command,
) -> Settings:
    """Resolve settings: command-line values win, then the environment, then the file.

    ``need_key=False`` (the demo) skips reading a key at all, so a broken password
    command cannot stop a user from trying the product. ``base_url`` from the command
    line must already be checked (``check_base_url``: a usage error there).
    """
    env = os.environ if env is None else env
    path = path or default_config_path()
    settings = Settings(config_path=path)
    values = _checked(_read_file(path), path, settings.warnings)

    for name, value in values.items():
        attribute = SETTINGS[name].attribute
        if attribute is not None:
            setattr(settings, attribute, value)
    settings.base_url = (base_url or _environment_base_url(env) or settings.base_url).rstrip("/")
    settings.user_id = user_id or env.get("LEMLIST_USER_ID") or settings.user_id
    if not need_key:
        return settings
    warning = cleartext_warning(settings.base_url)
    if warning:
        settings.warnings.append(warning)
    settings.api_key = _read_key(env, values, path, settings.warnings, run_command)
    return settings


def _read_key(
    env: Mapping[str, str],
    values: Mapping[str, Any],
    path: Path,
    warnings: list[str],
    run_command: Callable[[str], str],
) -> str:
    if env.get("LEMLIST_API_KEY", "").strip():
        return env["LEMLIST_API_KEY"].strip()
    if "api_key" in values:
        if _readable_by_others(path):
            warnings.append(f"{path} holds an API key and is readable by other users; run: chmod 600 {path}")
        return str(values["api_key"])
    if "api_key_command" in values:
        try:
            return run_command(str(values["api_key_command"]))
        except KeyCommandError as exc:
            raise ConfigError(str(exc)) from None
    raise ConfigError(
        "no API key: set LEMLIST_API_KEY, or api_key / api_key_command in "
        f"{path} (or try the product with --demo)"
    )


def _create_private(tmp: Path) -> int:
    """A new file, 0600, never through a symlink and never one that already exists."""
    return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)


def write_config(path: Path, values: Mapping[str, Any]) -> None:
    """Merge ``values`` into the config file, atomically, created 0600 in a 0700 directory.

    The new text goes to a fresh temporary file beside the real one (``O_EXCL`` and
    ``O_NOFOLLOW``: a symlink planted at its name cannot redirect the write) and is
    renamed over it, so a crash leaves the old file or the new one, never half of one.
    A config file that is a symlink (dotfiles) is written where it points.
    """
    target = Path(os.path.realpath(path))
    data = _read_file(target)
    data.update(values)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = _create_private(tmp)
        except FileExistsError:
            continue
        break
    else:  # pragma: no cover - 100 collisions of 48 random bits
        raise ConfigError(f"cannot create a temporary file beside {target}")
    try:
        with os.fdopen(fd, "wb") as handle:
            tomli_w.dump(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def remember_user_id(settings: Settings, user_id: str) -> None:
    """Store the chosen viewing user so the picker is not shown again."""
    settings.user_id = user_id
    if settings.config_path is not None:
        write_config(settings.config_path, {"user_id": user_id})
