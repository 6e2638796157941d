"""The inspectors' review queue."""
