"""medlm.explain."""
