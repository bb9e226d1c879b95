"""medlm.knowledge."""
