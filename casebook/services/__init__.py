"""Services: the casebook's rules as plain functions on a SQLModel session.

The UI and the CLI are two clients of these. Each function validates its input,
changes the database and appends to the case's history; the caller runs it inside
`Casebook.write()`, which commits it as one transaction.
"""
