"""The lemlist API layer: HTTP client, models, pagination, rate limiting. No Textual here."""
