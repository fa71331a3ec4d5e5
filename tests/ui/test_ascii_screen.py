"""A non-UTF-8 locale gets ASCII everywhere; the list's glyphs are explained in ``?`` help.

Under ``LANG=C`` (or ``LC_ALL=C``, ``LC_CTYPE=POSIX``) every character on the screen is
ASCII: the list, the picker, the key bar, header, status line, help, the thread pane,
borders, toasts and scrollbars, whatever the server's names hold. The decision reads
the locale variables as POSIX does, not ``sys.stdout.encoding`` (which Python's UTF-8
mode sets to utf-8 under ``LANG=C``).
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.scrollbar import ScrollBar, ScrollBarRender
from ui_helpers import ServerFactory, loaded, make_app, screen_text, wait_for

from lemlist_inbox.config import Settings
from lemlist_inbox.demo import DEMO_API_KEY
from lemlist_inbox.ui import charset
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.ascii_screen import AsciiScrollBarRender
from lemlist_inbox.ui.format import ASCII, UNICODE
from lemlist_inbox.ui.keys import mark_legend
from lemlist_inbox.ui.screens.help import HelpScreen, help_sections
from lemlist_inbox.ui.screens.user_picker import UserPicker
from lemlist_inbox.ui.thread.style import ASCII_GLYPHS, UNICODE_GLYPHS

LOCALE_VARIABLES = ("LC_ALL", "LC_CTYPE", "LANG", charset.ENV_OVERRIDE)


@pytest.fixture
def c_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C")


@pytest.fixture
def utf8_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def non_ascii(text: str) -> list[str]:
    return sorted({ch for ch in text if not ch.isascii()})


def new_app(make_server: ServerFactory, apps: list[InboxApp], **kw: object) -> InboxApp:
    # The hostile names (wide characters, emoji, bidi, combining marks...): the server's
    # text is covered too, not only our own marks.
    server = make_server(hostile=True)
    app = make_app(server, **kw)  # type: ignore[arg-type]
    apps.append(app)
    return app


async def test_non_utf8_locale_gets_ascii_everywhere_in_the_list(
    c_locale: None, make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app = new_app(make_server, apps)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(app)
        await pilot.pause()
        text = screen_text(app)
        assert non_ascii(text) == [], text
        unread = next(i for i in range(len(screen.store)) if screen.store.view_at(i).unread)
        assert text.splitlines()[1 + unread].startswith(ASCII.unread + " ")
        assert screen.conversation_list.vertical_scrollbar.renderer is AsciiScrollBarRender
        await pilot.press("y")  # a toast, with its border
        await wait_for(lambda: bool(app._notifications))
        await pilot.pause()
        assert non_ascii(screen_text(app)) == []


@pytest.mark.parametrize("locale_variable", [("LC_ALL", "C"), ("LC_CTYPE", "POSIX")])
async def test_non_utf8_locale_gets_ascii_everywhere_in_the_picker(
    utf8_locale: None,
    make_server: ServerFactory,
    apps: list[InboxApp],
    monkeypatch: pytest.MonkeyPatch,
    locale_variable: tuple[str, str],
) -> None:
    monkeypatch.setenv(*locale_variable)  # over LANG=C.UTF-8, as POSIX reads them
    app = new_app(make_server, apps)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(app)
        await pilot.press("U")
        await wait_for(lambda: isinstance(app.screen, UserPicker))
        await wait_for(lambda: isinstance(app.screen, UserPicker) and bool(app.screen.shown))
        await pilot.pause()
        text = screen_text(app)
        assert non_ascii(text) == [], text
        assert "* " in text  # the current user's mark


async def open_help(app: InboxApp, pilot: Pilot[Any]) -> None:
    """The loaded inbox, then ``?``: the help screen on top."""
    await loaded(app)
    await pilot.press("question_mark")
    await wait_for(lambda: isinstance(app.screen, HelpScreen))


async def test_non_utf8_locale_gets_ascii_everywhere_in_help(
    c_locale: None, make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app = new_app(make_server, apps)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_help(app, pilot)
        await pilot.pause()
        text = screen_text(app)
        assert non_ascii(text) == [], text
        assert "j / k / Down / Up" in text


async def test_non_utf8_locale_gets_ascii_everywhere_in_a_thread(
    c_locale: None, make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app = new_app(make_server, apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        await pilot.press("enter")
        await wait_for(lambda: screen.thread.state == "thread" and bool(screen.thread.layout_text))
        await pilot.pause()
        text = screen_text(app)
        assert non_ascii(text) == [], text
        assert ASCII_GLYPHS.sent in text or ASCII_GLYPHS.received in text


async def test_utf8_locale_keeps_unicode(
    utf8_locale: None, make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app = new_app(make_server, apps)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(app)
        await pilot.pause()
        assert UNICODE.unread in screen_text(app)
        assert not app.ascii_only


async def test_ascii_setting_overrides_the_locale_and_the_env_overrides_the_setting(
    utf8_locale: None, make_server: ServerFactory, apps: list[InboxApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = make_server()
    settings = Settings(api_key=DEMO_API_KEY, base_url=server.base_url, ascii=True)
    app = make_app(server, settings=settings)
    apps.append(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(app)
        await pilot.pause()
        assert app.ascii_only and non_ascii(screen_text(app)) == []
    monkeypatch.setenv(charset.ENV_OVERRIDE, "0")
    assert charset.decide(True) is False
    monkeypatch.setenv(charset.ENV_OVERRIDE, "1")
    assert charset.decide(False) is True
    ScrollBar.renderer = ScrollBarRender  # as the next app would choose it


@pytest.mark.parametrize(
    ("env", "encoding", "ascii_only"),
    [
        ({"LANG": "C"}, "utf-8", True),  # Python's UTF-8 mode says utf-8: the locale decides
        ({"LANG": "POSIX"}, "utf-8", True),
        ({"LC_ALL": "C", "LANG": "en_US.UTF-8"}, "utf-8", True),
        ({"LC_CTYPE": "POSIX", "LANG": "en_US.UTF-8"}, "utf-8", True),
        ({"LC_ALL": "en_US.UTF-8", "LC_CTYPE": "C"}, "utf-8", False),
        ({"LANG": "de_DE.ISO-8859-1"}, "utf-8", True),
        ({"LANG": "fr_FR@euro"}, "utf-8", True),
        ({"LANG": "C.UTF-8"}, "utf-8", False),
        ({"LANG": "en_US.utf8"}, "utf-8", False),
        ({"LANG": "en_US.UTF-8"}, "ascii", True),  # the second signal: stdout cannot encode
        ({}, "utf-8", False),  # no locale variable at all: the output encoding decides
        ({}, "ascii", True),
        ({"LC_ALL": "", "LANG": "C"}, "utf-8", True),  # empty ones are skipped
        # What Python's locale coercion leaves in os.environ under LANG=C (or no locale).
        ({"LANG": "C", "LC_CTYPE": "C.UTF-8"}, "utf-8", True),
        ({"LC_CTYPE": "C.UTF-8"}, "utf-8", False),
        ({"LC_CTYPE": "C.UTF-8"}, "ascii", True),
        ({"LC_ALL": "C.UTF-8", "LANG": "C"}, "utf-8", False),
    ],
)
def test_the_decision_reads_lc_all_lc_ctype_lang_then_the_encoding(
    env: dict[str, str], encoding: str, ascii_only: bool
) -> None:
    assert charset.decide(None, env, encoding) is ascii_only


def test_to_ascii_keeps_every_cell() -> None:
    from rich.cells import cell_len

    for text in ["● Zoé 中文 🎉", "╭─╮│╰╯▕▁▔▊", "“quoted” — …", "e\u0301"]:
        out = charset.to_ascii(text)
        assert out.isascii() and out.isprintable()
        assert cell_len(out) == cell_len(text), (text, out)


def test_the_list_glyphs_are_explained_in_help() -> None:
    """Every mark the list and the pane draw has a line in ``?``, in the screen's marks."""
    for ascii_screen, marks, thread in [(False, UNICODE, UNICODE_GLYPHS), (True, ASCII, ASCII_GLYPHS)]:
        sections = help_sections(ascii_screen)
        titles = [title for title, _rows in sections]
        assert "List marks" in titles and "Thread marks" in titles
        lines = [f"{mark} {meaning}" for _title, rows in sections for mark, meaning in rows]
        text = "\n".join(titles + lines)
        for glyph, meaning in [
            (marks.unread, "unread"),
            (marks.email, "email"),
            (marks.linkedin, "LinkedIn"),
            (marks.other, "another channel"),
            (marks.replied, "replied"),
            (thread.sent, "sent"),
            (thread.received, "from the contact"),
            (thread.folded, "quoted history folded"),
            (thread.warning, "suspicious link"),
        ]:
            assert any(line.strip().startswith(glyph + " ") and meaning in line for line in lines), (
                glyph,
                meaning,
            )
        if ascii_screen:
            assert text.isascii()
    # The legend is built from the very sets the widgets draw with.
    assert mark_legend(ASCII, ASCII_GLYPHS)[0][1][0] == (ASCII.unread, "unread conversation")


async def test_help_screen_shows_the_list_glyphs(
    utf8_locale: None, make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app = new_app(make_server, apps)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_help(app, pilot)
        help_box = app.screen.query_one("#help-box")
        help_box.scroll_end(animate=False)
        await pilot.pause()
        text = screen_text(app)
        assert f"{UNICODE.unread}" in text and "unread conversation" in text


@pytest.mark.parametrize(("env", "expected"), [({"LANG": "C"}, "True"), ({"LANG": "C.UTF-8"}, "False")])
def test_lang_c_is_ascii_in_a_real_interpreter_despite_locale_coercion(
    env: dict[str, str], expected: str
) -> None:
    """Python rewrites LC_CTYPE to C.UTF-8 under LANG=C before any of our code runs."""
    import os
    import subprocess
    import sys

    child_env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "LEMLIST"))}
    child_env.update(env)
    probe = "from lemlist_inbox.ui import charset; print(charset.ascii_only())"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=child_env, timeout=60, check=True
    )
    assert out.stdout.strip() == expected
