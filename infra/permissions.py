"""The DynamoDB actions each function needs: exactly what services/store.py calls for it."""

FUNCTION_ACTIONS: dict[str, list[str]] = {
    "createTodo": ["dynamodb:PutItem"],
    "getTodos": ["dynamodb:GetItem", "dynamodb:Query"],
    "updateTodo": ["dynamodb:UpdateItem"],
    "deleteTodo": ["dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchWriteItem"],
}
