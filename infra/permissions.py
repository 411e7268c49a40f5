"""The DynamoDB actions each function needs: exactly what services/data/ calls for it
(tests/test_permissions.py derives them from the requests each function makes and compares).

A transaction needs the action of each of its parts (TransactWriteItems: PutItem, UpdateItem,
DeleteItem, ConditionCheckItem; TransactGetItems: GetItem); there is no action of its own."""

FUNCTION_ACTIONS: dict[str, list[str]] = {
    # Tasks (idempotent: with their record); lists (with the owner's count and membership),
    # invitations and joining (the list record, and the member's side of the membership); the
    # access check of a list.
    "createTodo": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
    # GET /lists reads the caller's memberships, then those lists' records in one batch.
    "getTodos": ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"],
    # A move deletes the task in one list, puts it (and a tombstone) in the other and checks
    # the caller's role in both lists, in one transaction; a role change puts the member's
    # side of the membership.
    "updateTodo": ["dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:GetItem",
                   "dynamodb:PutItem", "dynamodb:UpdateItem"],
    # A delete puts the task's tombstone in the same transaction; removing a member, deleting
    # a list or revoking an invitation updates the list record or the owner's count.
    "deleteTodo": ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem",
                   "dynamodb:Query", "dynamodb:UpdateItem"],
}
