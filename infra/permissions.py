"""The DynamoDB actions each function needs: exactly what services/data/store.py calls for it."""

FUNCTION_ACTIONS: dict[str, list[str]] = {
    "createTodo": ["dynamodb:PutItem"],
    "getTodos": ["dynamodb:GetItem", "dynamodb:Query"],
    "updateTodo": ["dynamodb:UpdateItem"],
    # A delete puts the task's tombstone in the same transaction.
    "deleteTodo": ["dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Query"],
}
