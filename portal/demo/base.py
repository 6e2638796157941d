"""Demo regions, townships, cadres and staff accounts (演示县)."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.models import Cadre, ChiefRole, Region, RegionLevel, Role, Township, User
from portal.rules.names import pinyin_keys
from portal.services.accounts.users import create_user
from portal.services.shared import sealing

PROVINCE = ("990000", "演示省")
CITY = ("990100", "演示市")
COUNTY = ("990101", "演示县")
COUNTY_CODE = COUNTY[0]

TOWNSHIPS = [
    ("001", "大庄镇", "演示县大庄镇人民路1号"),
    ("002", "城关镇", "演示县城关镇府前街8号"),
    ("003", "河口乡", "演示县河口乡河滨路2号"),
    ("004", "石桥镇", "演示县石桥镇桥东街15号"),
    ("005", "柳林乡", "演示县柳林乡政府街3号"),
    ("006", "青山镇", "演示县青山镇青山路66号"),
    ("007", "白沙乡", "演示县白沙乡沙河街9号"),
    ("008", "新华街道", "演示县新华街道建设路20号"),
]
DAZHUANG = COUNTY_CODE + "001"

LEADER_POSTS = [
    ("党委书记", ChiefRole.SECRETARY),
    ("镇长", ChiefRole.HEAD),
    ("人大主席", None),
    ("党委副书记", None),
    ("副镇长", None),
    ("纪委书记", None),
    ("组织委员", None),
]
STAFF_POSTS = [
    "党政办主任", "党政办干事", "财政所所长", "财政所会计", "民政办干事", "农业服务中心主任",
    "农业服务中心干事", "综治中心干事", "社会事务办干事", "文化站站长", "经济发展办干事",
    "自然资源所干事", "退役军人服务站站长", "便民服务中心干事", "党建办干事", "扶贫办干事",
    "安监办干事", "林业站站长", "水利站站长", "统计员", "宣传干事", "计生办干事", "司法所干事",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌辉鹏飞宇晨雪梅海波玲"

# Printed by `make run`: demo logins are public knowledge, like the demo data itself.
DEMO_USERS = [
    ("clerk", Role.CLERK, DAZHUANG, "demo-clerk-2026", None, "大庄镇办公室（演示）"),
    ("supervisor", Role.SUPERVISOR, f"{DAZHUANG},{COUNTY_CODE}002", "demo-supervisor-2026",
     None, "监督员（演示）"),
    ("inspector", Role.INSPECTOR, COUNTY_CODE, "demo-inspector-2026",
     "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "纪检监察干部（演示）"),
    ("inspector2", Role.INSPECTOR, COUNTY_CODE, "demo-inspector2-2026",
     "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA", "纪检监察干部二（演示）"),
    ("cityinspector", Role.INSPECTOR, CITY[0], "demo-cityinspector-2026",
     "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE4ZU", "市纪委（演示）"),
    ("admin", Role.COUNTY_ADMIN, COUNTY_CODE, "demo-admin-2026",
     "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "县委组织部（演示）"),
    ("sysadmin", Role.SYSADMIN, None, "demo-sysadmin-2026",
     "ORSXG5DJNZTXGZLDOJSXIZLTORUW4ZZA", "系统管理员（演示）"),
]


def _region(code: str, name: str, level: RegionLevel, parent: Region | None) -> Region:
    region = db.session.scalar(select(Region).where(Region.code == code))
    if region is None:
        region = Region(code=code, name=name, level=level, parent=parent)
        db.session.add(region)
    return region


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if name not in used:
            used.add(name)
            return name


def _cadres(township: Township, rng: random.Random, index: int) -> list[Cadre]:
    used: set[str] = set()
    n_leaders = 5 + index % 3
    n_staff = rng.randint(20, 30) - n_leaders
    head_title = "乡长" if township.name.endswith("乡") else "镇长"
    if township.name.endswith("街道"):
        head_title = "办事处主任"
    cadres = []
    for order, (post, chief) in enumerate(LEADER_POSTS[:n_leaders]):
        post = head_title if chief == ChiefRole.HEAD else post
        if post == "副镇长" and head_title != "镇长":
            post = "副" + head_title
        since = date(2026 - rng.randint(1, 28), rng.randint(1, 12), 1)
        cadres.append(Cadre(
            township=township, name=_name(rng, used), post=post, is_leader=True,
            chief_role=chief, sort_order=order, township_service_since=since,
            office_phone=f"0999-{8800000 + index * 1000 + order}",
            personal_phone=f"139{rng.randint(10000000, 99999999)}",
        ))
    for order, post in enumerate(STAFF_POSTS[:n_staff]):
        since = date(2026 - rng.randint(0, 30), rng.randint(1, 12), 1)
        cadres.append(Cadre(
            township=township, name=_name(rng, used), post=post, is_leader=False,
            sort_order=100 + order, township_service_since=since,
            office_phone=f"0999-{8800000 + index * 1000 + 100 + order}",
            personal_phone=f"138{rng.randint(10000000, 99999999)}",
        ))
    return cadres


def seed(today: date) -> list[str]:
    """Regions, 8 townships with 20–30 cadres each, and one staff account of every role."""
    if db.session.scalar(select(Region.id).where(Region.code == COUNTY_CODE)) is not None:
        return ["演示县 already present: base data left as it is"]
    province = _region(*PROVINCE, RegionLevel.PROVINCE, None)
    city = _region(*CITY, RegionLevel.CITY, province)
    county = _region(*COUNTY, RegionLevel.COUNTY, city)
    rng = random.Random(20260101)
    n_cadres = 0
    for index, (suffix, name, address) in enumerate(TOWNSHIPS):
        full, initials = pinyin_keys(name)
        township = Township(
            code=COUNTY_CODE + suffix, name=name, pinyin=full, initials=initials, county=county,
            address=address, office_phone=f"0999-{8800000 + index * 1000}", hotline="0999-12388",
        )
        db.session.add(township)
        cadres = _cadres(township, rng, index)
        db.session.add_all(cadres)
        n_cadres += len(cadres)
    db.session.commit()
    for username, role, scope, password, secret, display in DEMO_USERS:
        if db.session.scalar(select(User.id).where(User.username == username)) is None:
            create_user(username=username, role=role, scope=scope, password=password,
                        totp_secret=secret, display_name=display)
    recovery = _office_key(county)
    return [f"演示县: {len(TOWNSHIPS)} townships, {n_cadres} cadres, {len(DEMO_USERS)} staff accounts",
            f"演示县 office key made (demo recovery key: {recovery})"]


def _office_key(county: Region) -> str:
    """The county office's key, granted to the demo inspectors (their key pairs made first)."""
    for username, role, _scope, password, _secret, _display in DEMO_USERS:
        if role == Role.INSPECTOR:
            sealing.prepare_user_key(db.session.scalar(select(User).where(User.username == username)),
                                     password)
    _key, recovery = sealing.make_office_key(county.id)
    db.session.commit()
    return recovery
