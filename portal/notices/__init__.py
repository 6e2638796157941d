"""The monthly public notices (张榜公示) of a township: `/t/<code>/notices/...` (public)."""
