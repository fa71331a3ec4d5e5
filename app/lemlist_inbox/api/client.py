"""HTTP client for lemlist's Inbox API (placeholder: the API helper writes the client here)."""

DEFAULT_BASE_URL = "https://api.lemlist.com/api"
