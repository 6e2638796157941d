"""The read-only public JSON API."""
