"""The shared base of every service domain: the hash-chained audit log (`audit`), the named
service errors (`errors`), the one answer to every scope question (`scope`), the official
working-day calendar (`calendar`), townships and their data version (`townships`), regions,
the `use_case` transaction wrapper (`transaction`) and the backup and restore of the database
(`backup`). Any domain may import these modules; they import no domain, so a change here is
felt everywhere and a change in a domain is never felt here.
"""
