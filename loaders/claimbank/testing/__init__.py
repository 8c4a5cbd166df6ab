"""Test and benchmark helpers, not part of the API: synthetic, valid corpora (``synth``)."""
