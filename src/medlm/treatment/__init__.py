"""medlm.treatment."""
