"""Use cases: plain arguments in, data out; each owns its transaction; never touches `request`.

The services are grouped by what they serve, one package per domain: `casework` (a report's
life from form to conclusion), `office` (the township office: cadres, boards, rosters, notices),
`oversight` (spot checks and statistics over the other two), `accounts` (staff sign-in and
users) and `shared` (the base every domain may use: audit, errors, scope, calendar, townships).
The rule, checked by import-linter (pyproject.toml): casework, office and accounts never import
one another; oversight may read them, but only through the public modules named in its contract;
nothing in `shared` imports a domain.
"""
