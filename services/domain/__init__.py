"""Task logic: fields and their rules, ids, paging cursors, sync tokens. Knows nothing of HTTP
or Lambda; reaches the table only through services/data."""
