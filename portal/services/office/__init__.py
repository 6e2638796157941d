"""The township office: cadres and their import (`cadres`, `roster_import`, `tabular`), the
whereabouts board and its status decision (`whereabouts`, `presence`, `board`), the duty roster
and its calendar feed (`roster`, `duty`, `roster_ics`), leave and absences, attendance sign-ins,
visits, the 5-4-3 evening rule (`rule543`), the monthly notices and the township admin pages'
use cases. It imports only the shared base, never casework; oversight may read `absences` and
`rule543` and nothing else here (an import-linter contract).
"""
