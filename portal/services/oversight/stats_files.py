"""The statistics as files: the public download (the page's figures, small counts suppressed
exactly as on the page) and the administrators' exact export, as sheets for
`shared.spreadsheets`.

The public file is for journalists and researchers: what /stats shows, ranked, with the county
total, the quarter and the 12-month trend, and the counting rules. Its counts come from
`stats.public_stats` and nothing else, so a township-month under 3 reads "<3" and a total
that would give one away reads "×", as on the page and in the API.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.services.oversight import stats
from portal.services.shared.spreadsheets import Column, Sheet

PUBLIC_FIELDS = (
    ("score", "number"), ("received", "int"), ("accepted", "int"), ("substantiated", "int"),
    ("rectified", "int"), ("median_accept_days", "number"), ("median_conclude_days", "number"),
    ("compliance_543", "number"), ("leader_weeks", "int"), ("duty_coverage", "number"),
    ("shifts_required", "int"), ("board_accuracy", "number"), ("spot_check_findings", "int"),
    ("satisfaction_rate", "number"), ("review_rate", "number"),
)


def _titles() -> dict[str, str]:
    return {
        "score": _("综合得分"), "received": _("收到举报"), "accepted": _("已受理"),
        "substantiated": _("查实"), "rectified": _("已整改"),
        "median_accept_days": _("受理用时中位数（工作日）"),
        "median_conclude_days": _("办结用时中位数（工作日）"),
        "compliance_543": _("5-4-3达标率（%）"), "leader_weeks": _("班子成员人周"),
        "duty_coverage": _("值班覆盖率（%）"), "shifts_required": _("应排班次"),
        "board_accuracy": _("公示准确率（%）"), "spot_check_findings": _("检查人次"),
        "satisfaction_rate": _("举报人满意率（%）"), "review_rate": _("申请复查率（%）"),
    }


def public_columns() -> list[Column]:
    titles = _titles()
    return [Column(_("名次"), "int"), Column(_("乡镇代码")), Column(_("乡镇")),
            *(Column(titles[key], kind) for key, kind in PUBLIC_FIELDS)]


def public_rows(result: stats.CountyStats, quarter: bool = False) -> list[list]:
    """The township rows of the period (or its quarter), then the county's total."""
    public = stats.public_stats(result)
    rows = public.quarter_townships if quarter else public.townships
    total = public.quarter_figures if quarter else public.figures
    out = [[r["rank"], r["code"], r["name"], *(r[key] for key, _k in PUBLIC_FIELDS)] for r in rows]
    out.append([None, result.county.code, _("%(county)s合计", county=result.county.name),
                *(total[key] for key, _k in PUBLIC_FIELDS)])
    return out


def _trend(result: stats.CountyStats) -> Sheet:
    titles = _titles()
    columns = [Column(_("月份")), *(Column(titles[key], kind) for key, kind in PUBLIC_FIELDS)]
    rows = [[row["month"], *(row[key] for key, _k in PUBLIC_FIELDS)]
            for row in stats.public_stats(result).trend]
    return Sheet(_("月度趋势"), columns, rows)


SUPPRESSION_NOTE = _l(
    "为保护举报人，乡镇某月少于3件的数字显示为“<3”；乡镇季度、全县月度和季度的合计，只有在不少于3件、"
    "且所含每个乡镇每月（尚未开始的月份不算）都公布时才公布，否则显示为“×”，"
    "这样任何公布的数字相减都推算不出未公布的数字。未公布件数时不计算用时中位数。")


