"""`flask cadres|roster|attendance import`: the same imports from the command line, a township
per file, a preview per row with --dry-run, a progress bar on large files, and a non-zero exit
when anything is refused."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, Cadre, DutyShift, SignIn, Township
from tests import factories
from tests.conftest import at
from tests.sheets import attlog, office_roster, xlsx_bytes

PEOPLE = [["孙立", "男", "副镇长", "0999-8800201", "13800000001", ""],
          ["吴敏", "女", "财政所会计", 9998800010, "", ""]]


def _file(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _cadres(app, office) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Cadre.id)).where(
            Cadre.township_id == office.township_id))


def test_cadres_import_dry_run_prints_each_row_and_writes_nothing(app, office, runner, tmp_path):
    path = _file(tmp_path, "花名册.xlsx", office_roster(PEOPLE))
    result = runner.invoke(args=["cadres", "import", path, "--township", office.code, "--dry-run"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"{office.code} 大庄测试镇: 花名册.xlsx" in out
    assert "row 3       add       孙立 · 副镇长 · 班子成员 · 办公电话 0999-8800201 · 手机 138****0001" in out
    assert "row 4       add       吴敏 · 财政所会计 · 办公电话 0999-8800010" in out
    assert "丢了开头的 0：将按 0999-8800010 导入" in out
    assert "rows 5–7    skipped   空行" in out and "row 8       skipped   表尾或备注" in out
    assert "2 to add, 0 to change, 0 unchanged, 2 skipped, 0 refused" in out
    assert "dry run: nothing written" in out
    assert _cadres(app, office) == 10


def test_cadres_import_writes_and_a_refused_row_exits_non_zero(app, office, runner, tmp_path):
    bad = _file(tmp_path, "bad.xlsx", xlsx_bytes([["姓名", "职务"], ["孙立", "副镇长"], ["吴敏", ""]]))
    result = runner.invoke(args=["cadres", "import", bad, "--township", office.code])
    assert result.exit_code == 1
    assert "row 3       refused   职务: 职务为空。" in result.output
    assert "not imported" in result.output and _cadres(app, office) == 10
    good = _file(tmp_path, "good.xlsx", office_roster(PEOPLE))
    result = runner.invoke(args=["cadres", "import", good, "--township", office.code])
    assert result.exit_code == 0, result.output
    assert "imported: 2 added, 0 updated, 0 unchanged" in result.output
    assert _cadres(app, office) == 12
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cadre.import"))
        assert entry.actor_id is None and entry.object_id == office.code


def test_each_file_names_its_township(app, office, runner, tmp_path):
    with app.app_context():
        other = factories.township(db.session.get(Township, office.township_id).county, name="二镇")
        db.session.commit()
        other_code, other_id = other.code, other.id
    first = _file(tmp_path, f"{office.code}-花名册.xlsx", office_roster(PEOPLE))
    second = _file(tmp_path, f"{other_code}_花名册.xlsx", office_roster(PEOPLE, township="二镇"))
    stray = _file(tmp_path, "花名册.xlsx", office_roster(PEOPLE))
    result = runner.invoke(args=["cadres", "import", first, second, stray])
    assert result.exit_code == 1  # the third file names no township
    assert "does not start with a 9-digit township code" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Cadre.id)).where(Cadre.township_id == other_id)) == 2
    assert _cadres(app, office) == 12
    unknown = _file(tmp_path, "999999999-x.xlsx", office_roster(PEOPLE))
    result = runner.invoke(args=["cadres", "import", unknown])
    assert result.exit_code == 1 and "no active township has the code 999999999" in result.output


def test_an_unreadable_file_exits_non_zero_with_the_reason(app, office, runner, tmp_path):
    path = _file(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 64)
    result = runner.invoke(args=["cadres", "import", path, "--township", office.code])
    assert result.exit_code == 1 and "无法读取这个 Excel 文件" in result.output


def test_roster_import_with_a_month_and_a_dry_run(app, office, runner, tmp_path):
    data = xlsx_bytes([["日期", "星期", "带班领导", "值班人员"], ["3月7日", "星期六", "王书记", "干事0"],
                       ["3月9日", "星期一", "李镇长", "干事1、干事2"]])
    path = _file(tmp_path, "值班表.xlsx", data)
    result = runner.invoke(args=["roster", "import", path, "--township", office.code,
                                 "--month", "2026-03", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "row 2       add       2026-03-07 白班 带班 王书记 值班 干事0" in result.output
    assert "row 3       add       2026-03-09 夜班 带班 李镇长 值班 干事1、干事2" in result.output
    assert "3 shifts to fill, 0 to change, 0 unchanged, 0 skipped, 0 refused" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(DutyShift.id))) == 0
    result = runner.invoke(args=["roster", "import", path, "--township", office.code, "--month",
                                 "2026-03"])
    assert result.exit_code == 0 and "imported: 3 shifts changed" in result.output
    result = runner.invoke(args=["roster", "import", path, "--township", office.code])
    assert result.exit_code == 1 and "日期没有年份" in result.output
    assert runner.invoke(args=["roster", "import", path, "--month", "March"]).exit_code == 2


def _numbered(app, office):
    with app.app_context():
        db.session.get(Cadre, office.secretary_id).machine_number = "1"
        db.session.get(Cadre, office.head_id).machine_number = "2"
        db.session.commit()


def test_attendance_import_of_an_attlog(app, office, runner, tmp_path):
    at("2026-03-10T10:00")
    _numbered(app, office)
    day = date(2026, 3, 9)
    data = attlog([("1", datetime.combine(day, time(8, 1)), 0), ("1", datetime.combine(day, time(17, 40)), 1),
                   ("7", datetime.combine(day, time(8, 3)), 0)])
    path = _file(tmp_path, "attlog.dat", data)
    result = runner.invoke(args=["attendance", "import", path, "--township", office.code, "--dry-run"])
    assert result.exit_code == 1  # a punch of an unknown machine number is refused
    assert "row 1       add       王书记 2026-03-09 08:01 签到" in result.output
    assert "row 3       refused   没有考勤机号为 7 的干部" in result.output
    assert "2 to add, 0 duplicates skipped, 1 refused; dry run: nothing written" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(SignIn.id))) == 0
    result = runner.invoke(args=["attendance", "import", path, "--township", office.code, "--quiet"])
    assert result.exit_code == 1 and "2 added, 0 duplicates skipped, 1 refused" in result.output
    assert "row 1" not in result.output and "row 3" in result.output  # --quiet: refused rows only
    with app.app_context():
        assert db.session.scalar(select(func.count(SignIn.id))) == 2
    again = runner.invoke(args=["attendance", "import", path, "--township", office.code])
    assert "0 added, 2 duplicates skipped" in again.output


def test_attendance_columns_can_be_given_where_the_guess_is_wrong(app, office, runner, tmp_path):
    at("2026-03-10T10:00")
    data = "\r\n".join(["A,B,C", "x,王书记,2026-03-09 08:00", "x,王书记,2026-03-09 17:00"]).encode()
    path = _file(tmp_path, "odd.csv", data)
    result = runner.invoke(args=["attendance", "import", path, "--township", office.code])
    assert result.exit_code == 1 and "--column time=C" in result.output
    result = runner.invoke(args=["attendance", "import", path, "--township", office.code,
                                 "--column", "name=B", "--column", "time=3"])
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output
    bad = runner.invoke(args=["attendance", "import", path, "--township", office.code,
                              "--column", "who=B"])
    assert bad.exit_code == 2


def test_a_large_file_shows_a_progress_bar(app, office, runner, tmp_path):
    at("2026-03-10T10:00")
    _numbered(app, office)
    start = datetime(2026, 2, 1, 8, 0)
    punches = [("1", start + timedelta(minutes=30 * i), i % 2) for i in range(300)]
    path = _file(tmp_path, "attlog.dat", attlog(punches))
    result = runner.invoke(args=["attendance", "import", path, "--township", office.code, "--quiet"])
    assert result.exit_code == 0, result.output
    assert "checking" in result.stderr and "checking" not in result.stdout
    assert "300 added" in result.stdout


def test_a_changed_personal_phone_prints_both_numbers_told_apart(app, office, runner, tmp_path):
    with app.app_context():
        cadres = [db.session.get(Cadre, i) for i in office.staff_ids[:2]]
        cadres[0].personal_phone, cadres[1].personal_phone = "13812340001", "13800000001"
        names = [(c.name, c.post) for c in cadres]
        db.session.commit()
    rows = [["姓名", "职务", "手机"], [*names[0], "13899990001"], [*names[1], "13900000002"]]
    path = _file(tmp_path, "r.xlsx", xlsx_bytes(rows))
    out = runner.invoke(args=["cadres", "import", path, "--township", office.code,
                              "--dry-run"]).output
    # Same first three and last four digits: the middle shows, the last four are masked.
    assert f"{names[0][0]} · 手机 1381234**** → 1389999****" in out
    assert f"{names[1][0]} · 手机 138****0001 → 139****0002" in out
    assert "13812340001" not in out and "13899990001" not in out
