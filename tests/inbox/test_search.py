"""Full-text search: the user's words become a safe FTS5 query; hits newest first, in context."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lemlist_inbox.api.models import Direction
from lemlist_inbox.inbox.db import InboxDatabase, StoredConversation
from lemlist_inbox.inbox.search import (
    HIT_END,
    HIT_START,
    MAX_BODY_CHARS,
    MAX_FIELD_CHARS,
    MAX_MESSAGES,
    SearchError,
    SearchIndex,
    fts_query,
    plain,
    split_hits,
)
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


def conversation(ident: str, contact_id: str, activity: float) -> StoredConversation:
    return StoredConversation(
        id=ident,
        contact_id=contact_id,
        contact=(contact_id, "Ana Lopez", None, None, "ana@example.com", None),
        users=(("usr_1", True, False),),
        channels=("email",),
        last_activity_at=None,
        activity=activity,
        have_replies=True,
        raw="{}",
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


def rows_of(index: SearchIndex, db: InboxDatabase) -> tuple[int, int]:
    """(FTS rows, map rows): equal when nothing is left behind."""
    return db.read(
        lambda c: (
            c.execute("SELECT COUNT(*) FROM message_text").fetchone()[0],
            c.execute("SELECT COUNT(*) FROM message_rows").fetchone()[0],
        ),
        (-1, -1),
    )


def test_storing_a_thread_again_leaves_no_duplicate(tmp_path: Path) -> None:
    db = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    index = SearchIndex(db)
    thread = [message("m1", 1, "alpha words"), message("m2", 2, "beta words")]
    for _ in range(3):
        index.index_thread("ctc_x", thread)
    index.index_thread("ctc_x", [*thread, message("m2", 2, "beta words again")])  # a repeated id
    assert [h.message_id for h in index.search("words")] == ["m2", "m1"]
    assert rows_of(index, db) == (2, 2)
    assert index.indexed_threads() == 1


def test_messages_of_one_instant_keep_a_row_each_newest_first_by_time(tmp_path: Path) -> None:
    db = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    index = SearchIndex(db)
    index.index_thread("ctc_a", [message(f"a{i}", 3, "same instant") for i in range(5)])
    index.index_thread("ctc_b", [message("b1", 2, "same instant"), message("b2", 4, "same instant")])
    found = [h.message_id for h in index.search("instant")]
    assert sorted(found) == sorted(["a0", "a1", "a2", "a3", "a4", "b1", "b2"])
    assert found[0] == "b2" and found[-1] == "b1"


def test_what_one_message_puts_in_the_index_is_bounded(tmp_path: Path) -> None:
    db = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    index = SearchIndex(db)
    huge = "start " + "filler " * 50_000 + "needleatend"
    index.index_thread("ctc_h", [message("h1", 1, huge, subject="s" * 10_000)])
    assert index.search("start")
    assert index.search("needleatend") == []  # past MAX_BODY_CHARS
    stored = db.read(
        lambda c: c.execute("SELECT length(body), length(subject) FROM message_text").fetchone(), None
    )
    assert stored is not None and stored[0] <= MAX_BODY_CHARS and stored[1] <= MAX_FIELD_CHARS
    many = [message(f"n{i}", 1 + i % 28, f"word{i}") for i in range(MAX_MESSAGES + 10)]
    index.index_thread("ctc_n", many)
    assert rows_of(index, db)[0] == 1 + MAX_MESSAGES


def test_hits_name_their_conversation_contact_and_channel(index: SearchIndex, tmp_path: Path) -> None:
    db = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    db.save_conversations([conversation("ibx_old", "ctc_a", 1.0), conversation("ibx_new", "ctc_a", 9.0)])
    idx = SearchIndex(db)
    idx.index_thread("ctc_a", [message("a1", 1, "hello there")])
    [hit] = idx.search("hello")
    assert (hit.conversation_id, hit.contact, hit.channel) == ("ibx_new", "Ana Lopez", "email")
    idx.index_thread("ctc_gone", [message("g1", 1, "hello orphan")])
    orphan = [h for h in idx.search("orphan")]
    assert orphan[0].conversation_id is None and orphan[0].contact == ""


def test_the_subject_and_the_body_mark_their_own_matches(index: SearchIndex) -> None:
    [hit] = index.search("pricing looks")
    assert f"{HIT_START}Pricing{HIT_END}" in hit.subject
    assert f"{HIT_START}pricing{HIT_END} {HIT_START}looks{HIT_END}" in hit.snippet
    assert plain(hit.subject) == "Pricing"


def test_deleting_a_conversation_drops_its_search_rows(tmp_path: Path) -> None:
    db = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    db.save_conversations([conversation("ibx_1", "ctc_a", 1.0)])
    index = SearchIndex(db)
    index.index_thread("ctc_a", [message("a1", 1, "gone soon")])
    db.delete_conversations(["ibx_1"])
    assert index.search("gone") == [] and rows_of(index, db) == (0, 0)


def test_rebuild_indexes_threads_stored_before_the_index_once(tmp_path: Path) -> None:
    db = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    db.save_conversations([conversation("ibx_1", "ctc_a", 1.0)])
    api_message = {
        "_id": "m1",
        "type": "emailsReplied",
        "createdAt": "2026-11-02T10:00:00.000Z",
        "subject": "Old thread",
        "message": "<p>Stored before search existed: <b>zeppelin</b></p>",
        "leadEmail": "ana@example.com",
        "contactId": "ctc_a",
    }
    db.save_thread("ctc_a", [api_message], activity=1.0)
    index = SearchIndex(db)
    # an older release's rows, with no map: dropped by the rebuild, not doubled
    db.write(
        "old row", lambda c: c.execute("INSERT INTO message_text (subject, body) VALUES ('x', 'zeppelin')")
    )
    assert index.stale()
    seen: list[tuple[int, int]] = []
    assert index.rebuild(lambda done, total: seen.append((done, total))) == 1
    assert seen == [(1, 1)] and not index.stale()
    [hit] = index.search("zeppelin")
    assert (hit.message_id, hit.conversation_id, hit.contact) == ("m1", "ibx_1", "Ana Lopez")
    assert "<b>" not in hit.snippet  # the rendered text, not the HTML
    assert rows_of(index, db) == (1, 1)


def test_a_file_from_before_the_map_gets_it_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    db = InboxDatabase.open(path)
    db.write("drop map", lambda c: c.execute("DROP TABLE message_rows"))
    db.close()
    again = InboxDatabase.open(path)
    assert again.warning is None  # not rebuilt: the same file, with the table added
    SearchIndex(again).index_thread("ctc_a", [message("a1", 1, "works")])
    assert SearchIndex(again).search("works")


def test_a_hit_says_which_words_matched_as_they_are_written(index: SearchIndex) -> None:
    [hit] = index.search("propos* pric*")
    assert hit.matched_words() == ["Pricing", "proposal", "pricing"]
