"""Who is in a township's leadership team (班子成员), judged from the post as a roster writes it.

The leadership team are the section-level posts (正副科级): 党委书记, 乡镇长, 人大主席 and
党委副书记, 副乡镇长, 纪委书记, 组织委员, 宣传委员, 武装部长, 政法委员, 统战委员, 人大副主席,
党委委员; in a 街道 the 党工委 and 办事处 posts. A post may combine several ("党委委员、副镇长").
An assistant (镇长助理) or a deputy of the discipline committee (纪委副书记) is not a member.
"""

from __future__ import annotations

import re
import unicodedata

LEADER_TITLES = (
    "党委书记", "党委副书记", "党工委书记", "党工委副书记", "党委委员", "党工委委员",
    "乡长", "镇长", "乡镇长", "副乡长", "副镇长", "副乡镇长", "办事处主任", "办事处副主任",
    "人大主席", "人大副主席", "人大主任", "人大副主任", "人大工委主任", "人大工委副主任",
    "纪委书记", "纪工委书记", "监察办主任", "组织委员", "宣传委员", "统战委员", "政法委员",
    "武装部长", "武装部部长", "人武部长", "人武部部长",
)
NOT_LEADER = ("助理", "纪委副书记", "纪工委副书记", "秘书", "干事")
_SEPARATORS = re.compile(r"[、，,/；;\s]+")


def is_leader_post(post: str) -> bool:
    """True when one of the parts of the post is a leadership title."""
    text = unicodedata.normalize("NFKC", post or "")
    for part in _SEPARATORS.split(text):
        if part and not any(word in part for word in NOT_LEADER) and any(
                title in part for title in LEADER_TITLES):
            return True
    return False
