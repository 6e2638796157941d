"""Casework: one anonymous report's life, from the public form (`reports`) through the
inspectors' queue (`queue`, `tally`), the review steps and their deadlines (`review`, which
follows `portal.rules.lifecycle`), who may see a case and who works on it (`cases`), the case
page (`review_pages`, `crosscheck`), messages and evidence, escalation of overdue cases,
retention and the reporter's tracking page, the named reports a supervisor files and follows
(`supervised`), to the inspectors' exports. It imports only the shared base, never the office;
the one module other domains may use is `reports` (oversight files a report from a spot check),
and that rule is an import-linter contract.
"""
