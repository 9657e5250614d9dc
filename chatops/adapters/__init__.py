"""GitLab (python-gitlab) and PagerDuty (pagerduty) behind the ports; vendor errors end here."""
