"""The page command: the job (job.py), what a request says (plan.py), its first reads sent early
(lookahead.py), the runner of the page state machine (runner.py) and its writes (writes.py)."""
