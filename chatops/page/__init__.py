"""The page command: what a request says (plan.py), its first reads sent early (lookahead.py),
the runner that drives the page state machine (runner.py) and its writes (writes.py)."""
