"""The wait a braked form asks for: a table of pressures."""

from __future__ import annotations

import pytest

from portal.rules.brake import Brake, remaining, required_wait

BRAKE = Brake(step=15, cap=120)


@pytest.mark.parametrize(("excess", "site_over", "wait"), [
    (0, False, 0),       # within the allowance: no wait at all
    (-3, False, 0),
    (1, False, 15),      # the first over the allowance
    (4, False, 60),
    (8, False, 120),
    (500, False, 120),   # never more than the cap, however hard the address is pushed
    (0, True, 120),      # the whole site over its brake: everyone waits the cap, nobody is refused
    (3, True, 120),
])
def test_required_wait(excess, site_over, wait):
    assert required_wait(BRAKE, excess, site_over) == wait


@pytest.mark.parametrize(("wait", "opened_at", "now", "left"), [
    (0, None, 100.0, 0),
    (30, None, 100.0, 30),      # no form opened (or a forged ticket): the whole wait
    (30, 100.0, 100.0, 30),
    (30, 100.0, 110.5, 20),     # rounded up: never let a form through early
    (30, 100.0, 130.0, 0),
    (30, 100.0, 4000.0, 0),
    (30, 200.0, 100.0, 30),     # opened in the future: not believed
])
def test_remaining(wait, opened_at, now, left):
    assert remaining(wait, opened_at, now) == left
