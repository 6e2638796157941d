"""Pure domain rules: calendar, 5-4-3, duty coverage, report deadlines, receipt codes."""
