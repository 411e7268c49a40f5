"""`todo-api purge --table NAME`: the bounded clean-up of the tasks deleted lists left behind
(docs/LISTS.md, "What a deleted list leaves behind")."""

import argparse
import os


def add(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    purge = commands.add_parser(
        "purge", help="delete the tasks that deleted lists left behind, a bounded batch per "
        "run (AWS credentials and region from the environment); the events dispatcher does "
        "this on its own, so this is for catching up by hand")
    purge.add_argument("--table", required=True, help="the stack's table name")
    purge.add_argument("--dynamodb-endpoint", default=os.environ.get("DYNAMODB_ENDPOINT"),
                       help="DynamoDB Local or another endpoint instead of the region's")
    purge.add_argument("--until-done", action="store_true",
                       help="run batch after batch until nothing is left")


def run(args: argparse.Namespace) -> int:
    from models import ALL_MODELS, configure
    from services.domain.lists import purge_deleted_lists

    configure(ALL_MODELS, endpoint=args.dynamodb_endpoint, table_name=args.table)
    tasks = lists = 0
    while True:
        run = purge_deleted_lists()
        tasks, lists = tasks + run.tasks, lists + run.lists
        if not (args.until_done and run.more):
            break
    print(f"deleted {tasks} tasks of deleted lists; {lists} deleted lists wholly cleaned up"
          + ("; more remain: run again" if run.more else ""))
    return 0
