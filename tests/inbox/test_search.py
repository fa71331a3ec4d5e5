"""Full-text search: the user's words become a safe FTS5 query; hits newest first, in context."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lemlist_inbox.api.models import Direction
from lemlist_inbox.inbox.db import InboxDatabase
from lemlist_inbox.inbox.search import HIT_END, HIT_START, SearchError, SearchIndex, fts_query, split_hits
from lemlist_inbox.render.body import Body
from lemlist_inbox.render.message import RenderedMessage


def message(ident: str, day: int, body: str, *, subject: str = "", sender: str = "Ana") -> RenderedMessage:
    return RenderedMessage(
        message_id=ident,
        direction=Direction.RECEIVED,
        channel="email",
        type="emailsReplied",
        sender=sender,
        sender_address=f"{sender.lower()}@example.com",
        when=datetime(2026, 11, day, 12, 0, tzinfo=UTC),
        subject=subject,
        step=None,
        body=Body(text=body),
        attachments=(),
    )


@pytest.fixture
def index(tmp_path: Path) -> SearchIndex:
    idx = SearchIndex(InboxDatabase.open(tmp_path / "inbox.sqlite3"))
    idx.index_thread(
        "ctc_a",
        [
            message("a1", 1, "Thanks for the proposal, the pricing looks fine.", subject="Pricing"),
            message("a2", 5, "Could we schedule a call next Tuesday?", subject="Re: Pricing"),
        ],
    )
    idx.index_thread("ctc_b", [message("b1", 3, "Le café était très bon, merci.", sender="Zoé")])
    return idx


def test_a_word_only_in_a_body_is_found_with_context(index: SearchIndex) -> None:
    [hit] = index.search("tuesday")
    assert (hit.contact_id, hit.message_id) == ("ctc_a", "a2")
    assert f"{HIT_START}Tuesday{HIT_END}" in hit.snippet
    assert ("Tuesday", True) in split_hits(hit.snippet)


def test_results_are_newest_first(index: SearchIndex) -> None:
    assert [h.message_id for h in index.search("pricing")] == ["a2", "a1"]


def test_prefix_phrase_negation_and_or(index: SearchIndex) -> None:
    assert [h.message_id for h in index.search("propos*")] == ["a1"]
    assert [h.message_id for h in index.search('"pricing looks"')] == ["a1"]
    assert [h.message_id for h in index.search('"looks pricing"')] == []
    assert [h.message_id for h in index.search("pricing -tuesday")] == ["a1"]
    assert [h.message_id for h in index.search("tuesday OR cafe")] == ["a2", "b1"]


def test_accents_and_case_do_not_matter(index: SearchIndex) -> None:
    assert [h.message_id for h in index.search("CAFE")] == ["b1"]
    assert [h.message_id for h in index.search("zoe")] == ["b1"]  # the sender's name


def test_reindexing_a_thread_replaces_it(index: SearchIndex) -> None:
    index.index_thread("ctc_a", [message("a3", 9, "Signed today")])
    assert index.search("pricing") == []
    assert [h.message_id for h in index.search("signed")] == ["a3"]


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ('"open phrase', "unbalanced quote"),
        ("OR", "OR needs"),
        ("a OR", "OR needs"),
        ("-nope", "at least one word"),
        ("*** ((", "at least one word"),
        ("", "at least one word"),
    ],
)
def test_malformed_queries_get_a_sentence_not_an_sqlite_error(
    index: SearchIndex, query: str, why: str
) -> None:
    with pytest.raises(SearchError, match=why):
        index.search(query)


def test_fts_operators_typed_by_the_user_are_words() -> None:
    # a bare token's words form one phrase, as the tokenizer splits them ("e-mail" is "e mail")
    assert fts_query("NEAR(a b) AND c") == '"NEAR a" "b" "AND" "c"'
    assert fts_query("subject:hello") == '"subject hello"'


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_either_refused_clearly_or_a_query_sqlite_accepts(text: str) -> None:
    try:
        expression = fts_query(text)
    except SearchError:
        return
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO t VALUES ('some text')")
    db.execute("SELECT * FROM t WHERE t MATCH ?", (expression,)).fetchall()
