import re

from hypothesis import given
from hypothesis import strategies as st

from fireside.accounts.handles import (
    RESERVED_HANDLES,
    handle_problem,
    normalize_handle,
)

VALID_SHAPE = re.compile(r"[a-z0-9_]{3,30}")

# Raw input as people type it: anything, handle-like ASCII, and reserved names dressed up.
raw_handles = st.one_of(
    st.text(),
    st.from_regex(r"[@ ]{0,2}[A-Za-z0-9_]{0,33}[ ]{0,2}", fullmatch=True),
    st.builds(
        lambda name, prefix, suffix, upper: (
            (prefix + name + suffix).upper() if upper else prefix + name + suffix
        ),
        st.sampled_from(sorted(RESERVED_HANDLES)),
        st.sampled_from(["", "@", "_", "__"]),
        st.sampled_from(["", "_", "__"]),
        st.booleans(),
    ),
)

usable_handles = st.from_regex(r"[a-z0-9_]{3,30}", fullmatch=True).filter(
    lambda handle: handle_problem(handle) is None
)


def _full_width(text):
    return "".join(chr(ord(char) + 0xFEE0) for char in text)


@given(raw_handles)
def test_normalize_handle_is_idempotent(raw):
    once = normalize_handle(raw)
    assert normalize_handle(once) == once


@given(raw_handles)
def test_handle_problem_accepts_only_the_handle_shape_and_no_reserved_name(raw):
    handle = normalize_handle(raw)
    if handle_problem(handle) is None:
        assert VALID_SHAPE.fullmatch(handle)
        assert handle not in RESERVED_HANDLES
        assert handle.strip("_") not in RESERVED_HANDLES


@given(st.sampled_from(sorted(RESERVED_HANDLES)), st.sampled_from(["", "_", "__"]))
def test_handle_problem_refuses_reserved_names_with_underscores_around(name, padding):
    handle = padding + name + padding
    if len(handle) >= 3:
        assert "reserved" in handle_problem(handle)


@given(usable_handles, st.data())
def test_normalize_handle_folds_case_and_full_width_variants(handle, data):
    flips = data.draw(
        st.lists(st.booleans(), min_size=len(handle), max_size=len(handle))
    )
    mixed = "".join(
        char.upper() if flip else char for char, flip in zip(handle, flips, strict=True)
    )
    assert normalize_handle(mixed) == handle
    assert normalize_handle(handle.upper()) == handle
    assert normalize_handle(_full_width(handle)) == handle
    assert normalize_handle(_full_width(handle.upper())) == handle


@given(usable_handles)
def test_normalize_handle_ignores_a_leading_at_sign(handle):
    assert normalize_handle("@" + handle) == handle
    assert normalize_handle(" @" + handle + " ") == handle
    assert normalize_handle("＠" + handle) == handle


@given(raw_handles)
def test_normalize_handle_ignores_a_leading_at_sign_on_any_input(raw):
    assert normalize_handle("@" + raw) == normalize_handle(raw)


def test_handle_problem_says_what_is_wrong():
    assert handle_problem("ab") == "A handle needs at least 3 characters."
    assert handle_problem("a" * 31) == "A handle can have at most 30 characters."
    assert "only the letters a–z" in handle_problem("ada-lovelace")
    assert handle_problem("admin") == "“admin” is reserved. Choose another handle."
    assert handle_problem("ada_lovelace") is None
