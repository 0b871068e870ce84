"""lab.mission.queueing: next contacts and FIFO queues against hand calculations and the
textbook recursion."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lab.mission import fifo_wait, next_contact, next_true_index
from lab.mission.queueing import NEVER


def test_next_contact_hand_cases():
    m = np.array([-1.0, -1.0, 1.0, 1.0, -1.0])  # in view around samples 2-3, dt = 10 s
    t = np.array([0.0, 25.0, 30.0, 41.0])
    tc, j = next_contact(m, t, 10.0)
    # from t=0: zero crossing halfway between samples 1 (-1) and 2 (+1) -> 15 s
    # t=25 and t=30 are inside the pass; t=41 waits for the next day's crossing: 50 + 15 = 65 s
    np.testing.assert_allclose(tc, [15.0, 25.0, 30.0, 65.0])
    assert list(j[[0, 3]]) == [2, 7]
    tc, _ = next_contact(np.full(4, -0.5), np.array([3.0]), 10.0)
    assert np.isinf(tc[0])


def test_next_true_index_hand_case():
    mask = np.array([[False, True, False, False], [False, False, False, False]])
    nxt = next_true_index(mask)
    # periodic, repeated twice: the True at 1 is next seen again at 5
    assert nxt[0].tolist() == [1, 1, 5, 5, 5, 5, NEVER, NEVER]
    assert (nxt[1] == NEVER).all()


def test_fifo_wait_hand_case():
    server = np.array([0, 0, 0, 1, 1])
    ready = np.array([0.0, 1.0, 2.0, 0.0, 10.0])
    wait = fifo_wait(server, ready, np.array([5.0, 5.0, 5.0, 1.0, 1.0]))
    np.testing.assert_allclose(wait, [0.0, 4.0, 8.0, 0.0, 0.0])


def test_fifo_wait_is_exactly_zero_at_a_free_server():
    """Regression: the cumulative sums left ~1e-11 s of "wait" where a request found its server
    free, and lab.mission then charged it a full batch's latency instead of its own (82 s
    instead of 57 s for a Three-Body answer of 1,108 tokens)."""
    rng = np.random.default_rng(1)
    service = rng.uniform(0.1, 30.0, 500)
    gap = np.where(np.arange(500) % 2 == 0, 0.0, rng.uniform(0.0, 1.0, 500))
    # each request arrives when the previous one finishes (or a little later)
    ready = 80000.123 + np.concatenate([[0.0], np.cumsum(service + gap)[:-1]])
    wait = fifo_wait(np.zeros(500, int), ready, service)
    assert (wait == 0).all()
    wait = fifo_wait(np.zeros(3, int), np.array([0.0, 1.0, 1.0]), np.array([2.0, 1.0, 1.0]))
    np.testing.assert_allclose(wait, [0.0, 1.0, 2.0])  # real waits stay


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.floats(0, 100), st.floats(0.01, 20)),
                min_size=1, max_size=40))
def test_fifo_wait_matches_lindley_loop(reqs):
    server = np.array([r[0] for r in reqs])
    ready = np.array([r[1] for r in reqs])
    service = np.array([r[2] for r in reqs])
    got = fifo_wait(server, ready, service)
    expect = np.zeros(len(reqs))
    for s in np.unique(server):  # reference: the textbook recursion, one request at a time
        idx = [i for i in np.lexsort((ready, server)) if server[i] == s]
        free = -np.inf
        for i in idx:
            start = max(ready[i], free)
            expect[i] = start - ready[i]
            free = start + service[i]
    np.testing.assert_allclose(got, expect, atol=1e-6)


def test_next_contact_rows_equal_one_dimensional_calls():
    rng = np.random.default_rng(0)
    margins = rng.normal(size=(4, 50)) - 0.8
    t = rng.uniform(0, 500, 30)
    rows = rng.integers(0, 4, 30)
    tc, j = next_contact(margins, t, 10.0, rows=rows)
    for i in range(30):
        tc1, j1 = next_contact(margins[rows[i]], t[i:i + 1], 10.0)
        np.testing.assert_allclose(tc[i], tc1[0], rtol=1e-12)
        assert j[i] == j1[0]
