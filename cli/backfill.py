"""`todo-api backfill --table NAME`: index keys for tasks written before the indexes existed."""

import argparse
import os


def add(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    backfill = commands.add_parser(
        "backfill", help="give tasks written before the indexes existed their index keys "
        "(run once after deploying; AWS credentials and region from the environment)")
    backfill.add_argument("--table", required=True, help="the stack's table name")
    backfill.add_argument("--dynamodb-endpoint", default=os.environ.get("DYNAMODB_ENDPOINT"),
                          help="DynamoDB Local or another endpoint instead of the region's")


def run(args: argparse.Namespace) -> int:
    from models import ALL_MODELS, configure
    from services.domain.backfill import backfill

    configure(ALL_MODELS, endpoint=args.dynamodb_endpoint, table_name=args.table)
    print(f"gave {backfill()} tasks their index keys")
    return 0
