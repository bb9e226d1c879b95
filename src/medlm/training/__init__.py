"""medlm.training."""
