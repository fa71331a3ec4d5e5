"""Where the real API lives, in a module of its own.

The config layer needs the default base URL to fill in settings; importing it from
``api.client`` would load httpx, tenacity and pydantic just to read one string, before
the TUI's first frame (benchmark row "1 start-up: heavy modules").
"""

DEFAULT_BASE_URL = "https://api.lemlist.com/api"
