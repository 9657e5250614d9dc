"""The page command: its job, plan, early reads (lookahead), runner and writes."""
