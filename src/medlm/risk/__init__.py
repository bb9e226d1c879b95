"""medlm.risk."""
