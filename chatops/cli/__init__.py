"""The command line: thin click commands, one per ChatOps job, and the chat reply output."""
