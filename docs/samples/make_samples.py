"""Write the sample files of the clerk's guide: the layouts the imports accept.

    .venv/bin/python docs/samples/make_samples.py

The files are fictional (大庄镇 of a made-up county, March 2026). tests/admin/test_samples.py
checks that each still imports cleanly and that this script still makes what is committed.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAMP = datetime(2026, 3, 1, 9, 0)

# 姓名, 性别, 职务, 班子成员, 办公电话, 手机, 考勤机号
CADRES = [
    ("王建国", "男", "党委书记", "是", "0999-8800001", "13800000001", "1"),
    ("李秀英", "女", "镇长", "是", "0999-8800002", "13800000002", "2"),
    ("张志强", "男", "党委副书记", "是", "0999-8800003", "13800000003", "3"),
    ("刘海燕", "女", "副镇长", "是", "0999-8800004", "13800000004", "4"),
    ("陈明", "男", "纪委书记", "是", "0999-8800005", "13800000005", "5"),
    ("赵丽", "女", "党政办主任", "否", "0999-8800006", "13800000006", "6"),
    ("孙伟", "男", "党政办干事", "否", "0999-8800006", "13800000007", "7"),
    ("周静", "女", "财政所会计", "否", "0999-8800008", "13800000008", "8"),
]
ROSTER_HEADER = ["序号", "姓名", "性别", "职务", "班子成员", "办公电话", "手机", "考勤机号", "备注"]
FOOTER = ["填表人：赵丽", None, None, "审核人：王建国", None, None, "填表日期：2026年3月1日", None, None]
WEEK = [date(2026, 3, 2) + timedelta(days=i) for i in range(5)]  # Monday to Friday


def _book():
    import openpyxl

    book = openpyxl.Workbook()
    book.properties.creator = "Zaigang"
    book.properties.created = book.properties.modified = STAMP
    return book


def _save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def roster_rows() -> list[list]:
    """The 花名册: a merged title, the header, the cadres with a blank row, and the footer."""
    rows: list[list] = [["大庄镇干部花名册"] + [None] * 8, ROSTER_HEADER]
    for i, cadre in enumerate(CADRES, 1):
        rows.append([i, *cadre, ""])
        if i == 5:
            rows.append([None] * 9)
    return rows + [[None] * 9, FOOTER]


def roster_xlsx() -> bytes:
    from openpyxl.styles import Alignment, Font

    book = _book()
    sheet = book.active
    sheet.title = "花名册"
    for row in roster_rows():
        sheet.append(row)
    sheet.merge_cells("A1:I1")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    for column, width in zip("ABCDEFGHI", (6, 10, 6, 14, 10, 15, 15, 10, 10), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=3, max_row=sheet.max_row):
        for cell in row[5:8]:
            cell.number_format = "@"  # phone numbers and machine numbers as text: zeros stay
    return _save(book)


def punches() -> list[tuple[str, datetime, int]]:
    """A week of punches: each cadre in around 8:00 and out around 17:40 (0 in, 1 out)."""
    out = []
    for day in WEEK:
        for number in range(1, len(CADRES) + 1):
            out.append((str(number), datetime.combine(day, time(7, 50 + number)), 0))
            out.append((str(number), datetime.combine(day, time(17, 30 + number)), 1))
    return sorted(out, key=lambda p: p[1])


def attlog_dat() -> bytes:
    """The machine's own download: user ID, time, machine, state, verified by, work code."""
    lines = [f"{pin:>9}\t{at:%Y-%m-%d %H:%M:%S}\t1\t{state}\t1\t0" for pin, at, state in punches()]
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def machine_rows() -> list[list]:
    """The attendance software's export (ZKTeco's columns), with a title above the header."""
    names = {str(i): c[0] for i, c in enumerate(CADRES, 1)}
    rows: list[list] = [["考勤记录表 2026-03-02 至 2026-03-06"],
                        ["部门", "姓名", "考勤号码", "日期时间", "签到/退", "机器号"]]
    for pin, at, state in punches():
        rows.append(["大庄镇", names[pin], pin, at, "签到" if state == 0 else "签退", 1])
    return rows


def machine_xls() -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("考勤记录")
    moment = xlwt.XFStyle()
    moment.num_format_str = "yyyy-mm-dd hh:mm:ss"
    for r, row in enumerate(machine_rows()):
        if r == 0:
            sheet.write_merge(0, 0, 0, 5, row[0])
            continue
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write(r, c, value, moment)
            else:
                sheet.write(r, c, value)
    sheet.col(3).width = 20 * 256
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def duty_rows() -> list[list]:
    """March 2026 as offices lay out a duty roster: one row a day, leaders and staff in turn."""
    leaders = [c for c in CADRES if c[3] == "是"]
    staff = [c for c in CADRES if c[3] == "否"]
    weekdays = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
    rows: list[list] = [["大庄镇2026年3月值班表"] + [None] * 4,
                        ["日期", "星期", "带班领导", "值班人员", "电话"]]
    for n in range(31):
        day = date(2026, 3, 1) + timedelta(days=n)
        leader, person = leaders[n % len(leaders)], staff[n % len(staff)]
        rows.append([f"{day.month}月{day.day}日", weekdays[day.weekday()], leader[0], person[0],
                     leader[4]])
    return rows + [[None] * 5, ["说明：工作日为夜间值班，周末全天值班。值班电话 0999-8800000。"] + [None] * 4]


def duty_xlsx() -> bytes:
    book = _book()
    sheet = book.active
    sheet.title = "值班表"
    for row in duty_rows():
        sheet.append(row)
    sheet.merge_cells("A1:E1")
    for column, width in zip("ABCDE", (10, 8, 12, 12, 15), strict=True):
        sheet.column_dimensions[column].width = width
    return _save(book)


SAMPLES = {
    "roster-sample.xlsx": roster_xlsx,
    "attlog-sample.dat": attlog_dat,
    "attendance-export-sample.xls": machine_xls,
    "duty-roster-sample.xlsx": duty_xlsx,
}


def main() -> None:
    for name, make in SAMPLES.items():
        (HERE / name).write_bytes(make())
        print(f"wrote docs/samples/{name}")


if __name__ == "__main__":
    main()
