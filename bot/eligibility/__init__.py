"""The eligibility pre-check for the regional quota: rules as versioned data (content/eligibility/), the
documents catalogue (content/documents.yaml), the person's profile, and a pure evaluator.

It is a pre-check, never the decision: the Commission and the akimat decide.
"""
