"""Plumbing every room uses: strict JSON reading and atomic writes (``jsonio``), the parallel map (``parallel``)."""
