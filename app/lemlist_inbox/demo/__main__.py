"""``python -m lemlist_inbox.demo [--port N] [--conversations N] [--seed N] [--hostile]``."""

from __future__ import annotations

import argparse

from lemlist_inbox.demo.server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lemlist_inbox.demo", description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--conversations", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--hostile", action="store_true", help="add the hostile-content conversations")
    args = parser.parse_args(argv)
    serve(port=args.port, conversations=args.conversations, seed=args.seed, hostile=args.hostile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
