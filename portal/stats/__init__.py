"""Public statistics with charts: `GET /stats`."""
