"""The conversation store: order, merge by id, filters, view index, read marks."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from lemlist_inbox.api.models import Conversation
from lemlist_inbox.inbox.store import ConversationStore

ME = "usr_me"


def conv(
    n: int,
    *,
    minute: int | None = None,
    unread: bool = False,
    name: str | None = None,
    email: str | None = None,
) -> Conversation:
    minute = n if minute is None else minute
    raw: dict[str, Any] = {
        "_id": f"ibx_{n}",
        "contactId": f"ctc_{n}",
        "lastActivityAt": f"2024-12-17T{minute // 60:02d}:{minute % 60:02d}:00.000Z",
        "users": [{"userId": ME, "read": not unread}],
        "contact": {
            "_id": f"ctc_{n}",
            "fullName": name if name is not None else f"Person {n}",
            "email": email if email is not None else f"p{n}@example.com",
        },
    }
    return Conversation.model_validate(raw)


def ids(store: ConversationStore) -> list[str]:
    return [store.view_at(i).id for i in range(store.view_size)]


def test_pages_newest_first_append_in_order() -> None:
    store = ConversationStore(ME)
    store.merge([conv(n) for n in range(500, 400, -1)])
    store.merge([conv(n) for n in range(400, 300, -1)])
    assert len(store) == 200
    assert ids(store)[:2] == ["ibx_500", "ibx_499"]
    assert ids(store)[-1] == "ibx_301"


def test_merge_by_id_moves_changed_to_top_and_keeps_unchanged() -> None:
    store = ConversationStore(ME)
    store.merge([conv(n) for n in range(10, 0, -1)])
    result = store.merge([conv(3, minute=100), conv(11, minute=99), conv(5)])
    assert (result.added, result.updated) == (1, 2)
    assert ids(store)[:3] == ["ibx_3", "ibx_11", "ibx_10"]
    assert len(store) == 11
    assert ids(store).count("ibx_5") == 1


def test_view_index_and_unread_counts() -> None:
    store = ConversationStore(ME)
    store.merge([conv(n, unread=n % 2 == 0) for n in range(10, 0, -1)])
    assert store.unread_count == 5
    assert store.view_index("ibx_7") == 3
    assert store.view_index("nope") is None
    assert store.mark_read("ibx_8") is True
    assert store.mark_read("ibx_8") is False
    assert store.unread_count == 4
    assert store.get("ibx_8") is not None and not store.get("ibx_8").unread  # type: ignore[union-attr]


def test_filter_query_narrows_and_widens() -> None:
    store = ConversationStore(ME)
    store.merge([conv(1, name="Alice Martin"), conv(2, name="Bob", email="alice@b.io"), conv(3, name="Carl")])
    store.set_filter(query="ALI")
    assert sorted(ids(store)) == ["ibx_1", "ibx_2"]
    store.set_filter(query="alice m")
    assert ids(store) == ["ibx_1"]
    store.set_filter(query="")
    assert len(ids(store)) == 3


def test_unread_only_combines_with_query_and_new_rows() -> None:
    store = ConversationStore(ME)
    store.merge([conv(n, unread=n in (2, 4), name=f"n{n}") for n in range(5, 0, -1)])
    store.set_filter(unread_only=True)
    assert ids(store) == ["ibx_4", "ibx_2"]
    store.set_filter(query="n4")
    assert ids(store) == ["ibx_4"]
    store.set_filter(query="")
    store.merge([conv(9, unread=True), conv(8, unread=False)])
    assert ids(store) == ["ibx_9", "ibx_4", "ibx_2"]
    # read while filtered: stays visible until the filter changes
    store.mark_read("ibx_4")
    assert "ibx_4" in ids(store)
    store.set_filter(unread_only=False)
    store.set_filter(unread_only=True)
    assert "ibx_4" not in ids(store)


def test_names_sanitized_and_email_fallback() -> None:
    store = ConversationStore(ME)
    store.merge([conv(1, name="\x1b[2JEvil\u202e", email="e@x.io"), conv(2, name="")])
    one, two = store.get("ibx_1"), store.get("ibx_2")
    assert one is not None and two is not None
    assert "\x1b" not in one.name and "\u202e" not in one.name
    assert two.name == "p2@example.com"


def test_missing_timestamp_sorts_last() -> None:
    store = ConversationStore(ME)
    odd = Conversation.model_validate({"_id": "ibx_x", "contact": {"email": "x@y.z"}})
    store.merge([odd, conv(1)])
    assert ids(store) == ["ibx_1", "ibx_x"]


def test_large_merge_is_incremental() -> None:
    store = ConversationStore(ME)
    for page in range(100):
        store.merge([conv(100_000 - page * 100 - i) for i in range(100)])
    assert len(store) == 10_000
    store.set_filter(query="person 99")
    assert all("person 99" in store.view_at(i).search for i in range(store.view_size))


def brute(store: ConversationStore) -> list[str]:
    """What the view must hold: every entry, in order, that the filter accepts."""
    return [
        e.id
        for e in store._order
        if (not store.unread_only or e.unread) and (not store.query or store.query in e.search)
    ]


def test_clear_while_filtered_keeps_the_filter_working() -> None:
    store = ConversationStore(ME)
    store.merge([conv(n) for n in range(5, 0, -1)])
    store.set_filter(query="3")
    store.clear(ME)
    assert ids(store) == []
    store.merge([conv(n) for n in range(40, 30, -1)] + [conv(n, name="Nobody", email="") for n in (29, 28)])
    assert ids(store) == [f"ibx_{n}" for n in range(39, 30, -1)] == brute(store)
    store.set_filter(query="")
    assert len(ids(store)) == 12


@given(
    st.lists(
        st.tuples(
            st.integers(0, 30),  # conversation number
            st.integers(0, 50),  # minute of last activity
            st.sampled_from(["ab", "ba", "Abc", "cab", "bb", "Ça", "ß"]),  # name
            st.booleans(),  # unread
        ),
        min_size=1,
        max_size=40,
    ),
    st.lists(st.sampled_from(["", "a", "ab", "b", "c", "ca", "ss", "ç", "A"]), min_size=1, max_size=6),
    st.booleans(),
)
@settings(max_examples=150, deadline=None)
def test_view_always_equals_a_full_scan(
    rows: list[tuple[int, int, str, bool]], queries: list[str], unread_only: bool
) -> None:
    """Any mix of merges (new rows, moves, renames) and filter changes: the view is exact."""
    store = ConversationStore(ME)
    half = len(rows) // 2
    store.merge([conv(n, minute=m, name=name, unread=u) for n, m, name, u in rows[:half]])
    for query in queries:
        store.set_filter(query=query, unread_only=unread_only)
        assert ids(store) == brute(store)
    for n, m, name, u in rows[half:]:
        store.merge([conv(n, minute=m, name=name, unread=u)])
        # Nothing that matches is missing; a row updated in place out of a scanned view
        # may stay until the filter changes (as a row read in the unread-only view does).
        assert set(brute(store)) <= set(ids(store))
        keys = [store.view_at(i).key for i in range(store.view_size)]
        assert keys == sorted(keys)
    # Setting the filter it already has changes nothing (a stale row stays): start over.
    store.set_filter(query="", unread_only=False)
    for query in reversed(queries):
        store.set_filter(query=query, unread_only=False)
        assert ids(store) == brute(store)


def test_locate_finds_the_conversation_or_the_nearest_one_shown() -> None:
    store = ConversationStore(ME)
    store.merge([conv(n, unread=n in (9, 6, 2)) for n in range(10, 0, -1)])  # ibx_10 .. ibx_1
    key = store.get("ibx_8").key  # type: ignore[union-attr]
    assert store.locate("ibx_8", key) == 2
    store.set_filter(unread_only=True)  # ibx_9, ibx_6, ibx_2
    assert store.locate("ibx_6", key) == 1  # still shown: itself
    assert store.locate("ibx_8", key) == 1  # hidden: the next shown below it (ibx_6)
    assert store.locate("ibx_10", key) == 0  # above every unread: the first (ibx_9)
    assert store.locate("ibx_1", key) == 2  # below every unread: the last shown above (ibx_2)
    # a conversation the store no longer has: placed by the key it had
    assert store.locate("ibx_gone", store.get("ibx_5").key) == 2  # type: ignore[union-attr]
    store.set_filter(query="nobody")
    assert store.locate("ibx_8", key) is None


@given(
    st.lists(st.tuples(st.integers(0, 40), st.booleans()), min_size=1, max_size=30, unique_by=lambda r: r[0]),
    st.data(),
)
@settings(max_examples=150, deadline=None)
def test_locate_is_the_next_shown_in_full_order_else_the_previous(
    rows: list[tuple[int, bool]], data: st.DataObject
) -> None:
    store = ConversationStore(ME)
    store.merge([conv(n, minute=n, unread=u) for n, u in rows])
    full = ids(store)
    at = data.draw(st.integers(0, len(full) - 1))
    target = full[at]
    key = store.get(target).key  # type: ignore[union-attr]
    store.set_filter(unread_only=True)
    shown = set(ids(store))
    expected = next((c for c in full[at:] if c in shown), None) or next(
        (c for c in reversed(full[:at]) if c in shown), None
    )
    index = store.locate(target, key)
    assert (store.view_at(index).id if index is not None else None) == expected
