"""python -m local_stack {up,down,status,start NAME,stop NAME}: the lab without Docker."""

from __future__ import annotations

import argparse
import sys

from local_stack import components as spec
from local_stack.processes import StackError
from local_stack.stack import LocalStack

URLS = f"""
  Jaeger UI and API   {spec.JAEGER_URL}   (query API only: see README, "Without Docker")
  chat API            {spec.CHAT_URL}/docs
  logs                {spec.STATE_DIR / 'logs'}/<name>.log
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local_stack", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start every component not yet running, wait until healthy")
    sub.add_parser("down", help="stop every component this tool started")
    sub.add_parser("status", help="show each component's state")
    sub.add_parser("seed", help="reload the demo data, even if it is already there")
    for verb in ("start", "stop"):
        sub.add_parser(verb, help=f"{verb} one component").add_argument("name")
    args = parser.parse_args(argv)

    stack = LocalStack()
    try:
        if args.command == "up":
            print("local stack:")
            stack.up()
            print(URLS)
        elif args.command == "down":
            stack.down()
        elif args.command == "seed":
            stack.seed(force=True)
        elif args.command == "status":
            for name, state in stack.status().items():
                print(f"  {name:<15} {state}")
        else:
            getattr(stack, args.command)(args.name)
    except StackError as error:
        print(f"\nlocal stack: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
