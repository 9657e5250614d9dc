"""The page command: what a request says (plan.py), its first reads sent early (lookahead.py),
and the runner that drives the page state machine (runner.py)."""
