"""What the first pass drops, keeps and restructures before html2text sees it."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from seeds import REPLY, html_of

from lemlist_inbox.render import html_to_body


@pytest.mark.parametrize(
    "hidden",
    [
        '<div style="display: none">X</div>',
        '<span style="VISIBILITY:hidden">X</span>',
        '<p style="mso-hide:all">X</p>',
        "<div hidden>X</div>",
        '<span summary="/api/reply/data-ll-tsk_1">X</span>',
        "<script>X</script>",
        "<style>X</style>",
        "<title>X</title>",
        "<head><meta charset=utf-8><title>X</title></head>",
        "<template>X</template>",
        "<svg><text>X</text></svg>",
        "<iframe>X</iframe>",
        '<table style="display:none"><tr><td>X</td></tr></table>',
        '<img alt="X" src="https://h.example/api/track/open/u/t">',
        '<img alt="X" src="https://h.example/i.png" width="1" height="1">',
        '<img alt="X" src="data:image/gif;base64,R0lGOD">',
        "<!-- X -->",
        "<!--[if mso]>X<![endif]-->",
    ],
)
def test_hidden_content_dropped(hidden: str) -> None:
    assert html_to_body(f"<p>a</p>{hidden}<p>b</p>").text == "a\n\nb"


def test_unclosed_head_ends_at_the_body() -> None:
    assert html_to_body("<html><head><title>T</title><div>shown</div>").text == "shown"


def test_unclosed_title_ends_at_the_next_tag() -> None:
    assert html_to_body("<title>T<p>shown</p>").text == "shown"


def test_unclosed_hidden_element_hides_only_until_its_parent_closes() -> None:
    assert html_to_body('<div><span style="display:none">hidden</div><p>shown</p>').text == "shown"


def test_image_alt_text_kept_for_real_images() -> None:
    assert (
        html_to_body('<p>Logo: <img alt="ACME" src="https://acme.example/logo.png"></p>').text == "Logo: ACME"
    )


def test_layout_tables_become_lines() -> None:
    html = "<table><tr><td>Name</td><td>Value</td></tr><tr><td>A</td><td>1</td></tr></table>"
    assert html_to_body(html).text == "Name Value\nA 1"


def test_lists_and_headings() -> None:
    html = "<h1>Title</h1><ul><li>one</li><li>two</li></ul><ol start=3><li>three</li></ol>"
    assert html_to_body(html).text == "Title\n\n  - one\n  - two\n\n  3. three"


def test_emphasis_marks_not_added() -> None:
    assert (
        html_to_body("<p><b>bold</b> <i>it</i> <u>u</u> <s>s</s> <code>c</code></p>").text == "bold it u s c"
    )


def test_nbsp_runs_and_blank_paragraphs_cleaned() -> None:
    body = html_to_body("<p>a&nbsp;&nbsp;</p><p><br></p><p><br></p><p>&nbsp;</p><p>b</p>")
    assert body.text == "a\n\nb"


def test_deep_blockquotes_capped() -> None:
    body = html_to_body("<blockquote>" * 100 + "x" + "</blockquote>" * 100)
    assert max(len(line) for line in body.text.split("\n")) < 40


def test_html2text_is_imported_lazily() -> None:
    code = (
        "import sys, lemlist_inbox.render as r; assert 'html2text' not in sys.modules; "
        "r.html_to_body('<p>x</p>'); assert 'html2text' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_thread_safe() -> None:
    html = html_of(REPLY)
    expected = html_to_body(html)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(html_to_body, [html] * 16))
    assert all(result == expected for result in results)
