"""chatops: page an expert team from Slack through GitLab ChatOps and PagerDuty."""