def method_lines() -> list[str]:
    """The counting rules the page states, for the file's last sheet."""
    return [
        _("举报按提交月份统计；“已受理”“查实”“已整改”指当月收到的举报目前的办理结果。查实包括属实和部分属实。"),
        str(SUPPRESSION_NOTE),
        _("用时按法定工作日计算（含调休），提交或受理当天不计。"),
        _("5-4-3达标率：班子成员每周在岗不少于5天、住宿不少于4晚、入村不少于3天，达标的人周数占全部人周数的比例；只统计已结束的周。"),
        _("值班覆盖率：节假日、周末白天和每天夜间都需要1名带班领导和至少1名值班人员，配齐的班次占应排班次的比例。"),
        _("公示准确率：明察暗访中，干部实际情况与当时公示去向一致的人次占全部检查人次的比例。"),
        _("综合得分为上述三项比例的平均值（百分制），没有数据的项目不计入。"),
    ]


def public_sheets(result: stats.CountyStats, period_label: str, quarter_label: str) -> list[Sheet]:
    """The public workbook: the period, its quarter (for a month), the trend, the rules."""
    title = _("%(county)s %(period)s 公开统计", county=result.county.name, period=period_label)
    sheets = [Sheet(_("乡镇"), public_columns(), public_rows(result), title=title)]
    if result.period.kind == "month":
        sheets.append(Sheet(_("季度汇总"), public_columns(), public_rows(result, quarter=True),
                            title=_("%(county)s %(period)s 公开统计", county=result.county.name,
                                    period=quarter_label)))
    sheets.append(_trend(result))
    sheets.append(Sheet(_("统计口径"), [Column(_("统计口径"))], [[line] for line in method_lines()]))
    return sheets


# --- the administrators' export: exact figures -------------------------------------------

def _admin_columns() -> list[Column]:
    return [
        Column(_("名次"), "int"), Column(_("乡镇代码")), Column(_("乡镇")),
        Column(_("综合得分"), "number"), Column(_("收到举报"), "int"), Column(_("已受理"), "int"),
        Column(_("查实"), "int"), Column(_("已整改"), "int"),
        Column(_("受理用时中位数（工作日）"), "number"), Column(_("办结用时中位数（工作日）"), "number"),
        Column(_("班子成员人周"), "int"), Column(_("达标人周"), "int"),
        Column(_("5-4-3达标率（%）"), "number"), Column(_("应排班次"), "int"),
        Column(_("配齐班次"), "int"), Column(_("值班覆盖率（%）"), "number"),
        Column(_("检查人次"), "int"), Column(_("与公示一致人次"), "int"),
        Column(_("公示准确率（%）"), "number"),
        Column(_("已办结"), "int"), Column(_("评价人次"), "int"), Column(_("满意及基本满意"), "int"),
        Column(_("申请复查"), "int"),
    ]


def _pct(rate: float | None) -> float | None:
    return None if rate is None else round(100 * rate, 1)


def _admin_row(rank, code: str, name: str, f) -> list:
    return [
        rank, code, name, f.score, f.received, f.accepted, f.substantiated, f.rectified,
        f.median_accept_days, f.median_conclude_days, f.leader_weeks, f.compliant_weeks,
        _pct(f.compliance), f.shifts_required, f.shifts_staffed, _pct(f.coverage), f.findings,
        f.findings_matched, _pct(f.accuracy), f.concluded, f.rated, f.satisfied, f.reviews,
    ]


def admin_table(result: stats.CountyStats) -> tuple[list[Column], list[list]]:
    """One row per township (ranked) and the county total, exact."""
    rows = [_admin_row(r.rank, r.township.code, r.township.name, r.figures) for r in result.townships]
    rows.append(_admin_row(None, result.county.code, _("%(county)s合计", county=result.county.name),
                           result.figures))
    return _admin_columns(), rows


def admin_sheets(result: stats.CountyStats) -> list[Sheet]:
    columns, rows = admin_table(result)
    trend_columns = [Column(_("月份")), *columns[3:]]
    trend = [[p.key, *_admin_row(None, "", "", f)[3:]] for p, f in result.trend]
    return [Sheet(_("乡镇"), columns, rows), Sheet(_("月度趋势"), trend_columns, trend)]
