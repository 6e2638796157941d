"""Oversight over the townships: unannounced spot checks against the board as it stood
(`spotchecks`, `board_at`), a supervisor's view of a township (`supervision`) and the
statistics with their periods and export (`stats`, `stats_periods`, `stats_export`). It sits
above the other domains and reads them only through their public modules, `casework.reports`,
`office.absences`, `office.rule543` and `office.roster`; no domain imports oversight (both
rules are import-linter contracts).
"""
