"""``python -m lemlist_inbox.demo [--port N] [--conversations N] [--seed N] [--hostile] [--lie MODE]``."""

from __future__ import annotations

import argparse

from lemlist_inbox.demo.faults import Faults
from lemlist_inbox.demo.lies import MODES
from lemlist_inbox.demo.server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lemlist_inbox.demo", description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--conversations", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--hostile", action="store_true", help="add the hostile-content conversations")
    parser.add_argument("--lie", choices=MODES, default="", help="answer like a lying server (see demo.lies)")
    args = parser.parse_args(argv)
    serve(
        port=args.port,
        conversations=args.conversations,
        seed=args.seed,
        hostile=args.hostile,
        faults=Faults(lie=args.lie),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
