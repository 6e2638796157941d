"""The villagers' side: finder, boards, rosters, notices, posters."""
