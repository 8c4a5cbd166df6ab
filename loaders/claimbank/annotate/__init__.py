"""Working on annotations: rule-based pre-annotation, agreement and evaluation, the HTML view."""
