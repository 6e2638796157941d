"""The township office: cadres and their import (`cadres`, `roster_import`, `tabular`), the
whereabouts board and its status decision (`whereabouts`, `presence`, `board`), the duty roster,
its changes and its calendar feed (`roster`, `duty`, `duty_changes`, `roster_ics`), the days
both chiefs were away (`chiefs_away`), leave and absences, sign-ins and their machine import
(`attendance`, `attendance_import`), visits, the 5-4-3 evening rule (`rule543`), the cadre
archive and service marks (`archive`), the monthly notices, the township admin pages' use
cases, the staff home's township cards (`dashboard`) and the days administrators set in the
working calendar (`calendar_days`). It imports only the shared base, never casework;
oversight may read `absences`, `rule543` and `roster` and nothing else here (an import-linter
contract).
"""
