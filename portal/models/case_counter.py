"""The last case number given in each county and year (see portal/rules/case_numbers.py)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class CaseCounter(db.Model):
    """One row per county and year; a report's number is taken by raising `last` by one,
    in the report's transaction (the row lock makes concurrent reports wait their turn)."""

    __tablename__ = "case_counter"

    county_id: Mapped[int] = mapped_column(ForeignKey("region.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)
