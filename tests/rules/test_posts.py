"""The leadership team (班子成员) judged from posts as rosters write them."""

from __future__ import annotations

import pytest

from portal.rules.posts import is_leader_post


@pytest.mark.parametrize("post", [
    "党委书记", "镇长", "乡长", "副镇长", "副乡长", "人大主席", "党委副书记", "纪委书记", "组织委员",
    "宣传委员", "武装部长", "人武部部长", "政法委员", "统战委员", "人大副主席", "党委委员、副镇长",
    "党委委员，武装部长", "党工委书记", "办事处主任", "办事处副主任", "党委副书记 镇长",
])
def test_leaders(post):
    assert is_leader_post(post)


@pytest.mark.parametrize("post", [
    "党政办主任", "干事", "镇长助理", "纪委副书记", "财政所会计", "人大主席团秘书", "综治中心干事",
    "", "司机",
])
def test_not_leaders(post):
    assert not is_leader_post(post)
