"""medlm.evaluation."""
