"""The villagers' confirmation of a village visit: `/v/<token>` (public, no account)."""
